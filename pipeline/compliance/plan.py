"""The QA plan checked against what happened, and when the quarter's returns are due (Appendices 7–8).

Each planned activity (month, week beginning, activity, theme, who) is matched to the quarter's
returns of its form: done in its week (or its month, when the plan gives no week), late, not done
or not yet due; the theme as planned or not; RAG-rated. The quarter's returns are due a set number
of days (targets.yaml: deadlines) before the first SLT or DLT meeting the plan gives after the
quarter ends; returns that arrive after that are late.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..admin import ACTIVITIES as PLAN_ACTIVITIES
from ..admin import PlanEntry
from ..errors import message
from ..quarter import Quarter
from ..roles import closest, fold
from ..store import IssuedForm, StoredSubmission, submission_ref
from .lines import AMBER, GREEN, RED, day, names
from .lines import activity_date as _date

DONE, EARLY, LATE, NOT_DONE, NOT_YET = "Done in its week", "Done before its week", "Late", "Not done", "Not yet due"


@dataclass(frozen=True)
class PlanLine:
    """One planned activity against the returns: done in its week, late or not done; theme as planned; RAG."""

    row: int  # the plan's row (0: not from a workbook)
    month: str  # 'October 2022'
    week_beginning: dt.date | None
    activity: str
    theme: str
    who: str
    form: str
    returns: int  # returns of the form matched to this row
    status: str  # DONE, EARLY, LATE, NOT_DONE or NOT_YET
    theme_as_planned: bool | None  # None: no theme planned
    rag: str
    explanation: str


@dataclass(frozen=True)
class LateReturn:
    """A return that arrived after the quarter's due date (by reference: the file name is what a person typed)."""

    ref: str
    form: str
    author: str
    received: dt.date


@dataclass(frozen=True)
class Deadline:
    """When the quarter's returns are due, from the meetings in the plan, and what was late."""

    due: dt.date | None
    meeting: str  # 'SLT on 09/01/2023' (the first meeting after the quarter ends)
    days_before: int
    late: list[LateReturn]
    overdue: list[str]  # issued forms not returned by the due date (issue IDs)

    @property
    def explanation(self) -> str:
        if self.due is None:
            return ("No SLT or DLT date after the quarter in the QA plan (admin/qa-plan.xlsx), so no due date for its "
                    "returns: add the meeting dates to the plan's SLT date or DLT date column.")
        text = f"Returns for the quarter are due by {day(self.due)}, {self.days_before} days before {self.meeting}."
        if self.late:
            text += f" {len(self.late)} arrived late: {_some([f'{r.ref} ({r.form}, {day(r.received)})' for r in self.late])}."
        if self.overdue:
            text += f" {len(self.overdue)} issued form(s) not returned by the due date: {_some(self.overdue)}."
        return text


def _some(items: list[str], shown: int = 8) -> str:
    """'A, B and C', or the first *shown* and how many more (status --json and the report list them all)."""
    return names(items) if len(items) <= shown else f"{', '.join(items[:shown])} and {len(items) - shown} more"


def check_plan(plan: list[PlanEntry], quarter: Quarter, returns: list[StoredSubmission], today: dt.date,
               themes: dict[str, list[str]]) -> tuple[list[PlanLine], list[str]]:
    """The plan's rows for *quarter* against its *returns*; and a problem, with a did-you-mean, for each
    row whose theme matches none of its form's *themes* (form → known themes)."""
    lines, problems = [], []
    for entry in plan:
        if entry.form is None or entry.quarter != quarter:
            continue
        known = themes.get(entry.form, [])
        meant = closest(entry.theme, known, cutoff=0.6) if entry.theme and known else None
        # A theme close to a known one but not it is a slip; one unlike any is a new theme for the form's theme box.
        if meant and not any(_same_theme(entry.theme, theme) for theme in known):
            problems.append(message("plan_theme", row=entry.row or "?", value=entry.theme,
                                    activity=entry.activity,
                                    hint=message("did_you_mean", suggestion=meant),
                                    themes="; ".join(known)))
        lines.append(_line(entry, [s for s in returns if s.form == entry.form], today))
    return lines, problems


def _line(entry: PlanEntry, returns: list[StoredSubmission], today: dt.date) -> PlanLine:
    start = entry.week_beginning or entry.month
    end = start + dt.timedelta(days=6) if entry.week_beginning else _month_end(entry.month)
    window = "its week" if entry.week_beginning else "its month"
    # Rows without a week share the form's returns with the other rows: each takes the returns dated in its month.
    mine = returns if entry.week_beginning else [s for s in returns if (_date(s) or end) <= end and (_date(s) or start) >= start]
    dates = sorted(d for d in (_date(s) for s in mine) if d is not None)
    in_window = [d for d in dates if start <= d <= end]
    themed = [s for s in mine if entry.theme and _same_theme(entry.theme, _theme(s))]
    theme_ok: bool | None = None
    if entry.theme and mine:
        theme_ok = bool(themed)
    if in_window or (mine and not dates):
        status = DONE
    elif dates and dates[0] > end:
        status = LATE
    elif dates:
        status = EARLY
    else:
        status = NOT_YET if today <= end else NOT_DONE
    if not entry.week_beginning and status in (DONE, EARLY):
        status = status.replace("week", "month")
    status_text = {DONE: f"done in {window}", DONE.replace("week", "month"): f"done in {window}",
                   EARLY.replace("week", "month"): f"done before {window}", EARLY: f"done before {window}", LATE: "late", NOT_DONE: "not done",
                   NOT_YET: "not yet due"}[status].replace("its week", f"the week beginning {day(start)}")
    when = f" ({len(mine)} return(s), first dated {day(dates[0])})" if dates else (f" ({len(mine)} return(s))" if mine else "")
    explanation = f"{entry.activity} {status_text}{when}."
    if theme_ok is True:
        explanation += f" Theme as planned: {entry.theme}."
    elif theme_ok is False:
        found = sorted({_theme(s) for s in mine if _theme(s)}) or ["no theme given"]
        explanation += f" Theme not as planned: planned {entry.theme}, returned {names(found)}."
    if status in (NOT_DONE,):
        rag = RED
    elif status == LATE or theme_ok is False:
        rag = AMBER
    else:
        rag = GREEN
    return PlanLine(row=entry.row, month=f"{entry.month:%B %Y}", week_beginning=entry.week_beginning,
                    activity=entry.activity, theme=entry.theme, who=entry.who, form=entry.form or "",
                    returns=len(mine), status=status, theme_as_planned=theme_ok, rag=rag, explanation=explanation)


def deadline(plan: list[PlanEntry], quarter: Quarter, days_before: int, returns: list[StoredSubmission],
             unreturned: list[IssuedForm], today: dt.date) -> Deadline:
    """When *quarter*'s returns are due (*days_before* the first SLT / DLT after it), and what came in late."""
    meetings = sorted([(e.slt_date, "SLT") for e in plan if getattr(e, "slt_date", None) and e.slt_date > quarter.end]
                      + [(e.dlt_date, "DLT") for e in plan if e.dlt_date and e.dlt_date > quarter.end])
    if not meetings:
        return Deadline(None, "", days_before, [], [])
    when, kind = meetings[0]
    due = when - dt.timedelta(days=days_before)
    late = [LateReturn(submission_ref(s.id), s.form, " ".join(str(s.author or "").split()), _arrived(s, today))
            for s in sorted(returns, key=lambda s: s.id) if _arrived(s, today) > due]
    overdue = [issued.issue_id for issued in unreturned] if today > due else []
    return Deadline(due, f"{kind} on {day(when)}", days_before, late, overdue)


def plan_dict(lines: list[PlanLine], problems: list[str], deadline_: Deadline) -> dict:
    """Plain data for `qa status --json`."""
    from .lines import plain

    return {"plan": [plain(dataclasses.asdict(line)) for line in lines], "plan_problems": list(problems),
            "deadline": {**plain(dataclasses.asdict(deadline_)), "explanation": deadline_.explanation}}


def _same_theme(planned: str, returned: str) -> bool:
    a, b = fold(planned), fold(returned)
    return bool(a and b) and (a == b or a in b or b in a)


def _theme(submission: StoredSubmission) -> str:
    theme = submission.answer("theme") or (submission.spec.theme if submission.spec else None) or ""
    return " ".join(str(theme).split())



def _arrived(submission: StoredSubmission, today: dt.date) -> dt.date:
    """The day a return arrived: when the store received it; but a receipt after *today* means the date is
    being simulated (QA_TODAY, the demo), and then the day it was completed is the best evidence there is."""
    received = dt.date.fromisoformat(submission.received_at[:10])
    return received if received <= today else (_date(submission) or received)


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def form_themes(catalogue) -> dict[str, list[str]]:
    """Form → the themes a plan row may name: its themed variants (and the shared list of themes, when there is one)."""
    themes: dict[str, list[str]] = {}
    for spec in catalogue:
        if spec.theme:
            themes.setdefault(spec.id, []).append(spec.theme)
    try:
        from ..spec import themes as shared  # the one list of practice themes (branch `forms`)

        for form in ("dip_sample", "thematic_audit"):
            themes.setdefault(form, [])
            themes[form] += [t for t in shared() if t not in themes[form]]
    except ImportError:
        pass
    return themes


__all__ = ["PLAN_ACTIVITIES", "Deadline", "LateReturn", "PlanLine", "check_plan", "deadline", "form_themes", "plan_dict"]

"""The Principal Social Worker's annual QA report (`qa report --year 2022-23`), as plain data.

Every quarterly figure is taken from that quarter's report model (:func:`build_model` over the quarter's
one assessment), so the annual report says what the four quarterly reports said: activity against the
minimums, CCR grades of record (the moderated grade where there is one), moderation agreement, actions,
themes and learning. A quarter is included once it has ended, or before then if returns for it have
arrived (shown as 'in progress'); a quarter not yet begun is listed as not included.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..admin import PlanEntry
from ..errors import ReportError
from ..quarter import Quarter
from ..spec import GRADES
from .activity import rag_colour
from .model import ReportModel

_YEAR = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


def parse_year(text: str) -> int:
    """'2022-23' → 2022 (the year April falls in); ReportError saying how to write it."""
    match = _YEAR.match(text or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ReportError(f"--year: '{text}' is not a financial year. Write it as 2022-23 (April 2022 to March 2023).")
    return int(match[1])


def year_quarters(start_year: int) -> list[Quarter]:
    return [Quarter(start_year, number) for number in range(1, 5)]


@dataclass
class Cell:
    """One activity in one quarter: '21 of 20', its RAG and colour."""

    text: str
    rag: str
    colour: str


@dataclass
class ActivityYear:
    """One activity across the year's quarters."""

    activity: str
    section: str
    cells: list[Cell]
    green_quarters: int


@dataclass
class GradeQuarter:
    """CCR grades of record in one quarter."""

    quarter: str
    reviews: int
    counts: list[int]  # in GRADES order
    good_or_better: str  # '62%' or '—'


@dataclass
class ModerationQuarter:
    """CCR moderation in one quarter: how many moderated, and how many the moderator agreed with."""

    quarter: str
    reviews: int
    moderated: int
    agreed: int
    higher: int
    lower: int
    agreed_percent: str


@dataclass
class ActionsQuarter:
    quarter: str
    raised: int
    completed: int  # of those raised in the quarter, completed by the as-at date


@dataclass
class Theme:
    quarter: str
    kind: str  # 'Dip sample' | 'Thematic audit'
    theme: str
    returns: int
    children: int


@dataclass
class LearningEvent:
    date: str  # ISO date, or "" when the plan says TBC
    activity: str
    theme: str
    notes: str


@dataclass
class AnnualModel:
    """Everything the annual report shows."""

    title: str
    organisation: str
    year: str  # '2022-23'
    months: str  # 'April 2022 to March 2023'
    as_of: str
    generated_on: str
    quarters: list[str]  # the quarters included, e.g. ['2022-23-Q1', …]
    quarter_status: list[str]  # 'Ended' | 'In progress'
    not_included: list[str]  # quarters not yet begun or with no returns
    activity: list[ActivityYear]
    grades: list[GradeQuarter]
    grade_names: list[str]
    year_grades: GradeQuarter
    moderation: list[ModerationQuarter]
    year_moderation: ModerationQuarter
    actions: list[ActionsQuarter]
    actions_raised: int
    actions_completed: int
    actions_open: int
    actions_overdue: int
    themes: list[Theme]
    learning_events: list[LearningEvent]
    learning_priorities: list[str]
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def build_annual(start_year: int, models: dict[Quarter, ReportModel], statuses: dict[Quarter, str],
                 plan: list[PlanEntry], today: dt.date, notes: list[str]) -> AnnualModel:
    """Arrange the quarterly *models* (each quarter included, in order) as the year's report."""
    quarters = [q for q in year_quarters(start_year) if q in models]
    if not quarters:
        raise ReportError(f"No quarter of {start_year}-{(start_year + 1) % 100:02d} has begun or has returns yet, so there "
                          "is no annual report to write. Run it once the year's first quarter has ended.")
    ordered = [models[q] for q in quarters]
    label = f"{start_year}-{(start_year + 1) % 100:02d}"
    activity = _activity(ordered)
    grades = [_grades(m.quarter, [g.count for g in m.practice.overall.grades], m.practice.reviews) for m in ordered]
    year_counts = [sum(g.counts[i] for g in grades) for i in range(len(GRADES))]
    year_grades = _grades(label, year_counts, sum(g.reviews for g in grades))
    moderation = [ModerationQuarter(m.quarter, m.practice.moderation.reviews, m.practice.moderation.moderated,
                                    m.practice.moderation.agreed, m.practice.moderation.higher, m.practice.moderation.lower,
                                    _pct(m.practice.moderation.agreed, m.practice.moderation.moderated)) for m in ordered]
    totals = [sum(getattr(m, name) for m in moderation) for name in ("reviews", "moderated", "agreed", "higher", "lower")]
    year_moderation = ModerationQuarter(label, *totals, _pct(totals[2], totals[1]))
    last = ordered[-1].actions
    in_year = {q.label for q in quarters}
    raised = [a for a in last.all_actions if a.raised_in in in_year]
    actions = [ActionsQuarter(q.label, sum(a.raised_in == q.label for a in raised),
                              sum(a.raised_in == q.label and a.status == "completed" for a in raised)) for q in quarters]
    themes = [Theme(m.quarter, "Dip sample", t.theme, t.returns, t.children) for m in ordered for t in m.dip_samples.by_theme] + \
             [Theme(m.quarter, "Thematic audit", t.theme, t.returns, t.children) for m in ordered for t in m.thematic.by_theme]
    year_start, year_end = year_quarters(start_year)[0].start, year_quarters(start_year)[-1].end
    events = [LearningEvent(e.learning_event.isoformat() if e.learning_event else "", e.activity, e.theme, e.notes)
              for e in plan if year_start <= (e.learning_event or e.month) <= year_end
              and (e.learning_event is not None or e.activity == "Learning event")]
    priorities = [f"{m.quarter}: {p}" for m in ordered for p in m.learning.priorities]
    first = ordered[0]
    model = AnnualModel(
        title="Principal Social Worker's annual quality assurance report",
        organisation=first.organisation,
        year=label,
        months=f"April {start_year} to March {start_year + 1}",
        as_of=min(year_end, today).isoformat(),
        generated_on=today.isoformat(),
        quarters=[q.label for q in quarters],
        quarter_status=[statuses[q] for q in quarters],
        not_included=[q.label for q in year_quarters(start_year) if q not in models],
        activity=activity,
        grades=grades,
        grade_names=list(GRADES),
        year_grades=year_grades,
        moderation=moderation,
        year_moderation=year_moderation,
        actions=actions,
        actions_raised=len(raised),
        actions_completed=sum(a.status == "completed" for a in raised),
        actions_open=sum(a.status == "open" for a in raised),
        actions_overdue=sum(a.status == "overdue" for a in raised),
        themes=sorted(themes, key=lambda t: (t.quarter, t.kind)),
        learning_events=sorted(events, key=lambda e: (e.date == "", e.date)),
        learning_priorities=priorities,
        notes=notes,
    )
    model.messages = _messages(model)
    return model


def _grades(label: str, counts: list[int], reviews: int) -> GradeQuarter:
    return GradeQuarter(label, reviews, counts, _pct(sum(counts[:2]), sum(counts)))


def _activity(models: list[ReportModel]) -> list[ActivityYear]:
    """Each activity with a cell per quarter of the year (Q1–Q4); '—' for a quarter not included."""
    lines: dict[str, ActivityYear] = {}
    for model in models:
        number = int(model.quarter[-1])
        for line in model.activity.lines:
            row = lines.setdefault(line.activity, ActivityYear(line.activity, line.section,
                                                               [Cell("—", "", rag_colour("")) for _ in range(4)], 0))
            row.cells[number - 1] = Cell(f"{line.counted} of {line.minimum}", line.rag, rag_colour(line.rag))
            row.green_quarters += line.rag == "Green"
    return list(lines.values())


def _messages(model: AnnualModel) -> list[str]:
    """The year in a few sentences, each from the figures below it."""
    quarters = len(model.quarters)
    messages = []
    always = [line.activity for line in model.activity if line.green_quarters == quarters]
    never = [line.activity for line in model.activity if line.green_quarters == 0]
    messages.append(f"{len(always)} of {len(model.activity)} activities met their minimum in every quarter included "
                    f"({', '.join(model.quarters)}).")
    if never:
        messages.append(f"Not met in any quarter: {', '.join(never)}.")
    if len(model.grades) > 1:
        first, last = model.grades[0], model.grades[-1]
        messages.append(f"Collaborative case reviews graded good or better (grade of record): {first.good_or_better} in "
                        f"{first.quarter}, {last.good_or_better} in {last.quarter}; {model.year_grades.good_or_better} over "
                        f"the year ({model.year_grades.reviews} reviews).")
    moderation = model.year_moderation
    messages.append(f"Moderators agreed with the reviewer's grade in {moderation.agreed} of {moderation.moderated} moderated "
                    f"reviews ({moderation.agreed_percent}); they graded higher in {moderation.higher} and lower in "
                    f"{moderation.lower}.")
    messages.append(f"{model.actions_raised} actions were raised in the year: {model.actions_completed} completed, "
                    f"{model.actions_open} open and {model.actions_overdue} overdue as at "
                    f"{dt.date.fromisoformat(model.as_of):%d %B %Y}.")
    return messages

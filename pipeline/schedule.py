"""What `qa watch` does by itself, from the QA plan and roster in admin/: hands-off operation.

Each pass (the watcher runs one after its ingests; `qa watch --once` runs one and exits):

- re-reads admin/ when a file there changed, reporting a bad file in the log and the tracker and
  carrying on with the last good copy;
- issues each planned activity's forms on the plan's dates into outbox/issued/<Q>/<person>/, with a
  cover note, once: a form issued is recorded in the store, so a restart never issues it again;
- rewrites outbox/<Q>/tracker.xlsx a short while after the last ingest (debounced);
- keeps the DRAFT report current, and on the report date renders the final report once.

Time comes from outside: *clock* (seconds, for the debounce) and the config's date (QA_TODAY /
--today, else the computer's), so tests and rehearsals move through a quarter without waiting.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .admin import Person, PlanEntry, load_targets
from .admin_watch import Admin
from .config import Config
from .errors import PipelineError
from .quarter import Quarter
from .roles import fold
from .settle import MONOTONIC, Clock
from .spec import Catalogue
from .store import Store
from .workspace import Workspace

log = logging.getLogger("pipeline.schedule")

TRACKER = "tracker.xlsx"
NOW = float("-inf")  # a change time that makes an update due at once
LATE_RETURNS_DAYS = 31  # a quarter's tracker and draft stay current this long after it ends when the plan gives no DLT date


STEP_HOOK: Callable[[str, Path], None] | None = None  # tests: fail at a step of issuing a form


def _step(name: str, path: Path) -> None:
    """Mark a step of issuing a form (a no-op unless a test has set STEP_HOOK)."""
    if STEP_HOOK is not None:
        STEP_HOOK(name, path)


def person_folder(name: str) -> str:
    """A folder name for a member of staff: their name with characters Windows refuses replaced."""
    return "".join("-" if ch in '<>:"/\\|?*' or not ch.isprintable() else ch for ch in name).strip(" .") or "unnamed"


@dataclass(frozen=True)
class Due:
    """One form to issue: a plan row, the person who owes it, and what they owe."""

    entry: PlanEntry
    quarter: Quarter
    person: str
    owed: list[str]  # 'Dip sampling: 10 children by 31/12/2022'


def issue_date(entry: PlanEntry, days_before: int) -> dt.date:
    """The day a plan row's forms are issued: its week beginning less *days_before*, else the 1st of its month
    less *days_before* but never before its quarter starts.

    A row the plan dates to a week may go out up to *days_before* ahead, even in the quarter before (forms
    due in the first week of January can reach people before Christmas); a row dated only by its month
    belongs to its quarter, and is not issued before that quarter has begun.
    """
    if entry.week_beginning is not None:
        return entry.week_beginning - dt.timedelta(days=days_before)
    return max(entry.month - dt.timedelta(days=days_before), entry.quarter.start)


def who_named(who: str, roster: list[Person]) -> list[Person]:
    """The people on *roster* a plan row's Who names: by role ('HoS / PSW / Improvement team', plurals too) or by name."""
    from .roles import parse_role

    roles, names = set(), set()
    for part in re.split(r"\s*(?:/|,|;|&|\+|\band\b)\s*", who, flags=re.IGNORECASE):
        part = part.strip()
        if not part:
            continue
        role = parse_role(part) or (parse_role(part[:-1]) if part.lower().endswith("s") else None)
        if role is not None:
            roles.add(role)
        else:
            names.add(fold(part))
    return [person for person in roster if person.role in roles or fold(person.name) in names]


def _amount(count: int, unit: str) -> str:
    """'10 children', '1 child', '1 audit'."""
    if count != 1:
        return f"{count} {unit}"
    return f"1 {'child' if unit == 'children' else unit.rstrip('s')}"


def _shares(assessment, keys: set[str], people: int, between: str, quarter: Quarter, *, quarter_only: bool = False) -> list[str]:
    """For each minimum for the service among *keys* still outstanding (*quarter_only*: each of the quarter's, not the
    year's): what is left, shared between *people*."""
    from .compliance import ACTIVITIES

    texts = []
    for line in assessment.compliance.activities:
        if line.key in keys and line.outstanding > 0 and people and (line.period == "quarter" or not quarter_only):
            texts.append(f"{line.activity}: {line.outstanding} {ACTIVITIES[line.key][3]} still to do this quarter between "
                         f"the {people} {between}, about {-(-line.outstanding // people)} each, by {quarter.end:%d/%m/%Y}")
    return texts


def report_date(plan: list[PlanEntry], quarter: Quarter, days_before: int) -> dt.date | None:
    """The day *quarter*'s final report is rendered: *days_before* the first DLT date in the plan after it ends."""
    dates = sorted(entry.dlt_date for entry in plan if entry.dlt_date and entry.dlt_date > quarter.end)
    return dates[0] - dt.timedelta(days=days_before) if dates else None


class Schedule:
    """One workspace's hands-off schedule; :meth:`run` does one pass (the watcher calls it after each step)."""

    def __init__(self, workspace: Workspace, catalogue: Catalogue, config: Config, clock: Clock = MONOTONIC) -> None:
        self.workspace = workspace
        self.catalogue = catalogue
        self.config = config
        self.clock = clock
        self.admin = Admin(workspace)
        self._loaded = False
        self._last_day: dt.date | None = None
        self._changed_at: float | None = NOW  # first pass: everything is written
        self._draft_changed_at: float | None = NOW
        self.issued: list[Path] = []  # forms this schedule issued (for callers and tests)
        self._loads = 0  # how many times admin/ was read
        self._final_failed: dict[str, tuple[dt.date, int]] = {}  # a final that failed: tried again next day or admin/ change

    def ingested(self) -> None:
        """A file was ingested: the tracker and the draft are due after their delays."""
        now = self.clock.now()
        self._changed_at = now
        self._draft_changed_at = now

    def run(self, store: Store, *, now_everything: bool = False) -> None:
        """One pass. *now_everything* (qa watch --once) writes the tracker and draft without waiting."""
        today = self.config.today()
        new_day = today != self._last_day
        self._last_day = today
        if not self._loaded or (self.config.reload_admin and self.admin.changed()):
            if self._loaded:
                log.info("admin/ changed; reading it again")
            else:
                self.admin.changed()
            self.admin.reload()
            self._loaded = True
            self._loads += 1
            new_day = True  # a new plan or roster is acted on as a new day is
        if new_day:
            self._changed_at = self._draft_changed_at = NOW
        if self.config.issue_forms and new_day:  # what is due changes only with the date and admin/
            try:
                if self._issue_due(store, today):
                    self._changed_at = NOW
            except Exception:
                log.exception("working out which forms are due on %s failed; trying again tomorrow or when admin/ "
                              "changes", f"{today:%d/%m/%Y}")
        for quarter in self.active_quarters(store, today):
            self._final(store, quarter, today)
        now = self.clock.now()
        if self.config.tracker and self._due(self._changed_at, self.config.tracker_delay_seconds, now, now_everything):
            self._changed_at = None
            for quarter in self.active_quarters(store, today):
                self._tracker(store, quarter, today)
        if self.config.draft_report and self._due(self._draft_changed_at, self.config.draft_report_delay_minutes * 60,
                                                  now, now_everything):
            self._draft_changed_at = None
            for quarter in self.active_quarters(store, today):
                if store.schedule_done(f"final:{quarter.label}") is None:
                    self._draft(store, quarter, today)

    @staticmethod
    def _due(changed_at: float | None, delay: float, now: float, now_everything: bool) -> bool:
        if changed_at is None:
            return False
        return now_everything or now - changed_at >= delay

    # --- which quarters ---------------------------------------------------------------------------

    def active_quarters(self, store: Store, today: dt.date) -> list[Quarter]:
        """The quarter *today* is in, and the one before while its final report is still to come."""
        current = Quarter.containing(today)
        previous = current.previous()
        quarters = [current]
        if store.schedule_done(f"final:{previous.label}") is None:
            due = report_date(self.admin.plan, previous, self.config.report_days_before_dlt)
            if (due is not None and today <= due) or (due is None and today <= previous.end + dt.timedelta(days=LATE_RETURNS_DAYS)):
                quarters.insert(0, previous)
        return quarters

    # --- issuing forms ----------------------------------------------------------------------------

    def due_forms(self, store: Store, today: dt.date) -> list[Due]:
        """Forms whose issue date has come, for people who owe them.

        Who owes a form: the people the quarter's assessment says still owe its activity in person (dip
        samples, supervision audits, and the targets' per-person rules: thematic audits and CCRs by role,
        Appendix 6). A quarter's minimum for the service that no one owes in person (the CCR's children
        reviewed this quarter) is added to each of their notes with their share of it. For an activity
        with no per-person line at all (the CCR when the targets set no per-person CCR rule), the people
        on the roster the plan row's Who names, each told the service's outstanding number and their share.
        """
        from .compliance import ACTIVITIES, assess_quarter

        if self.admin.roster is None:
            return []
        targets = load_targets(self.workspace.targets_path) if self.admin.targets_usable() else None
        due: list[Due] = []
        by_quarter: dict[Quarter, object] = {}
        for entry in self.admin.plan:
            if entry.form is None or issue_date(entry, self.config.issue_days_before) > today or entry.quarter.end < today:
                continue
            quarter = entry.quarter
            if quarter not in by_quarter:
                by_quarter[quarter] = assess_quarter(store, quarter, self.admin.roster, targets, self.catalogue) if targets else None
            assessment = by_quarter[quarter]
            if assessment is None:
                continue
            owed: dict[str, list[str]] = {}
            keys = {key for key, value in ACTIVITIES.items() if value[2] == entry.form}
            for line in assessment.compliance.people:
                if line.activity_key not in keys or line.outstanding <= 0:
                    continue
                subject = f" ({line.subject})" if line.subject else ""
                owed.setdefault(line.person, []).append(
                    f"{line.activity}{subject}: {_amount(line.outstanding, ACTIVITIES[line.activity_key][3])} "
                    f"by {line.due:%d/%m/%Y}")
            in_person = {line.activity_key for line in assessment.compliance.people if line.activity_key in keys}
            if not in_person:
                owed = self._owed_by_who(entry, assessment, keys, quarter)
            else:
                for text in _shares(assessment, keys - in_person, len(owed), "people issued this form", quarter,
                                    quarter_only=True):
                    for lines in owed.values():
                        lines.append(text)
            for person, lines in owed.items():
                due.append(Due(entry, quarter, person, lines))
        return due

    def _owed_by_who(self, entry: PlanEntry, assessment, keys: set[str], quarter: Quarter) -> dict[str, list[str]]:
        """For an activity with no minimum per person: each person the plan row's Who names, with the service's outstanding."""
        reviewers = [person for person in who_named(entry.who, self.admin.roster or [])
                     if person.start_date is None or person.start_date <= quarter.end]
        owed: dict[str, list[str]] = {}
        for text in _shares(assessment, keys, len(reviewers), f"people the QA plan names ({entry.who})", quarter):
            for person in reviewers:
                owed.setdefault(person.name, []).append(text)
        return owed

    def _issue_due(self, store: Store, today: dt.date) -> bool:
        """Issue each due form once. Restart-safe: what is about to be issued (its issue id and file) is recorded
        first; a pass after a crash finishes that one (records the file already written, or writes it) rather
        than issuing another."""
        from .issue import choose_spec

        issued_any = False
        for item in self.due_forms(store, today):
            entry = item.entry
            theme = entry.theme or None
            try:
                spec = choose_spec(self.catalogue, entry.form, theme)  # type: ignore[arg-type]
            except PipelineError:  # a theme with no form of its own and no theme box: the plain form
                spec, theme = self.catalogue.find(entry.form), None  # type: ignore[arg-type]
            key = f"issue:{item.quarter.label}:{spec.key}:{fold(item.person)}"
            if store.schedule_done(key) is not None:
                continue
            intent = store.schedule_done(f"intent:{key}")
            if intent is None and self._already_issued(store, item, spec):
                continue  # issued by hand ('qa issue') or before the schedule recorded intents
            try:
                path = self._issue_one(store, item, spec, theme, key, intent, today)
            except PipelineError as err:
                log.error("could not issue the %s form to %s for %s: %s", entry.activity, item.person, item.quarter, err)
                continue
            self.issued.append(path)
            issued_any = True
        return issued_any

    def _issue_one(self, store: Store, item: Due, spec, theme: str | None, key: str, intent: str | None,
                   today: dt.date) -> Path:
        from .issue import _issued_at, issue_form, new_issue_id
        from .store import IssuedForm
        from .templates import file_name
        from .workspace import unique_path

        root = self.workspace.root
        if intent is None:  # 1. say what is about to be issued, before anything is written
            folder = self.workspace.outbox / "issued" / item.quarter.label / person_folder(item.person)
            issue_id = new_issue_id(item.quarter.label, spec)
            path = unique_path(folder, file_name(spec, item.quarter.label, item.person, "", issue_id[-6:]))
            store.mark_schedule_done(f"intent:{key}", json.dumps({"issue_id": issue_id, "path": path.relative_to(root).as_posix()}))
            resumed = False
        else:
            recorded = json.loads(intent)
            issue_id, path, resumed = recorded["issue_id"], root / recorded["path"], True
        _step("intent", path)
        if not any(issued.issue_id == issue_id for issued in store.issued(item.quarter.label)):
            if path.exists():  # 2. written whole (issue_form writes beside and renames) before a crash: record it
                store.record_issue(IssuedForm(issue_id, spec.id, spec.variant, item.quarter.label, item.person, None,
                                              _issued_at(today), str(path)))
            else:
                issue_form(self.catalogue, store, item.entry.form, item.quarter.label, item.person, path.parent,  # type: ignore[arg-type]
                           theme, issued_on=today, issue_id=issue_id, path=path)
        _step("recorded", path)
        self._cover_note(path, item, spec.display_title, today)  # 3. the note (rewritten whole if a crash cut it short)
        _step("cover-note", path)
        store.mark_schedule_done(key, path.relative_to(root).as_posix())  # 4. done
        where = path.relative_to(root).as_posix()
        if resumed:
            log.info("issued %s to %s: %s (finished after an interruption)", spec.display_title, item.person, where)
        else:
            log.info("issued %s to %s: %s", spec.display_title, item.person, where)
        return path

    @staticmethod
    def _already_issued(store: Store, item: Due, spec) -> bool:
        """A form of this kind already issued to this person this quarter (by an earlier run or by hand)."""
        return any(issued.form == spec.id and (issued.variant or None) == spec.variant and fold(issued.assignee) == fold(item.person)
                   for issued in store.issued(item.quarter.label))

    def _cover_note(self, form: Path, item: Due, title: str, today: dt.date) -> None:
        entry = item.entry
        planned = f"the QA plan's week beginning {entry.week_beginning:%d/%m/%Y}" if entry.week_beginning \
            else f"the QA plan for {entry.month:%B %Y}"
        lines = [
            f"QA form to complete: {title}" + (f" (theme: {entry.theme})" if entry.theme and entry.theme not in title else ""),
            f"Quarter: {item.quarter.label} ({item.quarter.months})",
            f"For: {item.person}",
            f"Issued: {today:%d/%m/%Y}, for {planned}",
            "",
            "What is due",
            *[f"  - {line}" for line in item.owed],
            "",
            "How to return it",
            f"  Fill in {form.name} (beside this note), save it, and put it in the inbox folder on the QA share.",
            "  It is checked when it arrives. If something needs correcting, a note saying what appears beside it",
            "  in the rejected folder; correct the form and put it in the inbox again.",
        ]
        if entry.notes:
            lines += ["", f"From the QA plan: {entry.notes}"]
        note = form.with_name(f"{form.stem} - cover note.txt")
        temp = note.with_name(f".{note.name}.writing")
        temp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        temp.replace(note)

    # --- tracker, draft and final report ----------------------------------------------------------

    def _stamp(self) -> str:
        return dt.datetime.now().strftime("%d/%m/%Y %H:%M")

    def tracker_data(self, store: Store, quarter: Quarter, today: dt.date):
        from .compliance import assess_quarter
        from .report.tracker import TrackerData

        assessment = None
        if self.admin.roster is not None and self.admin.targets_usable():
            from .report.redact import Redactor

            names = Redactor.from_submissions(self.catalogue, store.submissions(include_replaced=True))
            assessment = assess_quarter(store, quarter, self.admin.roster, load_targets(self.workspace.targets_path),
                                        self.catalogue, names.name, plan=self.admin.plan, today=today)  # as qa status does
        plan = [entry for entry in self.admin.plan if entry.quarter == quarter]
        issued = store.issued(quarter.label)
        returned = store.returned_issue_ids()
        counts = {form: (sum(i.form == form for i in issued), sum(i.form == form and i.issue_id in returned for i in issued))
                  for form in {entry.form for entry in plan if entry.form}}
        return TrackerData(
            assessment=assessment, quarter=quarter.label, today=today, made_at=self._stamp(),
            plan=plan,
            issue_dates={index: issue_date(entry, self.config.issue_days_before)
                         for index, entry in enumerate(plan) if entry.form},
            issued_counts=counts,
            actions=self._actions(assessment, today, quarter) if assessment else [],
            admin_problems=self.admin.problem_rows(),
            report_date=report_date(self.admin.plan, quarter, self.config.report_days_before_dlt),
            titles={spec.key: spec.display_title for spec in self.catalogue},
        )

    def _actions(self, assessment, today: dt.date, quarter: Quarter):
        from .report import actions as ledger
        from .report.redact import Redactor

        redactor = Redactor.from_submissions(self.catalogue, assessment.everything)
        titles = {spec.key: spec.display_title for spec in self.catalogue}
        title = lambda s: titles.get(f"{s.form}/{s.variant}" if s.variant else s.form, s.form)  # noqa: E731
        clean = lambda value: redactor.name(str(value)) if value else ""  # noqa: E731
        found = ledger.collect_actions(assessment.to_date, title, clean, clean)
        register = ledger.read_register(self.workspace.root / "admin" / ledger.REGISTER_NAME)
        return ledger.build_ledger(found, quarter, today, register, "").all_actions

    def _tracker(self, store: Store, quarter: Quarter, today: dt.date) -> None:
        from .report.scheduled import put_in_place
        from .report.tracker import tracker_workbook

        try:
            content = tracker_workbook(self.tracker_data(store, quarter, today))
            path, blocked = put_in_place(self.workspace.outbox / quarter.label, TRACKER, content)
        except Exception:
            log.exception("the tracker for %s could not be written; trying again after the next file", quarter)
            return
        where = path.relative_to(self.workspace.root).as_posix()
        if blocked is not None:
            log.warning("%s is open (in Excel?), so the tracker was written to %s instead; close it and the next "
                        "update goes back to %s", blocked.relative_to(self.workspace.root).as_posix(), where, blocked.name)
        else:
            log.info("tracker updated: %s", where)

    def _draft(self, store: Store, quarter: Quarter, today: dt.date) -> None:
        from .report.scheduled import render_draft

        try:
            path, blocked = render_draft(self.workspace, self.catalogue, store, quarter, today, self._stamp(),
                                         report_date(self.admin.plan, quarter, self.config.report_days_before_dlt))
        except Exception as err:
            log.error("the draft report for %s could not be rendered (%s); trying again after the next file", quarter, err)
            return
        extra = f" ({blocked.name} is open, so it went beside it)" if blocked else ""
        log.info("draft report updated: %s%s", path.relative_to(self.workspace.root).as_posix(), extra)

    def _final(self, store: Store, quarter: Quarter, today: dt.date) -> None:
        from .report.scheduled import draft_name, final_name, render_final

        due = report_date(self.admin.plan, quarter, self.config.report_days_before_dlt)
        key = f"final:{quarter.label}"
        if not self.config.final_report or due is None or today < due or store.schedule_done(key) is not None:
            return
        if self._final_failed.get(key) == (today, self._loads):
            return
        out = self.workspace.outbox / quarter.label
        existing = out / final_name(quarter)
        if existing.exists():
            store.mark_schedule_done(key, str(existing.relative_to(self.workspace.root)))
            log.info("the report date for %s has come, and %s is already there: left as it is (run 'qa report' to "
                     "render it again)", quarter, existing.relative_to(self.workspace.root).as_posix())
            return
        try:
            paths = render_final(self.workspace, self.catalogue, store, quarter, today)
        except Exception as err:
            log.error("the final report for %s could not be rendered (%s); trying again tomorrow, or when a file in "
                      "admin/ changes", quarter, err)
            self._final_failed[key] = (today, self._loads)
            return
        store.mark_schedule_done(key, str(paths[0].relative_to(self.workspace.root)))
        draft = out / draft_name(quarter)
        if draft.exists():
            kept = out / "previous" / draft.name
            kept.parent.mkdir(parents=True, exist_ok=True)
            draft.replace(kept)
        drafts = [p for p in paths[2:]]
        log.info("final report for %s rendered: %s; action ledger %s; %d service-area drafts in %s", quarter,
                 paths[0].relative_to(self.workspace.root).as_posix(), paths[1].relative_to(self.workspace.root).as_posix(),
                 len(drafts), drafts[0].parent.relative_to(self.workspace.root).as_posix() if drafts else "-")
        self._changed_at = NOW

"""The QA admin's inputs: the staff roster and the QA plan (Excel), and where the targets come from."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import yaml

from .admin_xlsx import Column, read_sheet, write_sheet
from .errors import WorkspaceError, message
from .quarter import Quarter
from .roles import ROLE_ALIASES, ROLE_NAMES, Role, closest, fold, parse_role
from .targets import DEFAULT_TARGETS, Targets, load_targets

__all__ = [
    "ACTIVITIES", "ROLE_ALIASES", "Person", "PlanEntry", "Role", "RowProblems", "Targets", "example_plan", "example_roster",
    "load_targets", "parse_role", "plan_problems", "read_plan", "read_roster", "write_examples", "write_plan",
    "write_roster",
]

if TYPE_CHECKING:
    from .workspace import Workspace

EXAMPLES = Path(os.fspath(resources.files("pipeline") / "defaults" / "examples.yaml"))  # package data
ROSTER_SHEET = "Staff"
PLAN_SHEET = "Plan"
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")
_MONTH_FORMATS = ("%B %Y", "%b %Y", "%b-%y", "%B-%y", "%b %y", "%m/%Y", "%Y-%m")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


# QA activities a plan row can name, the form each is returned on (None: a meeting, not a form),
# and what admins write for them.
ACTIVITIES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "Dip sampling": ("dip_sample", ("dip sample", "dip")),
    "Thematic audit": ("thematic_audit", ("thematic", "audit")),
    "Collaborative case review": ("ccr", ("CCR", "collaborative case review (including observation)", "case review")),
    "Observation of practice": ("observation", ("observation", "observations", "observed practice")),
    "Supervision audit": ("supervision_audit", ("audit of supervision", "supervision")),
    "Head of Service summary": ("hos_summary", ("HoS summary", "report re routine audit", "routine audit report")),
    "Service area summary": ("service_summary", ("service summary", "area of service summary")),
    "Feedback from children and families": ("child_family_feedback", ("child and family feedback", "forum feedback")),
    "Feedback from staff": ("staff_feedback", ("staff feedback", "practitioners forum")),
    "DLT reporting": (None, ("DLT", "formal reporting", "DLT report", "reporting")),
    "Learning event": (None, ("learning",)),
}

_ACTIVITY_LOOKUP = {fold(alias): name for name, (_, aliases) in ACTIVITIES.items() for alias in (name, *aliases)}
ACTIVITY_NAMES = ", ".join(ACTIVITIES)


class RowProblems(WorkspaceError):
    """Some rows of a roster or plan are bad; the rest read cleanly (*good*, in row order).

    A caller that must have every row (qa status, qa init) treats it as any WorkspaceError; the
    watcher's schedule carries on with the good rows and reports the bad ones.
    """

    def __init__(self, text: str, good: list) -> None:
        super().__init__(text)
        self.good = good


@dataclass(frozen=True)
class Person:
    """One member of staff on the roster."""

    name: str
    role: Role
    team: str
    line_manager: str | None
    start_date: dt.date | None


@dataclass(frozen=True)
class PlanEntry:
    """One row of the QA plan (Appendices 7–8): an activity in a month, its theme, who and when."""

    month: dt.date  # the first day of the month
    week_beginning: dt.date | None
    activity: str  # a name from ACTIVITIES
    theme: str
    who: str
    dlt_date: dt.date | None
    learning_event: dt.date | None  # None: not yet set ('TBC')
    notes: str = ""
    slt_date: dt.date | None = None  # the SLT meeting the quarter's findings go to first (Appendix 8)
    row: int = field(default=0, compare=False)  # the row of the plan workbook it was read from (0: not read from one)

    @property
    def form(self) -> str | None:
        """The form this activity is returned on, or None for a meeting."""
        return ACTIVITIES[self.activity][0]

    @property
    def quarter(self) -> Quarter:
        """The financial-year quarter the month falls in."""
        return Quarter.containing(self.month)


# --- reading the Excel inputs --------------------------------------------------------------------

# Column id → (heading written by qa init, other headings accepted).
ROSTER_COLUMNS = {
    "name": ("Name", ("staff name", "full name")),
    "role": ("Role", ("job role", "job title")),
    "team": ("Team", ("service",)),
    "line_manager": ("Line manager", ("manager", "reports to", "line manager name")),
    "start_date": ("Start date", ("started", "date started", "start")),
}
PLAN_COLUMNS = {
    "month": ("Month", ()),
    "week_beginning": ("Week beginning", ("wk beg", "week beg", "wb", "dates", "date")),
    "activity": ("Activity", ()),
    "theme": ("Theme", ()),
    "who": ("Who", ("by", "led by", "auditors")),
    "dlt_date": ("DLT date", ("dlt",)),
    "slt_date": ("SLT date", ("slt",)),
    "learning_event": ("Learning event", ("learning event date", "learning")),
    "notes": ("Notes", ("comments",)),
}


def _display(path: Path) -> str:
    """'admin/roster.xlsx': enough of the path for an admin to find the file."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _rows(path: Path, sheet: str, columns: dict[str, tuple[str, tuple[str, ...]]],
          required: tuple[str, ...], merged_ok: bool = True) -> tuple[str, list[tuple[int, dict[str, object]]], bool]:
    """The sheet's name, its non-empty rows (row number, values by column id) and its date epoch."""
    try:
        read = read_sheet(path, sheet)
    except ValueError as err:
        raise WorkspaceError(message("unreadable", file=path.name, detail=err)) from err
    name, grid, epoch_1904 = read.name, read.rows, read.epoch_1904
    if read.merged and not merged_ok:
        # Only the first cell of a merged range holds its value: the rows below would read as empty.
        raise WorkspaceError("\n".join(message("merged_cells", file=path.name, sheet=name, cells=cells)
                                       for cells in sorted(read.merged, key=_cell_order)))
    found = [(number, row) for number, row in grid if any(_present(value) for value in row)]
    headings = ", ".join(heading for heading, _ in columns.values())
    if not found:
        raise WorkspaceError(message("no_rows", file=path.name, sheet=name, columns=headings))
    header_row, header = found[0]
    lookup = {fold(alias): key for key, (heading, aliases) in columns.items() for alias in (heading, *aliases)}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        key = lookup.get(fold(str(value or "")))
        if key and key not in positions:
            positions[key] = index
    missing = [columns[key][0] for key in required if key not in positions]
    if missing:
        raise WorkspaceError(message("missing_columns", file=path.name, sheet=name, row=header_row,
                                  missing=" or ".join(f"'{m}'" for m in missing), columns=headings))
    rows = [(number, {key: row[index] if index < len(row) else None for key, index in positions.items()})
            for number, row in found[1:]]
    return name, rows, epoch_1904


def _cell_order(cells: str) -> tuple[int, str]:
    match = re.match(r"([A-Z]+)(\d+)", cells)
    return (int(match[2]), match[1]) if match else (0, cells)


def _present(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _text(value: object) -> str:
    return " ".join(str(value).split()) if _present(value) else ""


def _date(value: object, epoch_1904: bool = False) -> dt.date | None:
    """A cell as a date; None when empty; ValueError when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not _present(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 200_000:
        # A date typed into a cell formatted as a number: Excel keeps its serial.
        return (dt.date(1904, 1, 1) if epoch_1904 else _EXCEL_EPOCH) + dt.timedelta(days=int(value))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def read_roster(path: Path) -> list[Person]:
    """The staff on the roster at *path*; WorkspaceError lists every bad row with its sheet, row and fix."""
    if not path.exists():
        raise WorkspaceError(message("missing_roster", file=_display(path)))
    sheet, rows, epoch_1904 = _rows(path, ROSTER_SHEET, ROSTER_COLUMNS, ("name", "role", "team", "line_manager"),
                                    merged_ok=False)
    problems: list[str] = []
    people: list[tuple[int, Person]] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        where = f"{path.name} · sheet '{sheet}' row {number}"
        name, role_text, team = _text(values["name"]), _text(values["role"]), _text(values["team"])
        manager = _text(values["line_manager"])
        role = parse_role(role_text)
        row_problems = []
        if not name:
            row_problems.append(message("empty_name", where=where))
        elif fold(name) in first_row:
            row_problems.append(message("duplicate_name", where=where, name=name, first=first_row[fold(name)]))
        else:
            first_row[fold(name)] = number
        if not role_text:
            row_problems.append(message("empty_role", where=where, roles=ROLE_NAMES))
        elif role is None:
            row_problems.append(message("bad_role", where=where, value=role_text, roles=ROLE_NAMES))
        # Senior leaders belong to the directorate rather than a team, so only they may leave it blank.
        if not team and role not in (Role.DCS, Role.AD):
            row_problems.append(message("empty_team", where=where))
        if not manager and role is not Role.DCS:
            row_problems.append(message("empty_manager", where=where))
        elif manager and name and fold(manager) == fold(name):
            row_problems.append(message("self_manager", where=where, name=name))
        try:
            start = _date(values.get("start_date"), epoch_1904)
        except ValueError:
            start = None
            row_problems.append(message("bad_date", where=where, column="Start date", value=_text(values["start_date"])))
        problems += row_problems
        if not row_problems:
            people.append((number, Person(name, role, team, manager or None, start)))  # type: ignore[arg-type]
    # Line managers are checked once every name is known: a manager may be listed below their staff.
    names = {fold(name): name for name in first_row} | {fold(p.name): p.name for _, p in people}
    for number, person in people:
        if person.line_manager and fold(person.line_manager) not in names:
            meant = closest(person.line_manager, names.values())
            problems.append(message("unknown_manager", where=f"{path.name} · sheet '{sheet}' row {number}",
                                    value=person.line_manager,
                                    hint=message("did_you_mean", suggestion=meant) if meant else ""))
    problems += _team_typos(people, f"{path.name} · sheet '{sheet}' row")
    if problems:
        raise RowProblems("\n".join(sorted(problems, key=_row_order)), [person for _, person in people])
    return [person for _, person in people]


def _team_typos(people: list[tuple[int, Person]], where: str) -> list[str]:
    """A team written on one row only that is a misspelling of a team several rows share ('Child protecton').

    Such a row would make a phantom team of one in `qa status` and the report. Names that differ in a
    number or a short word ('Assessment 1', 'Team East') are different teams, not misspellings.
    """
    members: dict[str, list[int]] = {}
    spelling: dict[str, str] = {}
    for number, person in people:
        if person.team:
            members.setdefault(fold(person.team), []).append(number)
            spelling.setdefault(fold(person.team), person.team)
    shared = {key: rows for key, rows in members.items() if len(rows) > 1}
    problems = []
    for key, rows in members.items():
        if len(rows) != 1:
            continue
        meant = next((other for other in shared if _misspelt(key, other)), None)
        if meant is not None:
            problems.append(message("team_typo", where=f"{where} {rows[0]}", value=spelling[key],
                                    suggestion=spelling[meant], count=len(shared[meant])))
    return problems


def _misspelt(typed: str, team: str) -> bool:
    """Whether *typed* is *team* with a typing slip in one or more of its longer words (or in its spacing)."""
    if typed.replace(" ", "") == team.replace(" ", ""):
        return True
    words, other = typed.split(), team.split()
    if len(words) != len(other):
        return False
    changed = [(a, b) for a, b in zip(words, other) if a != b]
    return bool(changed) and all(
        len(a) >= 5 and len(b) >= 5 and not (a.isdigit() or b.isdigit()) and closest(a, [b], cutoff=0.8) == b
        for a, b in changed)


def _row_order(problem: str) -> int:
    match = re.search(r" row (\d+):", problem)
    return int(match[1]) if match else 0


def read_plan(path: Path) -> list[PlanEntry]:
    """The QA plan at *path*, in row order; WorkspaceError lists every bad row with its sheet, row and fix."""
    entries, problems = read_plan_rows(path)
    if problems:
        raise RowProblems("\n".join(problems), entries)  # the good rows, for the watcher's schedule
    return entries


def read_plan_rows(path: Path) -> tuple[list[PlanEntry], list[str]]:
    """The rows of the QA plan at *path* that can be read, and a problem (with a did-you-mean) for each that cannot.

    WorkspaceError only when the plan as a whole cannot be read (no such file, no sheet, no headings)."""
    if not path.exists():
        raise WorkspaceError(message("missing_plan", file=_display(path)))
    sheet, rows, epoch_1904 = _rows(path, PLAN_SHEET, PLAN_COLUMNS, ("month", "activity"))
    problems: list[str] = []
    entries: list[PlanEntry] = []
    previous_month: dt.date | None = None
    for number, values in rows:
        where = f"{path.name} · sheet '{sheet}' row {number}"
        row_problems: list[str] = []
        dates: dict[str, dt.date | None] = {}
        for key in ("week_beginning", "dlt_date", "learning_event", "slt_date"):
            raw = values.get(key)
            if fold(_text(raw)) in ("tbc", "tba", "na"):
                raw = None  # 'TBC' is how the plan says a date is not yet set
            try:
                dates[key] = _date(raw, epoch_1904)
            except ValueError:
                dates[key] = None
                row_problems.append(message("bad_date", where=where, column=PLAN_COLUMNS[key][0], value=_text(raw)))
        month = _month(values["month"], dates["week_beginning"], previous_month, epoch_1904)
        if month is None:
            key = "bad_month" if _present(values["month"]) else "empty_month"
            row_problems.append(message(key, where=where, value=_text(values["month"])))
        activity_text = _text(values["activity"])
        activity = _ACTIVITY_LOOKUP.get(fold(activity_text))
        if not activity_text:
            row_problems.append(message("empty_activity", where=where, activities=ACTIVITY_NAMES))
        elif activity is None:
            meant = closest(activity_text, _ACTIVITY_LOOKUP, cutoff=0.8)
            hint = message("did_you_mean", suggestion=_ACTIVITY_LOOKUP[fold(meant)]) if meant else ""
            row_problems.append(message("bad_activity", where=where, value=activity_text, hint=hint,
                                        activities=ACTIVITY_NAMES))
        problems += row_problems
        previous_month = month or previous_month
        if not row_problems:
            entries.append(PlanEntry(
                month=month, week_beginning=dates["week_beginning"], activity=activity,  # type: ignore[arg-type]
                theme=_text(values.get("theme")), who=_text(values.get("who")), dlt_date=dates["dlt_date"],
                learning_event=dates["learning_event"], notes=_text(values.get("notes")),
                slt_date=dates.get("slt_date"), row=number,
            ))
    return entries, problems


def plan_problems(path: Path) -> list[str]:
    """Every problem in the QA plan at *path* (none when there is no plan: it is optional)."""
    if not path.exists():
        return []
    try:
        read_plan(path)
    except WorkspaceError as err:
        return str(err).splitlines()
    return []


def _month(value: object, week_beginning: dt.date | None, previous: dt.date | None, epoch_1904: bool) -> dt.date | None:
    """The first day of the month a plan row names; a blank month continues the row above."""
    if not _present(value):
        return previous
    try:
        day = _date(value, epoch_1904)
    except ValueError:
        day = None
    if day is None:
        text = _text(value)
        for fmt in _MONTH_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if day is not None:
        return day.replace(day=1)
    # 'OCT' as in the framework's plans: take the year from the week beginning or the row above.
    number = _month_number(_text(value))
    if number is None:
        return None
    anchor = week_beginning or previous
    if anchor is None:
        return None
    candidates = [dt.date(anchor.year + offset, number, 1) for offset in (-1, 0, 1)]
    if week_beginning:
        return min(candidates, key=lambda c: abs((c - week_beginning.replace(day=1)).days))
    return min(c for c in candidates if c >= anchor)


def _month_number(text: str) -> int | None:
    word = fold(text)[:3]
    for number in range(1, 13):
        if dt.date(2000, number, 1).strftime("%b").casefold() == word and word:
            return number
    return None


# --- examples for a new workspace ----------------------------------------------------------------


def example_roster() -> list[Person]:
    """The fictional 40-strong staff roster `qa init` writes (also used by the demo)."""
    rows = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))["roster"]
    return [Person(name, Role(role), team, manager or None, start) for name, role, team, manager, start in rows]


def example_plan() -> list[PlanEntry]:
    """The example QA plan for 2022-23 (Q3 and Q4 as in the framework's Appendices 7–8)."""
    rows = yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))["plan"]
    return [PlanEntry(month=row["month"], week_beginning=row.get("week_beginning"), activity=row["activity"],
                      theme=row.get("theme", ""), who=row.get("who", ""), dlt_date=row.get("dlt_date"),
                      learning_event=row.get("learning_event"), notes=row.get("notes", ""),
                      slt_date=row.get("slt_date")) for row in rows]


ROSTER_GUIDE = [
    "Staff roster",
    "One row per member of staff. `qa status` and the DLT report read this sheet to work out who owes which QA activity.",
    "Name: as the person writes it on the QA forms (observer, auditor, completed by). Each name appears once.",
    f"Role: choose from the list: {ROLE_NAMES}. Abbreviations such as SW, TM and HoS are understood.",
    "Team: the team or service they work in. The DCS and AD may leave it blank.",
    "Line manager: their line manager's name exactly as in the Name column. Only the DCS has none.",
    "Start date: dd/mm/yyyy. People who start after a quarter ends are not expected to do, or be part of, that quarter's QA.",
    "Remove people who have left. Add new starters when they join.",
]
PLAN_GUIDE = [
    "QA plan for the year",
    "One row per planned activity, as in the framework's Appendices 7 and 8.",
    "Month: the month and year (e.g. October 2022). Leave it blank to continue the month of the row above.",
    f"Activity: choose from the list: {ACTIVITY_NAMES}.",
    "Theme: for dip samples and thematic audits, the theme (use the same words as the themed form).",
    "Who: who takes part, e.g. HoS / TM / Independent auditor.",
    "Week beginning, DLT date, Learning event, SLT date: dd/mm/yyyy; leave blank or write TBC if not yet set.",
    "SLT date, DLT date: the meetings the quarter's findings go to. Returns are due a set number of days before the first "
    "of them after the quarter ends (admin/targets.yaml: deadlines).",
    "Notes: anything else, e.g. 'Managers to book 11 October'.",
]


def write_roster(path: Path, people: list[Person], emails: dict[str, str] | None = None) -> None:
    """Write *people* as an admin's roster workbook at *path* (with an Email column when *emails* are given by name)."""
    columns = [
        Column("Name", 24),
        Column("Role", 22, "choice", tuple(role.value for role in Role), "Choose the person's role from the list."),
        Column("Team", 36),
        Column("Line manager", 24, "name", prompt="As written in the Name column. Only the DCS has none."),
        Column("Start date", 13, "date"),
    ]
    rows = [[p.name, p.role.value, p.team, p.line_manager, p.start_date] for p in people]
    if emails is not None:  # optional: where qa remind and the watcher's receipts send to
        columns.append(Column("Email", 32, prompt="Their work email address, for reminders and receipts."))
        rows = [[*row, emails.get(p.name)] for row, p in zip(rows, people)]
    write_sheet(path, ROSTER_SHEET, columns, rows, ROSTER_GUIDE)  # type: ignore[arg-type]


def write_plan(path: Path, entries: list[PlanEntry]) -> None:
    """Write *entries* as an admin's QA plan workbook at *path*."""
    columns = [
        Column("Month", 15, "month"),
        Column("Week beginning", 15, "date"),
        Column("Activity", 28, "choice", tuple(ACTIVITIES), "Choose the QA activity from the list."),
        Column("Theme", 34, "long"),
        Column("Who", 30, "long"),
        Column("DLT date", 12, "date"),
        Column("Learning event", 15, "date"),
        Column("Notes", 50, "long"),
        Column("SLT date", 12, "date"),
    ]
    rows = [[e.month, e.week_beginning, e.activity, e.theme, e.who, e.dlt_date, e.learning_event, e.notes, e.slt_date]
            for e in entries]
    write_sheet(path, PLAN_SHEET, columns, rows, PLAN_GUIDE)  # type: ignore[arg-type]


def write_examples(workspace: Workspace) -> list[Path]:
    """Write the example roster, plan and targets into *workspace*/admin; never overwrite; return what was written."""
    writers: list[tuple[Path, Callable[[Path], None]]] = [
        (workspace.roster_path, lambda path: write_roster(path, example_roster())),
        (workspace.plan_path, lambda path: write_plan(path, example_plan())),
        (workspace.targets_path, lambda path: shutil.copyfile(DEFAULT_TARGETS, path)),
    ]
    written = []
    for path, write in writers:
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
        written.append(path)
    return written

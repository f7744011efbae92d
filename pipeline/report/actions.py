"""The action ledger: every action raised by a QA return, carried across quarters until completed.

How completion is known: each report writes ``outbox/<Q>/action-ledger-<Q>.xlsx`` listing every
action with a stable reference and a "Completed on" column. The QA admin records completions in
that workbook (owners tell them, or a later audit confirms it) and saves it as
``admin/action-updates.xlsx`` in the workspace; the next report reads it. An action counts as
completed at the report's as-at date when its "Completed on" date is on or before that date (or
just says "Yes"/"Done"). Forms carry no completion field, so the register is the one source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError
from ..quarter import Quarter
from ..store import StoredSubmission

REGISTER_NAME = "action-updates.xlsx"
PREFIXES = {"ccr": "CCR", "supervision_audit": "SUP", "dip_sample": "DIP", "thematic_audit": "THM",
            "hos_summary": "HOS", "service_summary": "SVC", "supervision_dip_sample": "ASY"}
DONE_WORDS = {"yes", "y", "done", "complete", "completed", "closed"}
LEDGER_COLUMNS = ("Ref", "Raised in", "Source", "Child ID", "Team", "Action", "Owner", "Due date", "Status", "Completed on", "Update")


@dataclass
class Action:
    """One action from a QA return, with its status at the report's as-at date."""

    ref: str
    raised_in: str
    source: str
    child_id: str
    team: str
    action: str
    owner: str
    due: str  # ISO date, or "" when none was given
    raised_by: str
    file: str
    status: str = "open"  # open | overdue | completed
    completed_on: str = ""  # ISO date, "" if not completed or date unknown
    days_overdue: int | None = None


@dataclass
class OwnerLine:
    """Open and overdue actions held by one owner."""

    owner: str
    open: int
    overdue: int


@dataclass
class ActionLedger:
    """Actions raised this quarter, carried from earlier ones, open, overdue and completed."""

    as_of: str
    register: str
    raised: int
    carried_forward: int
    completed: int
    open: int
    overdue: int
    no_due_date: int
    raised_this_quarter: list[Action] = field(default_factory=list)
    open_actions: list[Action] = field(default_factory=list)
    overdue_actions: list[Action] = field(default_factory=list)
    completed_actions: list[Action] = field(default_factory=list)
    by_owner: list[OwnerLine] = field(default_factory=list)
    all_actions: list[Action] = field(default_factory=list)  # what the ledger workbook lists


@dataclass(frozen=True)
class Completion:
    """A completion recorded in the register: on a date, or on an unknown date."""

    on: dt.date | None


def action_ref(submission: StoredSubmission, row: dict, index: int) -> str:
    """A reference that stays the same every time the report is rendered: 'CCR-22Q3-1A2B3C'."""
    quarter = submission.quarter or ""
    key = "|".join(
        str(part)
        for part in (
            submission.form,
            submission.variant or "",
            quarter,
            submission.child_id or row.get("child_id") or "",
            submission.answer("supervisee") or "",
            (submission.author or "").casefold(),
            " ".join(str(row.get("action") or "").split()).casefold(),
            row.get("owner") or "",
            row.get("due_date") or "",
            index,
        )
    )
    digest = hashlib.blake2s(key.encode("utf-8"), digest_size=3).hexdigest().upper()
    prefix = PREFIXES.get(submission.form, submission.form[:3].upper())
    short = f"{quarter[2:4]}{quarter[-2:]}" if len(quarter) == 10 else "NA"
    return f"{prefix}-{short}-{digest}"


def collect_actions(
    submissions: Iterable[StoredSubmission],
    title: Callable[[StoredSubmission], str],
    clean: Callable[[object], str],
    text: Callable[[object], str],
) -> list[Action]:
    """Every row with an action (a column with role action), from any repeat group ('actions' on CCRs, supervision
    audits and their ASYE dip samples, and the action needed on HoS and service summaries; 'children' on dip samples
    and thematic audits); rows are keyed by role."""
    actions = []
    for submission in submissions:
        for _, rows in submission.all_rows():
            for index, row in enumerate(rows):
                if not str(row.get("action") or "").strip():
                    continue
                actions.append(
                    Action(
                        ref=action_ref(submission, row, index),
                        raised_in=submission.quarter or "",
                        source=title(submission),
                        child_id=clean(row.get("child_id") or submission.child_id),
                        team=clean(row.get("team") or submission.answer("team")),
                        action=text(row.get("action")).strip("\n"),
                        owner=clean(row.get("owner")) or "No owner given",
                        due=str(row.get("due_date") or ""),
                        raised_by=clean(submission.author),
                        file=clean(submission.file),
                    )
                )
    return actions


def build_ledger(
    actions: list[Action], quarter: Quarter, as_of: dt.date, completions: dict[str, Completion], register: str
) -> ActionLedger:
    """Status of every action at *as_of*; those completed before *quarter* began drop off the ledger."""
    kept: list[Action] = []
    for action in actions:
        done = completions.get(action.ref)
        if done is not None and (done.on is None or done.on <= as_of):
            if done.on is not None and done.on < quarter.start and action.raised_in != quarter.label:
                continue  # closed in an earlier quarter: reported then
            action.status, action.completed_on = "completed", done.on.isoformat() if done.on else ""
        elif action.due and dt.date.fromisoformat(action.due) < as_of:
            action.status = "overdue"
            action.days_overdue = (as_of - dt.date.fromisoformat(action.due)).days
        else:
            action.status = "open"
        kept.append(action)
    by_due = sorted(kept, key=lambda a: (a.due or "9999", a.ref))
    raised = [a for a in by_due if a.raised_in == quarter.label]
    carried = [a for a in by_due if a.raised_in != quarter.label]
    open_actions = [a for a in by_due if a.status in ("open", "overdue")]
    overdue = [a for a in by_due if a.status == "overdue"]
    completed = [a for a in by_due if a.status == "completed"]
    owners: dict[str, OwnerLine] = {}
    for action in open_actions:
        line = owners.setdefault(action.owner, OwnerLine(action.owner, 0, 0))
        line.open += 1
        line.overdue += action.status == "overdue"
    return ActionLedger(
        as_of=as_of.isoformat(),
        register=register,
        raised=len(raised),
        carried_forward=len(carried),
        completed=len(completed),
        open=len(open_actions),
        overdue=len(overdue),
        no_due_date=sum(1 for a in open_actions if not a.due),
        raised_this_quarter=raised,
        open_actions=open_actions,
        overdue_actions=overdue,
        completed_actions=completed,
        by_owner=sorted(owners.values(), key=lambda o: (-o.overdue, -o.open, o.owner.casefold())),
        all_actions=by_due,
    )


def read_register(path: Path) -> dict[str, Completion]:
    """Completions recorded in the QA admin's register (a saved action-ledger workbook)."""
    if not path.is_file():
        return {}
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as err:  # a damaged or half-saved workbook: say so, and which file
        raise ReportError(
            f"{path}: the action register could not be opened ({type(err).__name__}). "
            "Open it in Excel, save it again as .xlsx, and re-run the report."
        ) from err
    completions: dict[str, Completion] = {}
    try:
        for sheet in workbook.worksheets:
            columns: dict[str, int] | None = None
            for row in sheet.iter_rows(values_only=True):
                cells = [str(c).strip() if c is not None else "" for c in row]
                if columns is None:
                    lowered = [c.casefold() for c in cells]
                    if "ref" in lowered and "completed on" in lowered:
                        columns = {"ref": lowered.index("ref"), "done": lowered.index("completed on")}
                    continue
                ref = cells[columns["ref"]] if columns["ref"] < len(cells) else ""
                raw = row[columns["done"]] if columns["done"] < len(row) else None
                done = _completion(raw)
                if ref and done is not None:
                    completions[ref] = done
    finally:
        workbook.close()
    return completions


def _completion(value: object) -> Completion | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return Completion(value.date())
    if isinstance(value, dt.date):
        return Completion(value)
    text = str(value).strip()
    if text.casefold() in DONE_WORDS:
        return Completion(None)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return Completion(dt.datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    return None  # an update note in the wrong column is not a completion


def ledger_workbook(ledger: ActionLedger) -> bytes:
    """The ledger as an Excel workbook the QA admin updates and saves as admin/action-updates.xlsx."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    # Write-only mode: a year's ledger runs to thousands of rows, and this is several times faster.
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    for index, width in enumerate((16, 11, 28, 11, 18, 60, 20, 12, 11, 14, 40), 1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    header = []
    for title in LEDGER_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = header_font, header_fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for action in ledger.all_actions:
        text = WriteOnlyCell(sheet, value=action.action)
        text.alignment = wrap
        due = _date_cell(sheet, action.due)
        done = _date_cell(sheet, action.completed_on) if action.completed_on else ("Yes" if action.status == "completed" else None)
        sheet.append(
            [
                action.ref,
                action.raised_in,
                action.source,
                action.child_id,
                action.team,
                text,
                action.owner,
                due,
                action.status.capitalize(),
                done,
                None,
            ]
        )
    if ledger.all_actions:
        table = Table(displayName="Actions", ref=f"A1:K{len(ledger.all_actions) + 1}")
        table.tableColumns = [TableColumn(id=index, name=title) for index, title in enumerate(LEDGER_COLUMNS, 1)]
        table.autoFilter = AutoFilter(ref=table.ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        with warnings.catch_warnings():
            # openpyxl warns on every write-only table; the columns are added just above, as it asks.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
            sheet.add_table(table)
    notes = workbook.create_sheet("How to use")
    notes.column_dimensions["A"].width = 120
    for line in (
        "Record completed actions in this workbook, then save it as admin/action-updates.xlsx in the QA workspace.",
        "Type the date each action was completed in the 'Completed on' column (dd/mm/yyyy), or 'Yes' if the date is not known.",
        "Keep the Ref column as it is: it is how the next report recognises each action.",
        f"Status is as at {ledger.as_of}. Overdue = due before that date and not completed.",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _date_cell(sheet, iso: str):
    from openpyxl.cell import WriteOnlyCell

    if not iso:
        return None
    cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(iso))
    cell.number_format = "DD/MM/YYYY"
    return cell


def write_register(path: Path, completions: dict[str, dt.date]) -> None:
    """Save completions as the register `read_register` reads (what the QA admin's saved ledger holds)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    sheet.append(["Ref", "Completed on"])
    for ref, done in sorted(completions.items()):
        sheet.append([ref, done])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)

"""The tracker: one Excel workbook per quarter that `qa watch` keeps current in outbox/<quarter>/tracker.xlsx.

Every figure comes from the quarter's one assessment (the one `qa status` prints); this module only
lays it out. Private by construction: people are staff named on the roster, children appear by
their ID only, files by their S-/R- reference (never the name a person typed), rejections by their
public reasons, and actions by reference, owner and dates, never their free text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..admin import PlanEntry
from ..compliance import Assessment
from .actions import Action

RAG_FILLS = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top")


@dataclass
class TrackerData:
    """What the tracker shows besides the assessment: the plan, actions, admin problems, and when."""

    assessment: Assessment | None
    quarter: str
    today: dt.date
    made_at: str
    plan: list[PlanEntry] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    admin_problems: list[tuple[str, str]] = field(default_factory=list)  # (problem, what the watcher does meanwhile)
    report_date: dt.date | None = None
    issue_dates: dict[int, dt.date] = field(default_factory=dict)  # plan row index → the day its forms are issued
    issued_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # form → (issued, returned) this quarter
    titles: dict[str, str] = field(default_factory=dict)  # 'dip_sample/networks_contingency' → the form's title

    def title(self, form: str | None, variant: str | None = None) -> str:
        """A form as staff know it ('Dip sample: Networks and contingency planning'), not its id."""
        if not form:
            return "form not identified"
        key = f"{form}/{variant}" if variant else form
        return self.titles.get(key) or self.titles.get(form) or key


def _day(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def tracker_workbook(data: TrackerData) -> bytes:
    """The tracker as .xlsx bytes."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    _summary(summary, data)
    if data.assessment is not None:
        result = data.assessment.compliance
        _table(book.create_sheet("Activity"), ["Activity", "Framework", "Counted over", "Planned (week beginning)",
                                                "Minimum", "Received", "Counted", "Rejected", "Outstanding", "RAG",
                                                "What this means"],
               [[line.activity, line.section, line.span, _planned(data.plan, line.form), line.minimum, line.received,
                 line.counted, line.rejected, line.outstanding, line.rag, line.explanation] for line in result.activities],
               widths=[42, 11, 23, 22, 9, 9, 9, 9, 12, 8, 62], rag_column=10)
        _table(book.create_sheet("People"), ["Person", "Role", "Team", "Activity", "For whom", "Owed", "Received",
                                              "Outstanding", "Due", "Late", "RAG", "What this means"],
               [[line.person, line.role, line.team, line.activity, line.subject or "", line.required, line.done,
                 line.outstanding, line.due, "Late" if line.outstanding and line.due < data.today else "",
                 line.rag, line.explanation] for line in result.people],
               widths=[20, 18, 36, 28, 20, 7, 9, 12, 11, 6, 8, 60], rag_column=11, date_columns={9})
        _table(book.create_sheet("Unreturned"), ["Issue ID", "Form", "Issued to", "Child ID", "Issued on", "Days out"],
               [[i.issue_id, data.title(i.form, i.variant), i.assignee, i.child_id or "",
                 _day(i.issued_at), _days_out(_day(i.issued_at), data.today)]
                for i in result.unreturned],
               widths=[34, 44, 22, 11, 12, 9], date_columns={5})
        _table(book.create_sheet("Rejected"), ["Reference", "Form", "Rejected on", "Status", "Resolved by",
                                                "Resolved on", "Why it was rejected"],
               [[r.ref, data.title(r.form), _day(r.at), "Resolved" if r.resolved else "Outstanding",
                 r.resolved_by or "", _day(r.resolved_at), "\n".join(r.reasons)] for r in data.assessment.rejections],
               widths=[11, 40, 12, 12, 12, 12, 80], date_columns={3, 6},
               rag_column=4, rag_map={"Resolved": "Green", "Outstanding": "Red"})
        _table(book.create_sheet("Actions"), ["Reference", "Raised in", "Source", "Child ID", "Team", "Owner",
                                               "Due", "Status", "Days overdue"],
               [[a.ref, a.raised_in, a.source, a.child_id, a.team, a.owner, _day(a.due), a.status.capitalize(),
                 a.days_overdue or ""] for a in data.actions if a.status in ("open", "overdue")],
               widths=[18, 11, 40, 12, 38, 22, 11, 10, 9], date_columns={7},
               rag_column=8, rag_map={"Overdue": "Red", "Open": "Amber"})
    if data.plan:
        _table(book.create_sheet("Plan"), ["Month", "Week beginning", "Activity", "Theme", "Who", "Forms issued on",
                                            "Issued this quarter (this form)", "Returned this quarter (this form)"],
               [[entry.month.strftime("%B %Y"), entry.week_beginning, entry.activity, entry.theme, entry.who,
                 data.issue_dates.get(index), *data.issued_counts.get(entry.form or "", ("", ""))]
                for index, entry in enumerate(data.plan)],
               widths=[15, 15, 28, 36, 42, 15, 15, 15], date_columns={2, 6})
    _table(book.create_sheet("Admin problems"), ["Problem in admin/ (fix it in the file named; the tracker updates itself)",
                                                  "Meanwhile"],
           [[problem, done] for problem, done in data.admin_problems]
           or [["None: the roster, plan and targets read cleanly.", ""]],
           widths=[110, 40])
    for sheet in book.worksheets:
        _printable(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _lines_needed(value: object, width: int) -> int:
    """Lines *value* takes in a wrapped column *width* characters wide (a little generous)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1, int(width * 1.2))
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def _printable(sheet: Worksheet) -> None:
    """Printed (or made a PDF) landscape, as wide as the page, the heading row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.title != "Summary":
        sheet.print_title_rows = "1:1"


def _days_out(issued: dt.date | None, today: dt.date) -> int | str:
    """Days since a form was issued (blank when it is dated after the schedule's date, as in a rehearsal)."""
    return (today - issued).days if issued and issued <= today else ""


def _planned(plan: Sequence[PlanEntry], form: str) -> str:
    weeks = sorted({entry.week_beginning or entry.month for entry in plan if entry.form == form})
    return ", ".join(day.strftime("%d/%m/%Y") for day in weeks)


def _summary(sheet: Worksheet, data: TrackerData) -> None:
    sheet["A1"] = f"QA tracker: {data.quarter}"
    sheet["A1"].font = TITLE_FONT
    rows: list[tuple[str, object]] = [("Updated", data.made_at), ("Schedule date", data.today)]
    if data.report_date:
        rows.append(("Final report is rendered on", data.report_date))
    if data.assessment is None:
        rows.append(("Figures", "Not available: admin/ has a problem the watcher cannot work round (see 'Admin problems')."))
    else:
        result = data.assessment.compliance
        rag, people = result.activity_rag, result.people_rag
        rejected = data.assessment.rejected
        rows += [
            ("Months", result.months),
            ("Returns received", len(data.assessment.submissions)),
            ("Activities Green / Amber / Red", f"{rag.green} / {rag.amber} / {rag.red}"),
            ("Obligations outstanding Green / Amber / Red", f"{people.green} / {people.amber} / {people.red}"),
            ("Issued forms not yet returned", len(result.unreturned)),
            ("Rejected files (resolved / outstanding)", f"{rejected.total} ({rejected.resolved} / {rejected.outstanding})"),
            ("Open actions (overdue)", f"{sum(a.status in ('open', 'overdue') for a in data.actions)} "
                                       f"({sum(a.status == 'overdue' for a in data.actions)})"),
        ]
    rows.append(("Problems in admin/", len(data.admin_problems)))
    for index, (label, value) in enumerate(rows, start=3):
        sheet.cell(index, 1, label).font = Font(bold=True)
        cell = sheet.cell(index, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "DD/MM/YYYY"
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
    note = len(rows) + 4
    sheet.cell(note, 1, "Each tab has filters on its headings. Figures are the ones 'qa status' shows; files are named by "
                        "their reference (S- a return, R- a rejected file): 'qa status --files' says which file is which.")
    sheet.cell(note, 1).alignment = WRAP
    sheet.merge_cells(start_row=note, start_column=1, end_row=note, end_column=2)
    sheet.row_dimensions[note].height = 45
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 60


def _table(sheet: Worksheet, headings: list[str], rows: list[list[object]], *, widths: list[int],
           rag_column: int | None = None, rag_map: dict[str, str] | None = None, date_columns: set[int] = frozenset()) -> None:
    """Headings (bold, filled, frozen, filtered), one row per item, RAG fills, readable widths."""
    sheet.append(headings)
    for cell in sheet[1]:
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        lines = max(_lines_needed(cell.value, widths[cell.column - 1]) for cell in row)
        if lines > 1:  # Excel and LibreOffice do not grow a row for wrapped text they did not lay out themselves
            sheet.row_dimensions[row[0].row].height = 13 * lines + 2
        for cell in row:
            if cell.column in date_columns or isinstance(cell.value, (int, float, dt.date)):
                cell.alignment = CENTRE  # a number or date set right against the next column's text reads as one
            else:
                cell.alignment = WRAP if widths[cell.column - 1] >= 40 else TOP
            if cell.column in date_columns:
                cell.number_format = "DD/MM/YYYY"
        if rag_column:
            cell = row[rag_column - 1]
            colour = RAG_FILLS.get((rag_map or {}).get(str(cell.value), str(cell.value)))
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{max(1, len(rows) + 1)}"
    heading_lines = max(_lines_needed(heading, int(width / 1.3)) for heading, width in zip(headings, widths))  # bold
    sheet.row_dimensions[1].height = max(30, 14 * heading_lines + 4)

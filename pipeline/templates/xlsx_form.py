"""Build an Excel (.xlsx) form from its spec: named header cells, one validated table, hidden choice lists."""

from __future__ import annotations

import datetime as dt
import io
import math

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import absolute_coordinate
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..formfile.names import FORM_SHEET, LISTS_SHEET, column_name, excel_name, form_properties
from ..spec.model import Field, FormSpec, Group

DATE_FORMAT = "dd/mm/yyyy"
TABLE_STYLE = "TableStyleMedium2"

# Column widths (Excel character units) for fields whose spec gives none.
_DEFAULT_WIDTHS = {"long_text": 36, "date": 12, "number": 10, "yes_no": 10, "quarter": 12}
_LABEL_WIDTH = (20, 30)  # the label column's least and greatest width
_INPUT_WIDTH = {"short": 40, "long": 70}  # how wide a header input box should be, at least

_DARK = "1F4E79"
_FONT = "Calibri"  # Excel's own default, named so other programs substitute a look-alike
_TEXT_FONT = Font(name=_FONT, size=11)
_TITLE_FONT = Font(name=_FONT, size=16, bold=True, color="FFFFFF")
_TITLE_FILL = PatternFill("solid", fgColor=_DARK)
_SUBTITLE_FONT = Font(name=_FONT, size=9, color="D9E1F2")
_SECTION_FONT = Font(name=_FONT, size=12, bold=True, color=_DARK)
_SECTION_BORDER = Border(bottom=Side(style="medium", color=_DARK))
_LABEL_FONT = Font(name=_FONT, size=11, bold=True)
_LABEL_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_NOTE_FONT = Font(name=_FONT, size=9, italic=True, color="595959")
_HEADER_FONT = Font(name=_FONT, size=11, bold=True, color="FFFFFF")
# Set on the cells as well as by the table style, so the form looks the same where table styles
# are not drawn (LibreOffice, print previews, other spreadsheet programs).
_HEADER_FILL = PatternFill("solid", fgColor=_DARK)
_LIGHT = Side(style="thin", color="BFBFBF")
_BODY_BORDER = Border(left=_LIGHT, right=_LIGHT, top=_LIGHT, bottom=_LIGHT)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")
_WRAP_MIDDLE = Alignment(wrap_text=True, vertical="center", horizontal="left")
_WRAP_CENTRE = Alignment(wrap_text=True, vertical="center")
_UNLOCKED = Protection(locked=False)

_HINTS = {
    "date": "Enter a date as dd/mm/yyyy.",
    "number": "Enter a whole number.",
    "choice": "Choose from the list.",
    "grade": "Choose a grade from the list.",
    "yes_no": "Choose Yes or No.",
    "quarter": "Write the quarter as 2022-23-Q3.",
}


def build_xlsx(
    spec: FormSpec,
    values: dict[str, object] | None = None,
    rows: list[dict[str, object]] | None = None,
    issue_id: str | None = None,
) -> bytes:
    """Return the .xlsx bytes of *spec*'s form, blank or filled with header *values* and table *rows*."""
    groups = list(spec.groups())
    if spec.format != "xlsx" or len(groups) != 1:
        raise ValueError(f"{spec.key}: an Excel form needs format: xlsx and exactly one repeat group.")
    group = groups[0]
    values = values or {}
    rows = rows or []
    _check_keys(spec, group, values, rows)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = FORM_SHEET
    lists = workbook.create_sheet(LISTS_SHEET)
    builder = _FormBuilder(workbook, sheet, lists, spec, group)
    builder.build(values, rows, issue_id)

    _set_properties(workbook, spec, issue_id)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _check_keys(spec: FormSpec, group: Group, values: dict[str, object], rows: list[dict[str, object]]) -> None:
    # A misspelt key would otherwise leave a pre-filled copy silently blank.
    known = {item.id for item in spec.fields()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{spec.key}: no header field {', '.join(unknown)}. Fields: {', '.join(sorted(known))}.")
    columns = {item.id for item in group.fields}
    for number, row in enumerate(rows, 1):
        extra = sorted(set(row) - columns)
        if extra:
            raise ValueError(f"{spec.key}: row {number} names no column {', '.join(extra)} of '{group.id}'.")


def _set_properties(workbook: Workbook, spec: FormSpec, issue_id: str | None) -> None:
    workbook.properties.title = spec.display_title
    workbook.properties.creator = "QA pipeline"
    for name, value in form_properties(spec.id, spec.version, spec.variant, issue_id).items():
        workbook.custom_doc_props.append(StringProperty(name=name, value=value))


class _FormBuilder:
    """Lays out one form sheet top to bottom, keeping the next free row."""

    def __init__(self, workbook: Workbook, sheet: Worksheet, lists: Worksheet, spec: FormSpec, group: Group) -> None:
        self.workbook = workbook
        self.sheet = sheet
        self.lists = lists
        self.spec = spec
        self.group = group
        self.table_cols = len(group.fields)
        # The header block shares the table's columns: A holds labels, B onwards the answer boxes.
        # A table of one or two columns gets spare columns so the boxes still have room.
        widths = [item.width or _DEFAULT_WIDTHS.get(item.type, 16) for item in group.fields]
        self.widths = widths + [30] * (3 - len(widths))
        labels = [len(item.label) for item in spec.fields()] or [0]
        self.widths[0] = max(self.widths[0], min(max(max(labels) + 2, _LABEL_WIDTH[0]), _LABEL_WIDTH[1]))
        self.last_col = len(self.widths)
        self.row = 1
        self.list_ranges: dict[tuple[str, ...], str] = {}

    def build(self, values: dict[str, object], rows: list[dict[str, object]], issue_id: str | None) -> None:
        """Write the whole form: banner, header fields, table, lists, protection and page setup."""
        for index, width in enumerate(self.widths, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self._banner(issue_id)
        group_section = None
        # Header fields go above the table whatever the section order, so the table can grow
        # downwards and the reader can take everything below its header as rows.
        for section in self.spec.sections:
            fields = [item for item in section.items if isinstance(item, Field)]
            if self.group in section.items:
                group_section = section
            if fields:
                self._section_title(section.title, section.guidance)
                for item in fields:
                    self._header_field(item, values.get(item.id))
                self.row += 1
        title = group_section.title if group_section else self.group.label
        guidance = " ".join(text for text in (group_section.guidance if group_section else "", self.group.guidance) if text)
        self._section_title(title, guidance)
        header_row = self._table(rows)
        self._finish(header_row)

    # -- layout pieces -------------------------------------------------------------------------

    def _merged(self, first: int, last: int) -> Cell:
        if last > first:
            self.sheet.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
        return self.sheet.cell(self.row, first)

    def _banner(self, issue_id: str | None) -> None:
        subtitle = f"Form version {self.spec.version}" + (f"  ·  Issue reference {issue_id}" if issue_id else "")
        for text, font, height in ((self.spec.display_title, _TITLE_FONT, 30), (subtitle, _SUBTITLE_FONT, 15)):
            cell = self.sheet.cell(self.row, 1, text)
            cell.font, cell.fill, cell.alignment = font, _TITLE_FILL, Alignment(vertical="center", indent=1)
            self._merged(1, self.last_col)
            self.sheet.row_dimensions[self.row].height = height
            self.row += 1
        instructions = (
            "Type your answers in the yellow boxes and in the table. Choose from the drop-down list "
            "where a cell offers one, and write dates as dd/mm/yyyy. Leave unused table rows blank."
        )
        for text, font in ((self.spec.description, _TEXT_FONT), (instructions, _NOTE_FONT)):
            if not text:
                continue
            self.row += 1
            cell = self.sheet.cell(self.row, 1, text)
            cell.font, cell.alignment = font, _WRAP_TOP
            self._merged(1, self.last_col)
            self.sheet.row_dimensions[self.row].height = _height(text, sum(self.widths), font.sz or 11)
        self.row += 2

    def _section_title(self, title: str, guidance: str) -> None:
        for col in range(1, self.last_col + 1):
            self.sheet.cell(self.row, col).border = _SECTION_BORDER
        cell = self.sheet.cell(self.row, 1, title)
        cell.font = _SECTION_FONT
        self.sheet.row_dimensions[self.row].height = 20
        self.row += 1
        if guidance:
            cell = self.sheet.cell(self.row, 1, guidance)
            cell.font, cell.alignment = _NOTE_FONT, _WRAP_TOP
            self._merged(1, self.last_col)
            self.sheet.row_dimensions[self.row].height = _height(guidance, sum(self.widths), 9)
            self.row += 1

    def _header_field(self, item: Field, value: object) -> None:
        # Long answers read from the top of their box; one-line boxes look tidier centred.
        align = _WRAP_TOP if item.type == "long_text" else _WRAP_MIDDLE
        label = self.sheet.cell(self.row, 1, item.label)
        label.font, label.fill, label.border, label.alignment = _LABEL_FONT, _LABEL_FILL, _BOX, align
        end = self._input_end(_INPUT_WIDTH["long" if item.type == "long_text" else "short"])
        cell = self.sheet.cell(self.row, 2)
        cell.fill, cell.border, cell.alignment, cell.protection = _INPUT_FILL, _BOX, align, _UNLOCKED
        _format_for(cell, item)
        _put(cell, item, value)
        self._merged(2, end)
        name = excel_name(item.id)
        self.workbook.defined_names[name] = DefinedName(name, attr_text=_absolute(cell.coordinate))
        self._validate(item, cell.coordinate)

        input_width = sum(self.widths[1:end])
        lines = max(_lines(item.label, self.widths[0]), 5 if item.type == "long_text" else 1)
        note = item.guidance
        if note and end < self.last_col:
            note_cell = self.sheet.cell(self.row, end + 1, note)
            note_cell.font = _NOTE_FONT
            note_cell.alignment = Alignment(wrap_text=True, vertical=align.vertical, indent=1)
            self._merged(end + 1, self.last_col)
            lines = max(lines, math.ceil(_lines(note, sum(self.widths[end:])) * 0.8))
        elif note:
            # No room beside the box: the guidance still shows when the pointer rests on it.
            cell.comment = Comment(note, "QA team", width=300, height=100)
        if isinstance(value, str):
            lines = max(lines, _lines(value, input_width))
        self.sheet.row_dimensions[self.row].height = max(20, 15 * min(lines, 20))
        self.row += 1

    def _input_end(self, target: int) -> int:
        """The last column of a header input box starting in B, at least *target* characters wide."""
        width, end = 0, 1
        while end < self.last_col and width < target:
            end += 1
            width += self.widths[end - 1]
        return end

    def _table(self, rows: list[dict[str, object]]) -> int:
        header_row = self.row
        count = max(self.group.rows, len(rows), 1)
        first, last = header_row + 1, header_row + count
        lines = 1
        for col, (item, width) in enumerate(zip(self.group.fields, self.widths), 1):
            cell = self.sheet.cell(header_row, col, item.label)
            cell.font, cell.fill, cell.border, cell.alignment = _HEADER_FONT, _HEADER_FILL, _BOX, _WRAP_CENTRE
            lines = max(lines, _lines(item.label, width))
            letter = get_column_letter(col)
            body = f"{letter}{first}:{letter}{last}"
            name = column_name(self.group.id, item.id)
            self.workbook.defined_names[name] = DefinedName(name, attr_text=_absolute(body))
            self._validate(item, body)
            for row_number in range(first, last + 1):
                cell = self.sheet.cell(row_number, col)
                cell.alignment, cell.border, cell.protection = _WRAP_TOP, _BODY_BORDER, _UNLOCKED
                _format_for(cell, item)
        self.sheet.row_dimensions[header_row].height = 15 * lines + 8
        for offset, row in enumerate(rows):
            for col, item in enumerate(self.group.fields, 1):
                _put(self.sheet.cell(first + offset, col), item, row.get(item.id))

        ref = f"A{header_row}:{get_column_letter(self.table_cols)}{last}"
        table = Table(displayName=excel_name(self.group.id), ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False)
        self.sheet.add_table(table)
        self.row = last + 1
        return header_row

    # -- validation ------------------------------------------------------------------------------

    def _validate(self, item: Field, ref: str) -> None:
        """Attach Excel's own check and a prompt to the input cells of *item*."""
        hint = _HINTS.get(item.type, "")
        if item.type == "multi_choice":
            # Excel has no multi-select list, so the choices are spelt out for typing.
            hint = f"Type any of {'; '.join(item.choices)}, separated by '; '."
        prompt = " ".join(text for text in (item.guidance, hint, "Required." if item.required else "") if text)
        rule = DataValidation(allow_blank=True, showInputMessage=bool(prompt), showErrorMessage=True, errorStyle="stop")
        rule.promptTitle, rule.prompt = _clip(item.label, 32), _clip(prompt, 255) or None
        if item.type in ("choice", "grade", "yes_no"):
            options = item.options
            rule.type, rule.formula1 = "list", self._list_range(item)
            rule.errorTitle = "Choose from the list"
            rule.error = f"{item.label}: choose {_either(options)}."
            if len(rule.error) > 255:  # Excel's limit: a long list (the themes) is named by its first and last
                rule.error = _clip(f"{_clip(item.label, 100)}: choose one of the {len(options)} options in the "
                                   f"drop-down list, from {options[0]} to {options[-1]}.", 255)
        elif item.type == "date":
            rule.type, rule.operator = "date", "between"
            rule.formula1, rule.formula2 = "DATE(1900,1,1)", "DATE(2099,12,31)"
            rule.errorTitle = "Not a date"
            rule.error = f"{_clip(item.label, 150)}: enter a date as dd/mm/yyyy, for example 03/11/2022."
        elif item.type == "number":
            low = item.minimum if item.minimum is not None else -2147483648
            high = item.maximum if item.maximum is not None else 2147483647
            rule.type, rule.operator, rule.formula1, rule.formula2 = "whole", "between", str(low), str(high)
            rule.errorTitle = "Not a whole number"
            rule.error = _clip(f"{item.label}: enter a whole number from {low} to {high}.", 255)
        elif not prompt:
            return
        rule.add(ref)
        self.sheet.add_data_validation(rule)

    def _list_range(self, item: Field) -> str:
        """A range on the hidden Lists sheet holding *item*'s options; shared by fields with the same options."""
        options = item.options
        if options not in self.list_ranges:
            col = len(self.list_ranges) + 1
            header = self.lists.cell(1, col, item.label)
            header.font = _LABEL_FONT
            for number, option in enumerate(options, 2):
                self.lists.cell(number, col, option)
            self.lists.column_dimensions[get_column_letter(col)].width = max(map(len, options + (item.label,))) + 2
            letter = get_column_letter(col)
            self.list_ranges[options] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(options) + 1}"
        return self.list_ranges[options]

    # -- finishing ---------------------------------------------------------------------------------

    def _finish(self, header_row: int) -> None:
        sheet = self.sheet
        sheet.sheet_view.showGridLines = False
        # Freeze under the table header so column labels stay in view while scrolling rows.
        sheet.freeze_panes = sheet.cell(header_row + 1, 1)
        # Protect the layout, not the answers: input cells are unlocked; no password, so a QA
        # admin can still unprotect it. Formatting rows and columns stays allowed so people can
        # widen a column or let a row grow to fit a long answer.
        protection = sheet.protection
        protection.sheet, protection.formatColumns, protection.formatRows = True, False, False
        protection.autoFilter = protection.sort = False

        setup = sheet.page_setup
        setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.print_area = f"A1:{get_column_letter(self.last_col)}{self.row - 1}"
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
        sheet.page_margins.top = sheet.page_margins.bottom = 0.6
        footer = sheet.oddFooter
        footer.left.text, footer.left.size = f"{self.spec.display_title} (version {self.spec.version})", 8
        footer.right.text, footer.right.size = "Page &P of &N", 8

        self.lists.sheet_state = "hidden"
        self.lists.protection.sheet = True
        # Stop the form sheet being deleted or renamed and the lists being unhidden by accident.
        self.workbook.security = WorkbookProtection(lockStructure=True)


# -- cell values -----------------------------------------------------------------------------------


def _format_for(cell: Cell, item: Field) -> None:
    if item.type == "date":
        cell.number_format = DATE_FORMAT
    elif item.type == "number":
        cell.number_format = "0"
    elif item.type in ("short_text", "quarter"):
        # Text format stops Excel turning a child ID like 0123 into 123, or 1-2 into a date.
        # (Not on long text: Excel shows '####' for a Text-formatted cell over 255 characters.)
        cell.number_format = "@"


def _put(cell: Cell, item: Field, value: object) -> None:
    """Write *value* into *cell* as Excel would hold it for a field of this type."""
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = ("Yes" if value else "No") if item.type == "yes_no" else value
    elif isinstance(value, (list, tuple)):
        _put_text(cell, "; ".join(str(part) for part in value))
    elif isinstance(value, (dt.date, int, float)):
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        _put_text(cell, value)
    else:
        raise TypeError(f"{item.label}: cannot write a {type(value).__name__} into an Excel form.")


def _put_text(cell: Cell, text: str) -> None:
    # Control characters make openpyxl refuse the whole workbook; they never belong in an answer.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    # A pre-filled answer starting with '=' is text, never a formula to run in someone's Excel.
    cell.data_type = "s"


# -- small helpers -----------------------------------------------------------------------------


def _absolute(ref: str) -> str:
    """'B5' or 'A16:A30' as an absolute reference on the form sheet."""
    return f"{quote_sheetname(FORM_SHEET)}!{absolute_coordinate(ref)}"


def _lines(text: str, width: float) -> int:
    """Lines *text* wraps to in a cell *width* characters wide (Calibri runs a little narrower than '0')."""
    per_line = max(int(width * 1.15), 1)
    return sum(max(math.ceil(len(paragraph) / per_line), 1) for paragraph in text.split("\n"))


def _height(text: str, width: float, size: float) -> float:
    return _lines(text, width * 11 / size) * size * 1.4 + 2


def _clip(text: str, limit: int) -> str:
    # Excel refuses a workbook whose validation titles or messages run past its limits.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _either(options: tuple[str, ...]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]

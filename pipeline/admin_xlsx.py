"""The Excel side of the admin's inputs: read a sheet's cells, write a sheet an admin is glad to edit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .read.table import workbook_errors

LISTS_SHEET = "Lists"
GUIDE_SHEET = "Read me"
EDITABLE_ROWS = 500  # rows below the data that keep their date formats and drop-down lists
_DARK = "1F4E79"  # the forms' colours (templates/xlsx_form.py), so the admin files look like the rest
_FONT = "Calibri"
_HEADER_FONT = Font(name=_FONT, size=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor=_DARK)
_TEXT_FONT = Font(name=_FONT, size=11)
_TITLE_FONT = Font(name=_FONT, size=14, bold=True, color=_DARK)
_LIGHT = Side(style="thin", color="BFBFBF")
_BODY_BORDER = Border(left=_LIGHT, right=_LIGHT, top=_LIGHT, bottom=_LIGHT)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_FORMATS = {"date": "dd/mm/yyyy", "month": "mmmm yyyy"}


@dataclass(frozen=True)
class Column:
    """One column of an admin sheet: heading, width and what may go in it."""

    heading: str
    width: int
    kind: str = "text"  # text | long | date | month | choice | name (a name from the sheet's first column)
    choices: tuple[str, ...] = ()
    prompt: str = ""


@dataclass(frozen=True)
class Sheet:
    """One sheet of an admin's workbook as read: its name, (row number, cell values), epoch and merged ranges."""

    name: str
    rows: list[tuple[int, tuple[object, ...]]]
    epoch_1904: bool
    merged: tuple[str, ...] = ()  # e.g. ('C5:C9',): only the first cell of a merged range holds a value


def read_sheet(path: Path, preferred: str) -> Sheet:
    """The sheet named *preferred* (else the first), with its merged ranges.

    Raises ValueError saying, in an admin's words, why the file is not a readable workbook.
    """
    with workbook_errors():
        # Not read-only: a read-only sheet does not know its merged cells. Admin files are small.
        workbook = load_workbook(path, data_only=True)
        try:
            name = preferred if preferred in workbook.sheetnames else workbook.sheetnames[0]
            sheet = workbook[name]
            rows = list(enumerate(sheet.iter_rows(min_row=1, values_only=True), 1))
            merged = tuple(str(cells) for cells in sheet.merged_cells.ranges)
            epoch_1904 = workbook.epoch.year == 1904
        finally:
            workbook.close()
    return Sheet(name, rows, epoch_1904, merged)


def write_sheet(path: Path, title: str, columns: list[Column], rows: list[list[object]], guide: list[str]) -> None:
    """Write one admin table to *path*: styled frozen headings, widths, drop-down lists, dates as dates, and a guide."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([column.heading for column in columns])
    for row in rows:
        sheet.append([value if value not in ("", None) else None for value in row])
    last = max(len(rows) + 1, EDITABLE_ROWS)
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        heading = sheet.cell(row=1, column=index)
        heading.font, heading.fill, heading.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(vertical="center", wrap_text=True)
        for number in range(2, last + 1):
            cell = sheet.cell(row=number, column=index)
            if number <= len(rows) + 1:
                cell.font, cell.border, cell.alignment = _TEXT_FONT, _BODY_BORDER, _WRAP_TOP
            if column.kind in _FORMATS:
                cell.number_format = _FORMATS[column.kind]
        _validate(workbook, sheet, column, letter, index, last)
    sheet.row_dimensions[1].height = 22
    for number, row in enumerate(rows, 2):
        sheet.row_dimensions[number].height = _height(row, columns)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    _write_guide(workbook, guide)
    workbook.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _validate(workbook: Workbook, sheet: Worksheet, column: Column, letter: str, index: int, last: int) -> None:
    cells = f"{letter}2:{letter}{last}"
    if column.kind == "choice":
        lists = workbook[LISTS_SHEET] if LISTS_SHEET in workbook.sheetnames else workbook.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
        for row, choice in enumerate(column.choices, 1):
            lists.cell(row=row, column=index, value=choice)
        # A range on a hidden sheet, not an inline list: Excel caps inline lists at 255 characters.
        source = f"={quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(column.choices)}"
        rule = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                              errorTitle=f"Not a {column.heading.lower()}",
                              error=f"Choose from the list: {', '.join(column.choices)}."[:255])
    elif column.kind == "name":
        # Warn rather than stop: the admin may add the manager's own row afterwards.
        rule = DataValidation(type="list", formula1=f"=$A$2:$A${last}", allow_blank=True, showErrorMessage=True,
                              errorStyle="warning", errorTitle="Not on the roster",
                              error="This name is not in the Name column. Add their row, or check the spelling.")
    elif column.kind in _FORMATS:
        rule = DataValidation(type="date", operator="greaterThan", formula1="DATE(1950,1,1)", allow_blank=True,
                              showErrorMessage=True, errorTitle="Not a date", error="Enter a date as dd/mm/yyyy.")
    else:
        return
    if column.prompt:
        rule.showInputMessage, rule.promptTitle, rule.prompt = True, column.heading[:32], column.prompt[:255]
    rule.add(cells)
    sheet.add_data_validation(rule)


def _height(row: list[object], columns: list[Column]) -> float:
    """A row height that shows every wrapped line: Excel and LibreOffice do not grow rows written by openpyxl."""
    lines = max((math.ceil(len(str(value)) * 1.1 / max(column.width - 2, 1))
                 for value, column in zip(row, columns) if isinstance(value, str)), default=1)
    return 15.0 * max(lines, 1)


def _write_guide(workbook: Workbook, lines: list[str]) -> None:
    guide = workbook.create_sheet(GUIDE_SHEET)
    width = 95
    guide.column_dimensions["A"].width = width
    guide.cell(row=1, column=1, value=lines[0]).font = _TITLE_FONT
    for number, line in enumerate(lines[1:], 3):
        cell = guide.cell(row=number, column=1, value=line)
        cell.font, cell.alignment = _TEXT_FONT, Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[number].height = _height([line], [Column("", width)])
    guide.sheet_properties.tabColor = _DARK
    guide.sheet_properties.pageSetUpPr.fitToPage = True
    guide.page_setup.fitToWidth, guide.page_setup.fitToHeight = 1, 0


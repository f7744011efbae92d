"""Read an Excel (.xlsx) form: header answers from named cells, the repeat table in one pass over its rows."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from ..errors import Problem, ReadError, message
from ..formfile.names import column_name, excel_name
from ..spec.model import Field, FormSpec
from .package import OfficePackage
from .raw import RawSubmission
from .xlsx_workbook import EXCEL_MAX_ROW, Cell, Workbook

# What reading a damaged workbook raises: zip and zlib errors, KeyError for a missing part,
# IndexError for a shared string that is not there, ValueError for a number or date that is not
# one, lxml errors for bad XML. All of these mean "this file is damaged", never "our code is wrong".
_DAMAGED = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError, IndexError,
    ValueError, TypeError, OverflowError, etree.LxmlError,
)
_FORMULA_PREVIEW = 60


def read_xlsx(package: OfficePackage, spec: FormSpec) -> RawSubmission:
    """Return the raw answers in an Excel form; ReadError if the workbook cannot be opened at all."""
    result = RawSubmission(kind="xlsx", properties=dict(package.properties))
    try:
        workbook = Workbook(package)
        result.epoch_1904 = workbook.epoch_1904
        _read_workbook(workbook, spec, result)
    except ReadError as err:
        if err.__cause__ is None:
            raise  # refused on purpose (unsafe XML): its own message says why
        # A part that would not unpack or parse: one message for the workbook, as for any damage.
        raise ReadError(message("corrupt", detail="its workbook parts cannot be read")) from err.__cause__
    except _DAMAGED as err:
        raise ReadError(message("corrupt", detail="its workbook parts cannot be read")) from err
    return result


@dataclass(frozen=True)
class _Layout:
    """Where the named cells are: one sheet, header cells and the repeat table's columns."""

    sheet: str
    header: dict[str, tuple[int, int]]  # field id → (row, column)
    columns: dict[str, int]  # group field id → column
    body_rows: tuple[int, int]  # first and last row of the table body as named


def _read_workbook(workbook: Workbook, spec: FormSpec, result: RawSubmission) -> None:
    layout = _locate(workbook, spec)
    if layout is None or layout.sheet not in workbook.sheets:
        result.problems.append(Problem(message("missing_sheet")))
        return
    groups = list(spec.groups())
    group = groups[0] if groups else None

    header_rows = [row for row, _ in layout.header.values()]
    columns = [col for _, col in layout.header.values()] + list(layout.columns.values())
    first_row = min(header_rows + [layout.body_rows[0]])
    min_col, max_col = min(columns), max(columns)
    # Read to the end of the sheet, not just the named range: rows typed under the table (which
    # Excel adds to the table but not to the names) must not be dropped silently. A row numbered
    # beyond Excel's last (damage, or a hostile file) is not part of any form.
    last_row = EXCEL_MAX_ROW if group else max(header_rows)

    header_at: dict[int, list[Field]] = {}
    for item in spec.fields():
        header_at.setdefault(layout.header[item.id][0], []).append(item)
    body_first = layout.body_rows[0]
    kept: list[dict[str, object]] = []
    positions: list[int] = []
    filled = 0

    # One pass over the rows. Cells, not just values: only a cell's type tells a formula from text
    # typed as '=…' after a quote.
    for row_number, cells in workbook.rows(layout.sheet, first_row, last_row, min_col, max_col):
        for item in header_at.get(row_number, ()):
            column = layout.header[item.id][1]
            result.values[item.id] = _answer(cells[column - min_col], item, item.label, item.id, result)
        if group is None or row_number < body_first:
            continue
        if all(_blank(cells[layout.columns[item.id] - min_col]) for item in group.fields):
            continue
        filled += 1
        if filled > group.max_rows:
            continue  # keep counting for the message, stop holding rows in memory
        # Rows are numbered by where they sit in the table, as the person filling it sees them.
        number = row_number - body_first + 1
        positions.append(number)
        record = {}
        for item in group.fields:
            cell = cells[layout.columns[item.id] - min_col]
            record[item.id] = _answer(cell, item, f"{item.label} (row {number})", f"{group.id}.{number}.{item.id}", result)
        kept.append(record)

    for item in spec.fields():
        result.values.setdefault(item.id, None)
    if group is not None:
        result.groups[group.id] = kept
        result.row_numbers[group.id] = positions
        if filled > group.max_rows:
            result.problems.append(
                Problem(message("too_many_rows", label=group.label, count=filled, limit=group.max_rows), field=group.id)
            )


def _locate(workbook: Workbook, spec: FormSpec) -> _Layout | None:
    """Resolve every named cell the spec needs; None if any is missing or they span sheets."""
    sheets: set[str] = set()
    header: dict[str, tuple[int, int]] = {}
    for item in spec.fields():
        found = workbook.place(excel_name(item.id))
        if found is None:
            return None
        sheet, (col, row, _, _) = found
        sheets.add(sheet)
        header[item.id] = (row, col)
    columns: dict[str, int] = {}
    first_rows, last_rows = [], []
    for group in spec.groups():
        for item in group.fields:
            found = workbook.place(column_name(group.id, item.id))
            if found is None:
                return None
            sheet, (col, row, _, last) = found
            sheets.add(sheet)
            columns[item.id] = col
            first_rows.append(row)
            last_rows.append(last)
    if len(sheets) != 1:
        return None
    body = (min(first_rows), max(last_rows)) if first_rows else (1_048_577, 1_048_577)
    return _Layout(sheets.pop(), header, columns, body)


def _blank(cell: Cell) -> bool:
    value = cell.value
    return cell.formula is None and (value is None or (isinstance(value, str) and not value.strip()))


def _answer(cell: Cell, item: Field, label: str, field_id: str, result: RawSubmission) -> object:
    """One cell's raw answer; formulas are reported, never taken as the answer."""
    value = cell.value
    formula = cell.formula
    if formula is not None:
        preview = formula if len(formula) <= _FORMULA_PREVIEW else formula[: _FORMULA_PREVIEW - 1] + "…"
        result.problems.append(Problem(message("formula", label=label, formula=preview), field=field_id))
        return None
    if isinstance(value, str):
        value = unescape_excel(value)
        if not value.strip():
            return None
        # A long answer keeps its spaces and blank lines as typed, as it does in Word.
        return value if item.type == "long_text" else value.strip()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        # A date typed into Excel is stored as a whole serial number, which reads back as
        # midnight on that day. The answer is the day.
        return value.date()
    return value


_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_excel(text: str) -> str:
    """Text as typed, from Excel's stored form: '_x0007_' is the character U+0007, '_x005F_' an underscore.

    Excel writes characters XML cannot hold in this way (and a typed '_x' as '_x005F_x'); the
    XML gives back the stored form.
    """
    if "_x" not in text:
        return text
    return _EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)

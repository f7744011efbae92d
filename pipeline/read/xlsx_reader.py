"""Read an Excel (.xlsx) form: header answers from named cells, the repeat table in one pass over its rows."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl
from lxml import etree
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ..errors import Problem, ReadError, message
from ..spec.model import Field, FormSpec, Group
from .package import OfficePackage
from .raw import RawSubmission

FORM_SHEET = "Form"
LISTS_SHEET = "Lists"

# openpyxl raises whatever its parsers raise on a damaged part: zip and zlib errors, KeyError for
# a missing part, ValueError/TypeError from its descriptors, SyntaxError (ElementTree's ParseError)
# or lxml errors for bad XML. All of these mean "this file is damaged", never "our code is wrong".
_DAMAGED = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError, IndexError,
    ValueError, TypeError, AttributeError, SyntaxError, InvalidFileException, etree.LxmlError,
)

# A defined name may not look like a cell reference (A1 or R1C1 style), or Excel refuses the file.
_A1_REF = re.compile(r"^([a-z]{1,3})(\d+)$")
_R1C1_REF = re.compile(r"^(r\d*c?\d*|c\d*)$")
_FORMULA_PREVIEW = 60


def excel_name(field_id: str) -> str:
    """The defined name for a header field (or table) id, prefixed with '_' where Excel would read it as a cell."""
    match = _A1_REF.match(field_id)
    if match and _column_number(match.group(1)) <= 16384 and int(match.group(2)) <= 1048576:
        return "_" + field_id
    if _R1C1_REF.match(field_id):
        return "_" + field_id
    return field_id


def column_name(group: Group, field: Field) -> str:
    """The defined name of one repeat-table column's body, e.g. 'children.child_id'."""
    # The dot makes the whole name safe even when a part alone would look like a cell reference.
    return f"{group.id}.{field.id}"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("a") + 1
    return number


def read_xlsx(package: OfficePackage, spec: FormSpec) -> RawSubmission:
    """Return the raw answers in an Excel form; ReadError if the workbook cannot be opened at all."""
    result = RawSubmission(kind="xlsx", properties=dict(package.properties))
    try:
        # openpyxl warns about parts it drops (x14 validation extensions, odd styles); we only read
        # values, so those warnings mean nothing to the person who filled the form.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            workbook = openpyxl.load_workbook(
                io.BytesIO(package.data), read_only=True, data_only=False, keep_links=False
            )
            try:
                result.epoch_1904 = workbook.epoch == CALENDAR_MAC_1904
                _read_workbook(workbook, spec, result)
            finally:
                # Read-only workbooks keep the archive open until closed.
                workbook.close()
    except ReadError:
        raise
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


def _read_workbook(workbook: openpyxl.Workbook, spec: FormSpec, result: RawSubmission) -> None:
    layout = _locate(workbook, spec)
    if layout is None or layout.sheet not in workbook.sheetnames:
        result.problems.append(Problem(message("missing_sheet")))
        return
    sheet = workbook[layout.sheet]
    groups = list(spec.groups())
    group = groups[0] if groups else None

    header_rows = [row for row, _ in layout.header.values()]
    columns = [col for _, col in layout.header.values()] + list(layout.columns.values())
    first_row = min(header_rows + [layout.body_rows[0]])
    min_col, max_col = min(columns), max(columns)
    # Read to the end of the sheet, not just the named range: rows typed under the table (which
    # Excel adds to the table but not to the names) must not be dropped silently.
    last_row = max(sheet.max_row, layout.body_rows[1]) if sheet.max_row else None

    header_at: dict[int, list[Field]] = {}
    for item in spec.fields():
        header_at.setdefault(layout.header[item.id][0], []).append(item)
    body_first = layout.body_rows[0]
    kept: list[dict[str, object]] = []
    filled = 0

    # One pass over the rows: cell-by-cell access re-parses the sheet each time in read-only mode.
    rows = sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=min_col, max_col=max_col, values_only=True)
    for row_number, cells in enumerate(rows, start=first_row):
        for item in header_at.get(row_number, ()):
            column = layout.header[item.id][1]
            result.values[item.id] = _answer(cells[column - min_col], item.label, item.id, result)
        if group is None or row_number < body_first:
            continue
        if all(_blank(cells[layout.columns[item.id] - min_col]) for item in group.fields):
            continue
        filled += 1
        if filled > group.max_rows:
            continue  # keep counting for the message, stop holding rows in memory
        # Rows are numbered as validation numbers them: the nth filled row, blank rows skipped.
        number = len(kept) + 1
        record = {}
        for item in group.fields:
            cell = cells[layout.columns[item.id] - min_col]
            record[item.id] = _answer(cell, f"{item.label} (row {number})", f"{group.id}.{number}.{item.id}", result)
        kept.append(record)

    for item in spec.fields():
        result.values.setdefault(item.id, None)
    if group is not None:
        result.groups[group.id] = kept
        if filled > group.max_rows:
            result.problems.append(
                Problem(message("too_many_rows", label=group.label, count=filled, limit=group.max_rows), field=group.id)
            )


def _locate(workbook: openpyxl.Workbook, spec: FormSpec) -> _Layout | None:
    """Resolve every named cell the spec needs; None if any is missing or they span sheets."""
    sheets: set[str] = set()
    header: dict[str, tuple[int, int]] = {}
    for item in spec.fields():
        found = _destination(workbook, excel_name(item.id))
        if found is None:
            return None
        sheet, (col, row, _, _) = found
        sheets.add(sheet)
        header[item.id] = (row, col)
    columns: dict[str, int] = {}
    first_rows, last_rows = [], []
    for group in spec.groups():
        for item in group.fields:
            found = _destination(workbook, column_name(group, item))
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


def _destination(workbook: openpyxl.Workbook, name: str) -> tuple[str, tuple[int, int, int, int]] | None:
    """(sheet title, (min_col, min_row, max_col, max_row)) of a workbook-scoped name, or None."""
    defined = workbook.defined_names.get(name)
    if defined is None:
        return None
    try:
        # A name whose cells were deleted reads '#REF!' and has no destinations.
        places = list(defined.destinations)
    except (ValueError, TypeError, AttributeError):
        return None
    if len(places) != 1:
        return None
    sheet, coordinate = places[0]
    try:
        bounds = range_boundaries(coordinate.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if any(value is None for value in bounds):
        return None  # whole-column or whole-row references are not ours
    return sheet, bounds


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _answer(value: object, label: str, field_id: str, result: RawSubmission) -> object:
    """One cell's raw answer; formulas are reported, never taken as the answer."""
    formula = _formula(value)
    if formula is not None:
        preview = formula if len(formula) <= _FORMULA_PREVIEW else formula[: _FORMULA_PREVIEW - 1] + "…"
        result.problems.append(Problem(message("formula", label=label, formula=preview), field=field_id))
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        # A date typed into Excel is stored as a whole serial number; openpyxl gives it back as
        # midnight on that day. The answer is the day.
        return value.date()
    return value


def _formula(value: object) -> str | None:
    """The formula text if *value* is a formula as openpyxl reads it with data_only=False."""
    if isinstance(value, ArrayFormula):
        return value.text or "="
    if isinstance(value, DataTableFormula):
        return "a data table"
    # A single '=' cannot be a formula (Excel refuses it), so it is text typed with a quote prefix.
    if isinstance(value, str) and value.startswith("=") and len(value.strip()) > 1:
        return value
    return None


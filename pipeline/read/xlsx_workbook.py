"""The parts of an .xlsx a form reader needs — sheets, defined names, date styles, shared strings, rows — read with lxml.

openpyxl's load_workbook (read-only) parses every style object, every sheet's dimensions and the
whole object model before the first cell: about 9 ms for a one-page form, fifteen times the cost of
parsing the XML itself, and most of the time spent ingesting a mixed inbox. A form reader needs far
less, so this reads just that, with the safe XML boundary of package.py, and leans on openpyxl only
for what it knows best: which number formats are dates and how Excel counts days.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Iterator

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from .package import OfficePackage, iter_xml

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EXCEL_MAX_ROW = 1_048_576  # no real workbook has a row beyond this


def _m(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


_ROW, _C, _V, _F, _IS, _T, _R, _SI = (_m(tag) for tag in ("row", "c", "v", "f", "is", "t", "r", "si"))
_REL_ID = f"{{{REL_NS}}}id"
# 'Form'!$B$8 or Form!$A$17:$A$31: one sheet, one rectangle. Anything else (several areas, whole
# columns, '#REF!' after the cells were deleted) is not a place a form's answer can be.
_PLACE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!\s]+))!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$")


@dataclass(frozen=True)
class Cell:
    """One cell's stored value, or the formula it holds instead (data_only=False, as openpyxl reads it)."""

    value: object = None  # str, int, float, bool, datetime, time or timedelta
    formula: str | None = None  # '=…' text, 'a data table' or 'a shared formula'


EMPTY = Cell()


class Workbook:
    """An Excel package opened for reading answers: sheet names, workbook-scoped names, date system, rows.

    Raises ReadError (from the package) for unsafe or malformed XML, KeyError for a missing part,
    IndexError or ValueError for values that point nowhere: the caller reports all as damage.
    """

    def __init__(self, package: OfficePackage) -> None:
        self.package = package
        self.path = package.main_part or "xl/workbook.xml"  # as the content types name it
        root = package.xml(self.path)
        targets = _relationships(package, self.path)
        self.sheets: dict[str, str] = {}  # sheet name → its part
        for sheet in root.iter(_m("sheet")):
            target = targets.get(sheet.get(_REL_ID) or "")
            if sheet.get("name") and target:
                self.sheets.setdefault(sheet.get("name"), target[1])
        self.defined_names: dict[str, str] = {}
        for defined in root.iter(_m("definedName")):
            if defined.get("localSheetId") is None and defined.get("name"):  # sheet-scoped names are not ours
                self.defined_names.setdefault(defined.get("name"), (defined.text or "").strip())
        properties = root.find(_m("workbookPr"))
        self.epoch_1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self._epoch = CALENDAR_MAC_1904 if self.epoch_1904 else CALENDAR_WINDOWS_1900
        by_type = {kind.rsplit("/", 1)[-1]: part for kind, part in targets.values()}
        self._styles_part = by_type.get("styles")
        self._strings_part = by_type.get("sharedStrings")
        self._date_styles: set[int] | None = None
        self._timedelta_styles: set[int] = set()
        self._strings: list[str] | None = None

    def place(self, name: str) -> tuple[str, tuple[int, int, int, int]] | None:
        """(sheet name, (min_col, min_row, max_col, max_row)) a workbook-scoped name points at, or None."""
        match = _PLACE.match(self.defined_names.get(name, ""))
        if match is None:
            return None
        sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
        return sheet, range_boundaries(match[3].replace("$", ""))

    def rows(self, sheet: str, first_row: int, last_row: int, min_col: int, max_col: int) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """(row number, cells min_col…max_col) for each row the sheet holds between first_row and last_row.

        Rows the file does not hold are not made up (openpyxl fills every gap with empty rows,
        a million of them for a cell typed at the bottom of the sheet).
        """
        width = max_col - min_col + 1
        counter = 0
        for row in iter_xml(self.package.read(self.sheets[sheet]), self.sheets[sheet], _ROW):
            number = int(row.get("r") or counter + 1)
            counter = number
            if number < first_row:
                continue
            if number > last_row:
                break
            cells = [EMPTY] * width
            column = 0
            for cell in row.iter(_C):
                reference = cell.get("r")
                column = coordinate_to_tuple(reference)[1] if reference else column + 1
                if min_col <= column <= max_col:
                    cells[column - min_col] = self._cell(cell)
            yield number, tuple(cells)

    def _cell(self, cell: etree._Element) -> Cell:
        """One <c> element as openpyxl's reader would give it with data_only=False."""
        formula = cell.find(_F)
        if formula is not None:
            if formula.get("t") == "dataTable":
                return Cell(formula="a data table")
            return Cell(formula="=" + formula.text if formula.text else "a shared formula")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_IS)
            return Cell(_rich_text(inline)) if inline is not None else EMPTY
        value = cell.findtext(_V) or None
        if value is None:
            return EMPTY
        if kind == "n":
            number = float(value) if "." in value or "E" in value or "e" in value else int(value)
            style = int(cell.get("s") or 0)
            if style in self.date_styles():
                try:
                    return Cell(from_excel(number, self._epoch, timedelta=style in self._timedelta_styles))
                except (OverflowError, ValueError):
                    return Cell("#VALUE!")  # as Excel shows a date serial out of its range
            return Cell(number)
        if kind == "s":
            return Cell(self.strings()[int(value)])
        if kind == "b":
            return Cell(bool(int(value)))
        if kind == "d":
            return Cell(from_ISO8601(value))
        return Cell(value)  # 'str' (a formula's text result) and 'e' (an error such as #N/A)

    def date_styles(self) -> set[int]:
        """Indexes of the cell styles whose number format shows a date or time (read on first need)."""
        if self._date_styles is None:
            self._date_styles = set()
            if self._styles_part and self.package.has(self._styles_part):
                self._read_styles(self.package.xml(self._styles_part))
        return self._date_styles

    def _read_styles(self, root: etree._Element) -> None:
        custom = {}
        formats = root.find(_m("numFmts"))
        for number_format in formats if formats is not None else ():
            if number_format.get("numFmtId", "").isdigit():
                custom[int(number_format.get("numFmtId"))] = number_format.get("formatCode")
        cell_styles = root.find(_m("cellXfs"))
        for index, style in enumerate(cell_styles.iterchildren(_m("xf")) if cell_styles is not None else ()):
            number_id = int(style.get("numFmtId") or 0)
            code = custom.get(number_id, BUILTIN_FORMATS.get(number_id))
            if is_date_format(code):
                self._date_styles.add(index)
            if is_timedelta_format(code):
                self._timedelta_styles.add(index)

    def strings(self) -> list[str]:
        """The shared-string table (read on first need)."""
        if self._strings is None:
            self._strings = []
            if self._strings_part and self.package.has(self._strings_part):
                data = self.package.read(self._strings_part)
                self._strings = [_rich_text(item) for item in iter_xml(data, self._strings_part, _SI)]
        return self._strings


def _rich_text(element: etree._Element) -> str:
    """The text of a string item: its plain <t>, or its runs' <t>s joined; phonetic guides left out."""
    parts = []
    for child in element:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            text = child.find(_T)
            if text is not None:
                parts.append(text.text or "")
    return "".join(parts)


def _relationships(package: OfficePackage, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) for *part*; no relationships if it has none."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if not package.has(rels):
        return {}
    found = {}
    for relationship in package.xml(rels).iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        target = relationship.get("Target") or ""
        if relationship.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[relationship.get("Id") or ""] = (relationship.get("Type") or "", path)
    return found

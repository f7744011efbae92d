"""The lean workbook reader gives what openpyxl gives, and reads what Excel itself writes.

openpyxl-made files (the templates and the test fillers) use inline strings and always number
rows and cells; Excel writes a shared-string table, rich text, phonetic guides, formulas shared
across cells and sometimes leaves row and cell numbers out. Each of those is written into the XML
here the way Excel writes it, and read back by its meaning.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from answers import full_answers
from filling import fill
from hostile_corpus import edit_part, shared_strings, with_shared_string
from pipeline.errors import message
from pipeline.ingest import examine
from pipeline.read.package import open_package
from pipeline.read.xlsx_workbook import Cell, Workbook
from pipeline.spec import Catalogue
from pipeline.workspace import BUILTIN_SPECS

CATALOGUE = Catalogue.load(BUILTIN_SPECS)
EXCEL_KEYS = [key for key in CATALOGUE.keys() if CATALOGUE.find(key).format == "xlsx"]
SHEET = "xl/worksheets/sheet1.xml"


def completed(key: str) -> bytes:
    spec = CATALOGUE.find(key)
    values, groups = full_answers(spec)
    return fill(spec, values, groups)


def workbook(data: bytes) -> Workbook:
    return Workbook(open_package("form.xlsx", data))


@pytest.mark.parametrize("key", EXCEL_KEYS)
def test_every_named_cell_reads_as_openpyxl_reads_it(key):
    data = completed(key)
    ours = workbook(data)
    theirs = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    assert ours.epoch_1904 is False
    assert sorted(ours.sheets) == sorted(theirs.sheetnames)
    for name, defined in theirs.defined_names.items():
        ((sheet, reference),) = list(defined.destinations)
        place = ours.place(name)
        assert place is not None and place[0] == sheet, name
        min_col, min_row, max_col, max_row = place[1]
        rows = {number: cells for number, cells in ours.rows(sheet, min_row, max_row, min_col, max_col)}
        for row in theirs[sheet][reference.replace("$", "")] if ":" in reference else [[theirs[sheet][reference.replace("$", "")]]]:
            for cell in row:
                got = rows.get(cell.row, (Cell(),) * (max_col - min_col + 1))[cell.column - min_col]
                assert got.value == cell.value, (name, cell.coordinate)


def test_excel_shared_strings_with_rich_text_and_phonetic_guides_read_as_the_text_shown():
    rich = '<r><rPr><b/></rPr><t xml:space="preserve">Ana </t></r><r><t>Patel</t></r><rPh sb="0" eb="3"><t>アナ</t></rPh>'
    data = with_shared_string(completed("dip_sample"), shared_strings("X").replace(b"<t>X</t>", rich.encode()))

    examined = examine("excel.xlsx", data, CATALOGUE)

    assert examined.problems == []
    assert examined.submission.values["auditor"] == "Ana Patel"


def test_rows_and_cells_without_numbers_are_placed_by_position():
    # Some programs leave out r="…" on a row that follows on from the one before, and on a cell in
    # column A; Excel reads them by position, and so must we.
    def unnumber(xml: bytes) -> bytes:
        last = 0

        def row(match: re.Match) -> bytes:
            nonlocal last
            number = int(match.group(1))
            follows, last = number == last + 1, number
            return b"<row" if follows else match.group(0)

        return re.sub(rb'<c r="A\d+"', b"<c", re.sub(rb'<row r="(\d+)"', row, xml))

    data = completed("dip_sample")
    expected = examine("numbered.xlsx", data, CATALOGUE).submission
    changed = edit_part(data, SHEET, unnumber)
    numbered = [zipfile.ZipFile(io.BytesIO(blob)).read(SHEET).count(b'<row r="') for blob in (data, changed)]
    assert numbered[1] < numbered[0] / 2  # most rows lost their numbers

    examined = examine("unnumbered.xlsx", changed, CATALOGUE)

    assert examined.problems == []
    assert examined.submission.values == expected.values
    assert examined.submission.groups == expected.groups


def test_date_styles_custom_builtin_and_general_give_dates_only_where_a_date_is_shown():
    data = completed("dip_sample")
    book = workbook(data)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")
    formats = dict(re.findall(rb'numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    assert formats == {b"164": b"dd/mm/yyyy"}
    cell_styles = re.findall(rb"<xf [^>]*numFmtId=\"(\d+)\"", re.search(rb"<cellXfs.*?</cellXfs>", styles, re.S).group(0))
    shown_as_date = {index for index, number in enumerate(cell_styles) if number in (b"164", b"14")}
    assert book.date_styles() == shown_as_date and shown_as_date


def test_shared_and_data_table_formulas_are_formulas_and_cached_text_is_not():
    def cells(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="B11"([^>]*) t="inlineStr"([^>]*)><is><t>[^<]*</t></is></c>',
                     rb'<c r="B11"\1 t="str"\2><f t="shared" si="0"/><v>Ana</v></c>', xml)
        return re.sub(rb'<c r="B12"([^>]*) t="inlineStr"([^>]*)><is><t>[^<]*</t></is></c>',
                      rb'<c r="B12"\1\2><f t="dataTable" ref="B12" dt2D="0" dtr="0" r1="A1"/><v>1</v></c>', xml)

    book = workbook(edit_part(completed("dip_sample"), SHEET, cells))
    ((_, b11), (_, b12)) = book.rows("Form", 11, 12, 2, 2)

    assert b11 == (Cell(formula="a shared formula"),)
    assert b12 == (Cell(formula="a data table"),)


def test_booleans_errors_and_iso_dates_are_read_as_excel_stores_them():
    def cells(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="B11"([^>]*) t="inlineStr"([^>]*)><is><t>[^<]*</t></is></c>', rb'<c r="B11"\1 t="b"\2><v>1</v></c>', xml)
        xml = re.sub(rb'<c r="B12"([^>]*) t="inlineStr"([^>]*)><is><t>[^<]*</t></is></c>', rb'<c r="B12"\1 t="e"\2><v>#N/A</v></c>', xml)
        return re.sub(rb'<c r="B9"([^>]*) t="inlineStr"([^>]*)><is><t>[^<]*</t></is></c>', rb'<c r="B9"\1 t="d"\2><v>2022-11-03T00:00:00</v></c>', xml)

    book = workbook(edit_part(completed("dip_sample"), SHEET, cells))
    values = {number: cells[0].value for number, cells in book.rows("Form", 9, 12, 2, 2)}

    assert values[11] is True
    assert values[12] == "#N/A"
    assert values[9] == dt.datetime(2022, 11, 3)


def test_a_sheet_scoped_name_does_not_hide_the_workbook_one():
    def shadow(xml: bytes) -> bytes:
        return xml.replace(b"<definedNames>", b'<definedNames><definedName name="auditor" localSheetId="1">Lists!$A$1</definedName>')

    data = edit_part(completed("dip_sample"), "xl/workbook.xml", shadow)

    assert workbook(data).place("auditor")[0] == "Form"
    assert examine("scoped.xlsx", data, CATALOGUE).problems == []


def test_a_date_serial_beyond_the_calendar_reads_as_an_error_value_not_a_crash():
    def far(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="B10"[^>]*>)<v>\d+</v>', rb"\g<1><v>99999999</v>", xml)

    examined = examine("far.xlsx", edit_part(completed("dip_sample"), SHEET, far), CATALOGUE)

    assert examined.problems == [message("date", label="Date completed", value="#VALUE!")]

"""Excel forms: build each template, fill it as Excel would, read it back and compare answers by meaning."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipeline.errors import Problem, ReadError, message
from pipeline.read.package import open_package
from pipeline.read.xlsx_reader import read_xlsx
from pipeline.spec import Catalogue, Field, FormSpec, Group, Section
from pipeline.templates.xlsx_form import build_xlsx
from pipeline.workspace import BUILTIN_SPECS

CATALOGUE = Catalogue.load(BUILTIN_SPECS)
XLSX_KEYS = [key for key in CATALOGUE.keys() if CATALOGUE.find(key).format == "xlsx"]


# -- helpers: answers a person might give, and filling the workbook the way Excel saves it -------


def sample(item: Field, n: int) -> object:
    """A plausible answer for *item*, varied by *n* so rows differ."""
    if item.type == "date":
        return dt.date(2023, 1, 3 + n)
    if item.type == "number":
        return 3 + n
    if item.type == "quarter":
        return "2022-23-Q3"
    if item.options:
        return item.options[n % len(item.options)]
    if item.type == "multi_choice":
        return "; ".join(item.choices[:2])
    if item.type == "long_text":
        return f"{item.label}, row {n}.\nA second paragraph."
    if item.id == "child_id":
        return f"0{n}12-AB"  # a leading zero that must survive
    return f"{item.label} {n}"


def name_cells(wb: openpyxl.Workbook, name: str) -> tuple[str, tuple[int, int, int, int]]:
    """(sheet title, bounds) a workbook-scoped defined name points at."""
    ((sheet, coordinate),) = list(wb.defined_names[name].destinations)
    return sheet, range_boundaries(coordinate.replace("$", ""))


def fill(
    data: bytes,
    values: dict[str, object],
    rows: dict[int, dict[str, object]],
    group_id: str = "children",
    epoch_1904: bool = False,
) -> bytes:
    """Type *values* into the named header cells and *rows* (table row number → answers) into the table."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    for field_id, value in values.items():
        sheet, (col, row, _, _) = name_cells(wb, field_id)
        wb[sheet].cell(row, col).value = value
    for position, answers in rows.items():
        for field_id, value in answers.items():
            sheet, (col, first, _, _) = name_cells(wb, f"{group_id}.{field_id}")
            wb[sheet].cell(first + position - 1, col).value = value
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def read(spec: FormSpec, data: bytes):
    return read_xlsx(open_package(f"{spec.id}.xlsx", data), spec)


def only_group(spec: FormSpec) -> Group:
    (group,) = spec.groups()
    return group


def validation_for(ws, coordinate: str):
    """The data validation covering one cell, or None."""
    for rule in ws.data_validations.dataValidation:
        if coordinate in rule.sqref:
            return rule
    return None


def extra_types_spec(**group_changes: object) -> FormSpec:
    """A small spec using the field types the catalogue's Excel forms do not: number, yes_no, multi_choice."""
    header = (
        Field("quarter", "Quarter", "quarter", required=True),
        Field("completed_by", "Completed by", "short_text", required=True),
        Field("completed_on", "Date completed", "date", required=True),
        Field("visits", "Visits made", "number", minimum=0, maximum=50, guidance="Count every visit, planned or not."),
        Field("signed_off", "Signed off", "yes_no"),
        Field("edi_evaluation", "Equality, diversity and identity", "long_text"),
    )
    columns = (
        Field("child_id", "Child ID", "short_text", width=12),
        Field("contacts", "Contacts", "multi_choice", choices=("Phone", "Visit", "Letter"), width=20),
        Field("seen", "Seen", "yes_no", width=8),
    )
    group = Group("children", "Children", columns, **group_changes)
    return FormSpec(
        id="visit_log", version=2, title="Visit log", format="xlsx",
        sections=(Section("About", header), Section("Children", (group,))),
    )


# -- the round trip every Excel form must survive ----------------------------------------------------


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_filled_form_reads_back_what_was_typed(key: str) -> None:
    spec = CATALOGUE.find(key)
    group = only_group(spec)
    values = {item.id: sample(item, 0) for item in spec.fields()}
    typed = {
        1: {item.id: sample(item, 1) for item in group.fields},
        2: {item.id: sample(item, 2) for item in group.fields},
        # row 3 left blank: it must be skipped, not returned as an empty row
        4: {item.id: sample(item, 4) for item in group.fields[:2]},
    }
    result = read(spec, fill(build_xlsx(spec), values, typed, group.id))

    assert result.problems == []
    assert result.kind == "xlsx"
    assert result.epoch_1904 is False
    assert result.values == values
    expected_rows = [{item.id: answers.get(item.id) for item in group.fields} for answers in typed.values()]
    assert result.groups == {group.id: expected_rows}


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_blank_template_reads_as_empty(key: str) -> None:
    spec = CATALOGUE.find(key)
    result = read(spec, build_xlsx(spec))
    assert result.problems == []
    assert result.values == {item.id: None for item in spec.fields()}
    assert result.groups == {only_group(spec).id: []}


def test_text_is_stripped_and_whitespace_only_is_empty() -> None:
    spec = CATALOGUE.find("dip_sample")
    data = fill(build_xlsx(spec), {"auditor": "  Ana Patel \n", "theme": "   "}, {2: {"team": " North ", "owner": "  "}})
    result = read(spec, data)
    assert result.values["auditor"] == "Ana Patel"
    assert result.values["theme"] is None
    assert [row["team"] for row in result.groups["children"]] == ["North"]
    assert result.groups["children"][0]["owner"] is None


def test_prefilled_copy_reads_back_its_values() -> None:
    spec = CATALOGUE.find("thematic_audit/quality_of_visits")
    values = {"quarter": "2022-23-Q4", "completed_on": dt.date(2023, 3, 1), "auditor": "Ana Patel"}
    rows = [{"child_id": "AB123", "team": "North", "level_of_need": "Child in need"}] * 20
    data = build_xlsx(spec, values, rows, issue_id="Q4-0007")
    package = open_package("issued.xlsx", data)
    result = read_xlsx(package, spec)

    assert package.issue_id == "Q4-0007"
    assert {k: v for k, v in result.values.items() if v is not None} == values
    # more rows than the template's blank rows: the table grows to hold them all
    assert len(result.groups["children"]) == 20
    assert result.groups["children"][0]["level_of_need"] == "Child in need"


def test_number_yes_no_and_multi_choice_round_trip() -> None:
    spec = extra_types_spec()
    data = build_xlsx(spec, {"visits": 7, "signed_off": True}, [{"child_id": "X1", "contacts": ["Phone", "Letter"], "seen": False}])
    data = fill(data, {"completed_by": "Sam"}, {2: {"child_id": "X2", "seen": "Yes"}})
    result = read(spec, data)

    assert result.values["visits"] == 7
    assert result.values["signed_off"] == "Yes"
    assert result.values["completed_by"] == "Sam"
    assert result.groups["children"] == [
        {"child_id": "X1", "contacts": "Phone; Letter", "seen": "No"},
        {"child_id": "X2", "contacts": None, "seen": "Yes"},
    ]


def test_rows_typed_under_the_table_are_not_lost() -> None:
    # Typing directly under an Excel table extends the table but not our named ranges.
    spec = CATALOGUE.find("dip_sample")
    group = only_group(spec)
    data = fill(build_xlsx(spec), {}, {1: {"child_id": "AB1"}, group.rows + 1: {"child_id": "AB2"}})
    assert [row["child_id"] for row in read(spec, data).groups["children"]] == ["AB1", "AB2"]


# -- identity, layout and protection -------------------------------------------------------------------


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_custom_properties_identify_the_form(key: str) -> None:
    spec = CATALOGUE.find(key)
    for data in (build_xlsx(spec), fill(build_xlsx(spec), {"auditor": "Ana"}, {})):
        package = open_package("form.xlsx", data)
        assert package.kind == "xlsx"
        assert package.form_id == spec.id
        assert package.variant == spec.variant
        assert package.version == str(spec.version)
        assert package.issue_id is None


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_choice_lists_live_on_a_hidden_sheet(key: str) -> None:
    spec = CATALOGUE.find(key)
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec)))
    lists, form = wb["Lists"], wb["Form"]
    assert lists.sheet_state == "hidden"
    assert form.sheet_state == "visible"
    group = only_group(spec)
    choice_columns = [item for item in group.fields if item.type in ("choice", "grade", "yes_no")]
    assert choice_columns, "every catalogue Excel form has drop-down columns"
    for item in choice_columns:
        _, (col, first, _, last) = name_cells(wb, f"{group.id}.{item.id}")
        rule = validation_for(form, f"{openpyxl.utils.get_column_letter(col)}{last}")
        assert rule is not None and rule.type == "list", item.id
        sheet, (list_col, top, _, bottom) = range_boundaries_of(rule.formula1)
        assert sheet == "Lists"
        assert tuple(lists.cell(r, list_col).value for r in range(top, bottom + 1)) == item.options
        assert item.label in rule.error and item.options[-1] in rule.error
        assert rule.showErrorMessage and rule.errorStyle == "stop"


def range_boundaries_of(formula: str) -> tuple[str, tuple[int, int, int, int]]:
    sheet, cells = formula.split("!")
    return sheet.strip("'"), range_boundaries(cells.replace("$", ""))


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_dates_are_validated_and_shown_as_dd_mm_yyyy(key: str) -> None:
    spec = CATALOGUE.find(key)
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec)))
    form = wb["Form"]
    _, (col, row, _, _) = name_cells(wb, "completed_on")
    cell = form.cell(row, col)
    assert cell.number_format == "dd/mm/yyyy"
    assert validation_for(form, cell.coordinate).type == "date"
    _, (col, first, _, _) = name_cells(wb, "children.due_date")
    assert form.cell(first, col).number_format == "dd/mm/yyyy"
    assert validation_for(form, form.cell(first, col).coordinate).type == "date"


def test_whole_number_validation_uses_the_spec_limits() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(extra_types_spec())))
    _, (col, row, _, _) = name_cells(wb, "visits")
    rule = validation_for(wb["Form"], wb["Form"].cell(row, col).coordinate)
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == ("whole", "between", "0", "50")
    assert rule.prompt.startswith("Count every visit")


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_only_answer_cells_can_be_edited(key: str) -> None:
    spec = CATALOGUE.find(key)
    group = only_group(spec)
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec)))
    form = wb["Form"]
    assert form.protection.sheet is True
    assert not form.protection.password
    assert form.protection.formatColumns is False and form.protection.formatRows is False
    for item in spec.fields():
        _, (col, row, _, _) = name_cells(wb, item.id)
        assert form.cell(row, col).protection.locked is False, item.id
        assert form.cell(row, 1).protection.locked is True  # its label
    for item in group.fields:
        _, (col, first, _, last) = name_cells(wb, f"{group.id}.{item.id}")
        assert all(form.cell(r, col).protection.locked is False for r in range(first, last + 1)), item.id
        assert form.cell(first - 1, col).protection.locked is True  # the column heading
    assert form.cell(1, 1).protection.locked is True  # the title


@pytest.mark.parametrize("key", XLSX_KEYS)
def test_rows_sit_in_an_excel_table_with_named_columns(key: str) -> None:
    spec = CATALOGUE.find(key)
    group = only_group(spec)
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec)))
    form = wb["Form"]
    (table,) = form.tables.values()
    min_col, header_row, max_col, last = range_boundaries(table.ref)
    assert table.tableStyleInfo.name.startswith("TableStyle")
    assert [form.cell(header_row, c).value for c in range(min_col, max_col + 1)] == [f.label for f in group.fields]
    assert [c.name for c in table.tableColumns] == [f.label for f in group.fields]
    assert last - header_row == group.rows
    assert form.freeze_panes == f"A{header_row + 1}"
    assert form.print_title_rows == f"${header_row}:${header_row}"
    assert form.page_setup.orientation == "landscape" and form.page_setup.fitToWidth == 1
    for col, item in enumerate(group.fields, min_col):
        sheet, bounds = name_cells(wb, f"{group.id}.{item.id}")
        assert (sheet, bounds) == ("Form", (col, header_row + 1, col, last))
        letter = openpyxl.utils.get_column_letter(col)
        if col > 1:  # column A also holds the header labels, so it may be wider
            assert form.column_dimensions[letter].width == item.width
    # Text format keeps a child ID like 0123 from becoming the number 123 when typed
    assert form.cell(header_row + 1, min_col).number_format == "@"


def test_header_guidance_is_shown_beside_its_box() -> None:
    spec = CATALOGUE.find("dip_sample")
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec)))
    form = wb["Form"]
    _, (_, row, _, _) = name_cells(wb, "edi_evaluation")
    texts = [cell.value for cell in form[row] if isinstance(cell.value, str)]
    assert spec.field("edi_evaluation").guidance in texts
    assert spec.display_title == form["A1"].value


def test_narrow_form_puts_guidance_in_a_comment() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(extra_types_spec())))
    _, (col, row, _, _) = name_cells(wb, "visits")
    assert wb["Form"].cell(row, col).comment.text == "Count every visit, planned or not."


def test_prefilled_text_starting_with_equals_is_not_a_formula() -> None:
    spec = CATALOGUE.find("dip_sample")
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsx(spec, {"auditor": "=HYPERLINK(\"http://x\")"})))
    _, (col, row, _, _) = name_cells(wb, "auditor")
    assert wb["Form"].cell(row, col).data_type == "s"


def test_unknown_answer_names_are_refused() -> None:
    spec = CATALOGUE.find("dip_sample")
    with pytest.raises(ValueError, match="auditer"):
        build_xlsx(spec, {"auditer": "Ana"})
    with pytest.raises(ValueError, match="teem"):
        build_xlsx(spec, rows=[{"teem": "North"}])


# -- problems the reader reports ---------------------------------------------------------------------


def test_formula_is_reported_not_taken_as_the_answer() -> None:
    spec = CATALOGUE.find("dip_sample")
    data = fill(build_xlsx(spec), {"auditor": "=B5&\"x\""}, {3: {"child_id": "AB1", "team": "=UPPER(A1)"}})  # table rows 1-2 blank
    result = read(spec, data)

    assert result.values["auditor"] is None
    assert result.groups["children"][0]["team"] is None
    assert result.problems == [
        Problem(message("formula", label="Auditor", formula="=B5&\"x\""), field="auditor"),
        Problem(message("formula", label="Team (row 3)", formula="=UPPER(A1)"), field="children.3.team"),
    ]
    assert result.row_numbers == {"children": [3]}  # named where it sits, below two blank rows


def test_1904_workbook_is_flagged_and_dates_still_read() -> None:
    spec = CATALOGUE.find("dip_sample")
    data = fill(build_xlsx(spec), {"completed_on": dt.date(2023, 1, 5)}, {1: {"due_date": dt.date(2023, 2, 1)}}, epoch_1904=True)
    result = read(spec, data)
    assert result.epoch_1904 is True
    assert result.values["completed_on"] == dt.date(2023, 1, 5)
    assert result.groups["children"][0]["due_date"] == dt.date(2023, 2, 1)


def test_too_many_rows_is_reported() -> None:
    spec = extra_types_spec(max_rows=2)
    data = build_xlsx(spec, rows=[{"child_id": f"C{n}"} for n in range(3)])
    result = read(spec, data)
    assert result.problems == [Problem(message("too_many_rows", label="Children", count=3, limit=2), field="children")]
    assert [row["child_id"] for row in result.groups["children"]] == ["C0", "C1"]


def _without_name(data: bytes, name: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    del wb.defined_names[name]
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


def _without_form_sheet(data: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb.create_sheet("Notes")
    del wb["Form"]
    stream = io.BytesIO()
    wb.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(
    "damage", [lambda d: _without_name(d, "quarter"), lambda d: _without_name(d, "children.team"), _without_form_sheet],
    ids=["header name", "column name", "form sheet"],
)
def test_lost_names_or_sheet_are_reported(damage) -> None:
    spec = CATALOGUE.find("dip_sample")
    result = read(spec, damage(build_xlsx(spec)))
    assert result.problems == [Problem(message("missing_sheet"))]
    assert result.values == {} and result.groups == {}


def test_renamed_form_sheet_still_reads() -> None:
    spec = CATALOGUE.find("dip_sample")
    wb = openpyxl.load_workbook(io.BytesIO(fill(build_xlsx(spec), {"auditor": "Ana"}, {1: {"team": "North"}})))
    wb["Form"].title = "Sample"  # Excel rewrites the names to follow a renamed sheet; do as it does
    for name in list(wb.defined_names):
        wb.defined_names[name].attr_text = wb.defined_names[name].attr_text.replace("'Form'!", "Sample!")
    stream = io.BytesIO()
    wb.save(stream)
    result = read(spec, stream.getvalue())
    assert result.problems == []
    assert result.values["auditor"] == "Ana"
    assert result.groups["children"][0]["team"] == "North"


def test_damaged_worksheet_is_a_read_error() -> None:
    spec = CATALOGUE.find("dip_sample")
    source = zipfile.ZipFile(io.BytesIO(build_xlsx(spec)))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]  # cut off mid-element, as a half-copied file would be
            target.writestr(info, body)
    with pytest.raises(ReadError) as caught:
        read(spec, stream.getvalue())
    assert str(caught.value) == message("corrupt", detail="its workbook parts cannot be read")


def test_field_id_that_looks_like_a_cell_still_gets_a_legal_name() -> None:
    # 'q1' is also the cell Q1; Excel refuses a defined name that could be read as a cell.
    base = extra_types_spec()
    extra = Section("More", (Field("q1", "First question", "short_text"),))
    spec = replace(base, sections=(base.sections[0], extra, base.sections[1]))
    data = build_xlsx(spec, {"q1": "An answer"})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert "q1" not in wb.defined_names and "_q1" in wb.defined_names
    assert read(spec, data).values["q1"] == "An answer"

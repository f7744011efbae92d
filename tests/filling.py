"""Fill blank templates the way people do: Word content controls via the filler, Excel cells via openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from pipeline.spec import FormSpec
from pipeline.templates import build_form
from pipeline.templates.docx_fill import fill_docx


def fill(spec: FormSpec, values: dict[str, object], groups: dict[str, list[dict[str, object]]] | None = None) -> bytes:
    """The blank template for *spec* with *values* and *groups* typed in, as the user saves it."""
    blank = build_form(spec)
    if spec.format == "docx":
        return fill_docx(blank, spec, values, groups)
    return fill_xlsx(blank, spec, values, groups or {})


def fill_xlsx(blank: bytes, spec: FormSpec, values: dict[str, object], groups: dict[str, list[dict[str, object]]]) -> bytes:
    """Open the workbook as Excel would, type into the named cells and the table rows, save."""
    workbook = openpyxl.load_workbook(io.BytesIO(blank))
    for field_id, value in values.items():
        sheet, cell = _cell(workbook, field_id)
        sheet[cell].value = _excel(value)
    for group_id, rows in groups.items():
        for field_id in {key for row in rows for key in row}:
            sheet, ref = _cell(workbook, f"{group_id}.{field_id}")
            first = ref.split(":")[0]
            column = "".join(ch for ch in first if ch.isalpha())
            start = int("".join(ch for ch in first if ch.isdigit()))
            for offset, row in enumerate(rows):
                if field_id in row:
                    sheet[f"{column}{start + offset}"].value = _excel(row[field_id])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(workbook, name: str):
    sheet_name, ref = next(iter(workbook.defined_names[name].destinations))
    return workbook[sheet_name], ref.replace("$", "")


def _excel(value: object) -> object:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value

"""Stored submissions for analysts: JSON, CSV or an Excel workbook with labelled columns."""

from __future__ import annotations

import csv
import io
import json

from .spec import Catalogue, FormSpec
from .store import StoredSubmission

FORMATS = ("json", "csv", "xlsx")


def as_records(submissions: list[StoredSubmission]) -> list[dict]:
    """One plain dict per submission, in the shape `qa export` documents."""
    return [
        {
            "form": s.form,
            "variant": s.variant,
            "version": s.version,
            "file": s.file,
            "status": s.status,
            "received_at": s.received_at,
            "values": s.values,
            "groups": s.groups,
        }
        for s in submissions
    ]


def to_json(submissions: list[StoredSubmission]) -> str:
    """JSON list of records: dates as ISO strings, numbers as numbers, lists and booleans as themselves."""
    return json.dumps(as_records(submissions), ensure_ascii=False, indent=2)


def to_csv(submissions: list[StoredSubmission]) -> str:
    """One row per submission; repeat groups as a JSON column each (use xlsx for a sheet per group)."""
    columns: list[str] = []
    groups: list[str] = []
    for s in submissions:
        columns += [k for k in s.values if k not in columns]
        groups += [g for g in s.groups if g not in groups]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["form", "variant", "version", "file", "status", *columns, *groups])
    for s in submissions:
        writer.writerow(
            [s.form, s.variant or "", s.version, s.file, s.status]
            + [_cell(s.values.get(c)) for c in columns]
            + [json.dumps(s.groups.get(g, []), ensure_ascii=False) for g in groups]
        )
    return buffer.getvalue()


def to_xlsx(submissions: list[StoredSubmission], catalogue: Catalogue) -> bytes:
    """A workbook with one sheet per form (and per repeat group), columns headed by field labels."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    by_spec: dict[str, list[StoredSubmission]] = {}
    for s in submissions:
        by_spec.setdefault(f"{s.form}/{s.variant}" if s.variant else s.form, []).append(s)
    for key, items in sorted(by_spec.items()):
        spec = _spec(catalogue, items[0])
        fields = [(f.id, f.label) for f in spec.fields()] if spec else [(k, k) for k in items[0].values]
        sheet = workbook.create_sheet(_sheet_name(key))
        sheet.append(["Submission", "File", "Status", *[label for _, label in fields]])
        for s in items:
            sheet.append([s.id, s.file, s.status, *[_cell(s.values.get(fid)) for fid, _ in fields]])
        for group in spec.groups() if spec else ():
            rows_sheet = workbook.create_sheet(_sheet_name(f"{key}.{group.id}"))
            rows_sheet.append(["Submission", "File", "Row", *[f.label for f in group.fields]])
            for s in items:
                for number, row in enumerate(s.groups.get(group.id, []), 1):
                    rows_sheet.append([s.id, s.file, number, *[_cell(row.get(f.id)) for f in group.fields]])
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    if not workbook.worksheets:
        workbook.create_sheet("No submissions")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _spec(catalogue: Catalogue, s: StoredSubmission) -> FormSpec | None:
    try:
        return catalogue.get(s.form, s.variant)
    except KeyError:
        return None


def _sheet_name(key: str) -> str:
    name = key.replace("/", " ").replace(":", " ")
    return name[:31]


def _cell(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value

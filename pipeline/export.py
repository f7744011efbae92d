"""Stored submissions for analysts: JSON, CSV or an Excel workbook with labelled columns.

By default an export is a collated output like the report: answers in fields marked sensitive
(children's names, free text about the child) and file names are left out, and a submission is
referred to by its number in the store. `include_sensitive` puts them back; `pseudonyms` replaces
every child ID with its stable per-workspace pseudonym.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from .pseudonym import Pseudonyms
from .report.redact import Redactor
from .spec import Catalogue, FormSpec
from .store import StoredSubmission

INCLUDE_SENSITIVE_WARNING = (
    "This export includes the fields marked sensitive (children's names and free text about them) and file names. "
    "Keep it where only people entitled to see them can open it."
)
UNKNOWN_FORM_NOTE = (
    "Left out the answers of {count} submission(s) whose form is no longer in form_templates/, since which of "
    "their fields are sensitive is not known. Add --include-sensitive to export them."
)


@dataclass(frozen=True)
class Prepared:
    """Submissions shaped for export, and how many had their answers left out for want of a spec."""

    submissions: list[StoredSubmission]
    include_sensitive: bool
    without_spec: int = 0


def prepare(submissions: list[StoredSubmission], catalogue: Catalogue, include_sensitive: bool = False,
            pseudonyms: Pseudonyms | None = None, names_from: Iterable[StoredSubmission] = ()) -> Prepared:
    """Shape *submissions* for export.

    Unless *include_sensitive*: sensitive answers are left out, and a child's name held in any of
    *names_from* (every stored submission) is replaced, wherever else it was typed, by the child's ID.
    With *pseudonyms*, every child ID (and the ID standing in for a name) is its pseudonym.
    """
    redactor = None if include_sensitive else Redactor.from_submissions(catalogue, names_from, pseudonyms)
    shaped, without_spec = [], 0
    for submission in submissions:
        spec = _spec(catalogue, submission)
        if spec is None and not include_sensitive:
            without_spec += 1
            shaped.append(dataclasses.replace(submission, values={}, groups={}, child_id=None))
            continue
        hidden = set() if include_sensitive else spec.sensitive_fields()
        # A form gone from the catalogue (exported only with include_sensitive) used the usual id.
        ids = spec.identifying_fields("child_id") if spec else {"child_id"}
        free_text = {item.id for item, _ in spec.all_fields() if item.type == "long_text"} if spec else set()

        def clean(answers: dict[str, object]) -> dict[str, object]:
            kept = {key: _redacted(value, key in free_text, redactor) for key, value in answers.items() if key not in hidden}
            if pseudonyms is not None:
                kept.update({key: pseudonyms(kept[key]) for key in ids if kept.get(key)})
            return kept

        shaped.append(dataclasses.replace(
            submission,
            values=clean(submission.values),
            groups={group: [clean(row) for row in rows] for group, rows in submission.groups.items()},
            child_id=pseudonyms(submission.child_id) if pseudonyms and submission.child_id else submission.child_id,
        ))
    return Prepared(shaped, include_sensitive, without_spec)


def as_records(prepared: Prepared) -> list[dict]:
    """One plain dict per submission, in the shape `qa export` documents."""
    return [
        {
            "submission": s.id,
            "form": s.form,
            "variant": s.variant,
            "version": s.version,
            **({"file": s.file} if prepared.include_sensitive else {}),
            "status": s.status,
            "received_at": s.received_at,
            "values": s.values,
            "groups": s.groups,
        }
        for s in prepared.submissions
    ]


def to_json(prepared: Prepared) -> str:
    """JSON list of records: dates as ISO strings, numbers as numbers, lists and booleans as themselves."""
    return json.dumps(as_records(prepared), ensure_ascii=False, indent=2)


def to_csv(prepared: Prepared) -> str:
    """One row per submission; repeat groups as a JSON column each (use xlsx for a sheet per group)."""
    columns: list[str] = []
    groups: list[str] = []
    for s in prepared.submissions:
        columns += [k for k in s.values if k not in columns]
        groups += [g for g in s.groups if g not in groups]
    file_column = ["file"] if prepared.include_sensitive else []
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "form", "variant", "version", *file_column, "status", *columns, *groups])
    for s in prepared.submissions:
        writer.writerow(
            [s.id, s.form, s.variant or "", s.version, *([s.file] if file_column else []), s.status]
            + [_cell(s.values.get(c)) for c in columns]
            + [json.dumps(s.groups.get(g, []), ensure_ascii=False) for g in groups]
        )
    return buffer.getvalue()


def to_xlsx(prepared: Prepared, catalogue: Catalogue) -> bytes:
    """A workbook with one sheet per form (and per repeat group), columns headed by field labels."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    by_spec: dict[str, list[StoredSubmission]] = {}
    for s in prepared.submissions:
        by_spec.setdefault(f"{s.form}/{s.variant}" if s.variant else s.form, []).append(s)
    shown = (lambda item: True) if prepared.include_sensitive else (lambda item: not item.sensitive)
    file_column = ["File"] if prepared.include_sensitive else []
    for key, items in sorted(by_spec.items()):
        spec = _spec(catalogue, items[0])
        fields = [(f.id, f.label) for f in spec.fields() if shown(f)] if spec else [(k, k) for k in items[0].values]
        sheet = workbook.create_sheet(_sheet_name(key))
        sheet.append(["Submission", *file_column, "Status", *[label for _, label in fields]])
        for s in items:
            sheet.append([s.id, *([s.file] if file_column else []), s.status, *[_cell(s.values.get(fid)) for fid, _ in fields]])
        for group in spec.groups() if spec else ():
            columns = [f for f in group.fields if shown(f)]
            rows_sheet = workbook.create_sheet(_sheet_name(f"{key}.{group.id}"))
            rows_sheet.append(["Submission", "Row", *[f.label for f in columns]])
            for s in items:
                for number, row in enumerate(s.groups.get(group.id, []), 1):
                    rows_sheet.append([s.id, number, *[_cell(row.get(f.id)) for f in columns]])
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    if not workbook.worksheets:
        workbook.create_sheet("No submissions")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _redacted(value: object, free_text: bool, redactor: Redactor | None) -> object:
    if redactor is None or not isinstance(value, str):
        return value
    # Free text: first or last names written alone go too; a short answer (a staff name, a team) only
    # loses a whole child's name, so a worker who shares a child's surname keeps theirs.
    return redactor.text(value) if free_text else redactor.name(value)


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

"""What a reader returns: raw answers by field id, before validation turns them into typed values."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem


@dataclass
class RawSubmission:
    """Answers as found in the file: text, dates, numbers, booleans or lists, keyed by field id.

    An empty answer is None. Repeat groups are lists of rows, each a dict keyed by field id;
    rows with nothing filled in are left out. Problems found while reading (a lost tag, a
    duplicated control) are collected here for validation to report with the rest.
    """

    kind: str  # "docx" or "xlsx"
    properties: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)
    groups: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    epoch_1904: bool = False  # an Excel workbook counting serial dates from 1904
    # Where each kept row sits on the form (1 = the table's first row), so a problem names the row
    # the person sees even when they left rows blank above it. Absent: rows are numbered 1, 2, ….
    row_numbers: dict[str, list[int]] = field(default_factory=dict)
    # Some controls had lost their names (the file was re-saved by another editor, LibreOffice for
    # example) and their answers were placed by the form's layout: order, kind, lists, tables.
    recovered: bool = False

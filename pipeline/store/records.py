"""What the store holds, as plain records: submissions, ingest-log entries, issued forms, and their references."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

from ..spec import Catalogue, FormSpec, Group
from ..spec.contract import DISTINCT_ROLES, IDENTITY_ROLES
from ..validate import Submission


@dataclass(frozen=True)
class StoredSubmission:
    """A submission as stored: typed values come back with dates as ISO strings."""

    id: int
    form: str
    variant: str | None
    version: int
    quarter: str | None
    child_id: str | None
    author: str | None
    issue_id: str | None
    file: str
    received_at: str
    status: str
    values: dict[str, object]
    groups: dict[str, list[dict[str, object]]]
    recovered: bool = False  # read from a re-saved file whose answers were placed by the form's layout
    spec: FormSpec | None = field(default=None, repr=False, compare=False)  # set by bind(): answers by role

    @cached_property
    def _by_role(self) -> dict[str, object]:
        return self.spec.by_role(self.values) if self.spec else {}

    def answer(self, role: str) -> object:
        """The answer to the field with *role* (spec/contract.py), or None."""
        return self._by_role.get(role)

    def rows(self, role: str) -> list[dict[str, object]]:
        """The rows of the repeat group with *role*, each keyed by its columns' roles."""
        group = self.spec.role_group(role) if self.spec else None
        return [group.by_role(row) for row in self.groups.get(group.id, [])] if group else []

    def all_rows(self) -> list[tuple[Group, list[dict[str, object]]]]:
        """Every repeat group with its rows keyed by role."""
        groups = self.spec.groups() if self.spec else ()
        return [(group, [group.by_role(row) for row in self.groups.get(group.id, [])]) for group in groups]


def bind(submissions: list[StoredSubmission], catalogue: Catalogue) -> list[StoredSubmission]:
    """*submissions* with their form's spec, so answers are read by role; a retired variant reads by its base form."""
    specs: dict[tuple[str, str | None], FormSpec | None] = {}

    def spec_of(submission: StoredSubmission) -> FormSpec | None:
        key = (submission.form, submission.variant)
        if key not in specs:
            try:
                specs[key] = catalogue.get(*key)
            except KeyError:
                try:
                    specs[key] = catalogue.get(submission.form)
                except KeyError:
                    specs[key] = None
        return specs[key]

    return [replace(s, spec=spec_of(s)) for s in submissions]


@dataclass(frozen=True)
class LogEntry:
    """One file's ingest outcome (a rejection also says which accepted submission resolved it, if any)."""

    at: str
    file: str
    status: str
    form: str | None
    quarter: str | None
    problems: list[str]  # as every collated output shows them: naming field and rule, never quoting what was typed
    destination: str | None
    id: int = 0
    submission_id: int | None = None
    resolved_by: int | None = None
    resolved_at: str | None = None
    match_key: str | None = None  # what a corrected resubmission must match, read once from the rejected file
    quoted: list[str] = field(default_factory=list)  # as the note beside the rejected file words them, for its author only


def submission_ref(submission_id: int) -> str:
    """The stable reference a report uses for a stored submission instead of its file name: 'S-0042'."""
    return f"S-{submission_id:04d}"


def rejection_ref(log_id: int) -> str:
    """The stable reference for a rejected file: its ingest-log number, 'R-0007'."""
    return f"R-{log_id:04d}"


@dataclass(frozen=True)
class FileRecord:
    """Where the ingest log says a dropped file was put, and the hash of its bytes (None if never read)."""

    claim: str | None
    file: str
    status: str
    sha256: str | None
    destination: str


@dataclass(frozen=True)
class IssuedForm:
    """A pre-filled form sent to a member of staff."""

    issue_id: str
    form: str
    variant: str | None
    quarter: str
    assignee: str
    child_id: str | None
    issued_at: str
    path: str


def _json_default(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(value: object) -> str:
    """*value* as the JSON text a store column holds (dates as ISO strings)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def now() -> str:
    """The time a row records, to the second."""
    return dt.datetime.now().isoformat(timespec="seconds")


def identity(submission: Submission) -> str:
    """What makes two submissions the same piece of work (a later one replaces the earlier)."""
    parts = [submission.form, submission.variant or "", submission.quarter or "", (submission.author or "").casefold()]
    parts += [str(submission.answer(role) or "").casefold() for role in IDENTITY_ROLES]
    parts += [str(submission.answer(role)) for role in DISTINCT_ROLES if submission.answer(role)]
    return "|".join(parts)


Row = Mapping[str, Any]


def stored(row: Row) -> StoredSubmission:
    """A submission row as a record."""
    return StoredSubmission(
        id=row["id"], form=row["form"], variant=row["variant"] or None, version=row["version"],
        quarter=row["quarter"], child_id=row["child_id"], author=row["author"], issue_id=row["issue_id"],
        file=row["file"], received_at=row["received_at"], status=row["status"],
        values=json.loads(row["values_json"]), groups=json.loads(row["groups_json"]), recovered=bool(row["recovered"]),
    )


# A file rejected before problems had a public wording: its reasons may quote a name typed in the
# wrong box, so outputs show this instead of them.
LEGACY_REASONS = "The reasons are in the note beside the file in rejected/ (logged before reasons were worded for reports)."


def log_entry(row: Row) -> LogEntry:
    """An ingest-log row as a record: public reasons for every output, quoted ones for the note only."""
    quoted = json.loads(row["problems_json"])
    public = json.loads(row["public_json"]) if row["public_json"] is not None else [LEGACY_REASONS] if quoted else []
    return LogEntry(row["at"], row["file"], row["status"], row["form"], row["quarter"], public,
                    row["destination"], row["id"], row["submission_id"], row["resolved_by"], row["resolved_at"], row["match_key"],
                    quoted)


def issued_form(row: Row) -> IssuedForm:
    """An issued-form row as a record."""
    return IssuedForm(row["issue_id"], row["form"], row["variant"] or None, row["quarter"], row["assignee"], row["child_id"],
                      row["issued_at"], row["path"])

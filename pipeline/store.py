"""The SQLite store: submissions with their history, the ingest log, and the forms issued to staff."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Iterator

from .spec import Catalogue, FormSpec, Group
from .spec.contract import DISTINCT_ROLES, IDENTITY_ROLES
from .validate import Submission

SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    id INTEGER PRIMARY KEY,
    form TEXT NOT NULL,
    variant TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    quarter TEXT,
    child_id TEXT,
    author TEXT,
    issue_id TEXT,
    identity TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'current',
    replaced_by INTEGER REFERENCES submission(id),
    values_json TEXT NOT NULL,
    groups_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submission_current ON submission(status, form, quarter);
CREATE INDEX IF NOT EXISTS submission_identity ON submission(identity, status);
CREATE INDEX IF NOT EXISTS submission_issue ON submission(issue_id, status);
CREATE INDEX IF NOT EXISTS submission_sha ON submission(sha256);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    file TEXT NOT NULL,
    claim TEXT,
    sha256 TEXT,
    status TEXT NOT NULL,
    form TEXT,
    quarter TEXT,
    problems_json TEXT NOT NULL DEFAULT '[]',
    public_json TEXT,
    destination TEXT,
    submission_id INTEGER REFERENCES submission(id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ingest_log_claim ON ingest_log(claim);
CREATE INDEX IF NOT EXISTS ingest_log_sha ON ingest_log(sha256, status);
CREATE TABLE IF NOT EXISTS issued (
    issue_id TEXT PRIMARY KEY,
    form TEXT NOT NULL,
    variant TEXT NOT NULL DEFAULT '',
    quarter TEXT NOT NULL,
    assignee TEXT NOT NULL,
    child_id TEXT,
    issued_at TEXT NOT NULL,
    path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_done (
    key TEXT PRIMARY KEY,
    done_at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""



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


def _dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Store:
    """The workspace's database. Each write is one transaction; several processes may share it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=60000")
        self._db.executescript(SCHEMA)
        _add_resolution_columns(self._db)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self):
        return _Transaction(self._db)

    # --- ingest -----------------------------------------------------------------------------

    def is_known_file(self, sha256: str) -> bool:
        """Whether a byte-identical file was already accepted."""
        row = self._db.execute(
            "SELECT 1 FROM ingest_log WHERE sha256 = ? AND status IN ('accepted', 'replaced') LIMIT 1", (sha256,)
        ).fetchone()
        return row is not None

    def claimed_outcome(self, claim: str) -> LogEntry | None:
        """The logged outcome of a claim, if its file was processed before a crash stopped the move."""
        row = self._db.execute("SELECT * FROM ingest_log WHERE claim = ?", (claim,)).fetchone()
        return _log_entry(row) if row else None

    def save(self, submission: Submission, *, file: str, sha256: str, claim: str, destination: str,
             duplicate_destination: str | None = None, recovered: bool = False) -> str:
        """Store an accepted submission and log it in one transaction; return 'accepted' or 'replaced'.

        Returns 'duplicate' (and stores nothing) if a byte-identical file was accepted meanwhile,
        by another process sharing the store.
        """
        identity = _identity(submission)
        with self._transaction():
            if self.is_known_file(sha256):
                self._insert_log(file, claim, sha256, "duplicate", None, None, [], duplicate_destination, None)
                return "duplicate"
            earlier = None
            if submission.issue_id:
                earlier = self._db.execute(
                    "SELECT id FROM submission WHERE issue_id = ? AND status = 'current'", (submission.issue_id,)
                ).fetchall()
            if not earlier:
                earlier = self._db.execute(
                    "SELECT id FROM submission WHERE identity = ? AND status = 'current'", (identity,)
                ).fetchall()
            cursor = self._db.execute(
                "INSERT INTO submission (form, variant, version, quarter, child_id, author, issue_id, identity,"
                " file, sha256, received_at, values_json, groups_json, recovered) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    submission.form, submission.variant or "", submission.version, submission.quarter,
                    submission.child_id, submission.author, submission.issue_id, identity, file, sha256, _now(),
                    _dumps(submission.values), _dumps(submission.groups), int(recovered),
                ),
            )
            new_id = cursor.lastrowid
            for row in earlier:
                self._db.execute("UPDATE submission SET status = 'replaced', replaced_by = ? WHERE id = ?", (new_id, row["id"]))
            status = "replaced" if earlier else "accepted"
            self._insert_log(file, claim, sha256, status, submission.form, submission.quarter, [], destination, new_id)
        return status

    def log(self, *, file: str, claim: str | None, sha256: str | None, status: str, form: str | None,
            quarter: str | None = None, problems: list[str] | None = None, destination: str | None = None,
            public: list[str] | None = None) -> None:
        """Record a file that was not stored (rejected or duplicate).

        *problems* are worded for the note beside the file; *public* (default: each catalogue message's
        public wording) for every other output.
        """
        with self._transaction():
            self._insert_log(file, claim, sha256, status, form, quarter, problems or [], destination, None, public)

    def _insert_log(self, file, claim, sha256, status, form, quarter, problems, destination, submission_id, public=None) -> None:
        self._db.execute(
            "INSERT INTO ingest_log (at, file, claim, sha256, status, form, quarter, problems_json, public_json, destination,"
            " submission_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (_now(), file, claim, sha256, status, form, quarter, _dumps(problems),
             _dumps([getattr(p, "public", p) for p in problems] if public is None else public), destination, submission_id),
        )

    def set_destination(self, claim: str, destination: str) -> None:
        """Record where a claim's file finally landed (when a name taken meanwhile sent it elsewhere)."""
        with self._transaction():
            self._db.execute("UPDATE ingest_log SET destination = ? WHERE claim = ?", (destination, claim))

    def file_records(self) -> list[FileRecord]:
        """Every logged file that was put somewhere, oldest first: what `qa check` compares with the folders."""
        rows = self._db.execute(
            "SELECT claim, file, status, sha256, destination FROM ingest_log WHERE destination IS NOT NULL ORDER BY id"
        )
        return [FileRecord(r["claim"], r["file"], r["status"], r["sha256"], r["destination"]) for r in rows]

    def log_entries(self, status: str | None = None) -> list[LogEntry]:
        """The ingest log, oldest first, optionally of one status."""
        if status:
            rows = self._db.execute("SELECT * FROM ingest_log WHERE status = ? ORDER BY id", (status,))
        else:
            rows = self._db.execute("SELECT * FROM ingest_log ORDER BY id")
        return [_log_entry(row) for row in rows]

    # --- rejections resolved by a later accepted file -----------------------------------------

    def unresolved_rejections(self, form: str, before: int) -> list[LogEntry]:
        """Rejected files of *form* (any of its themed variants) logged before log entry *before*, not yet resolved."""
        rows = self._db.execute(
            "SELECT * FROM ingest_log WHERE status = 'rejected' AND (form = ? OR form LIKE ?) AND id < ?"
            " AND resolved_by IS NULL ORDER BY id",
            (form, f"{form}/%", before),
        )
        return [_log_entry(row) for row in rows]

    def accepted_between(self, form: str, after: int, upto: int) -> list[LogEntry]:
        """Files of *form* accepted (or accepted as a replacement) between two ingest-log entries, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM ingest_log WHERE status IN ('accepted', 'replaced') AND form = ? AND id > ? AND id <= ?"
            " AND submission_id IS NOT NULL ORDER BY id",
            (form, after, upto),
        )
        return [_log_entry(row) for row in rows]

    def resolve_rejection(self, rejection_id: int, submission_id: int, at: str | None = None) -> str | None:
        """Record that *submission_id* resolved a rejection (when it was accepted, *at*, default now).

        Returns the time recorded, or None if the rejection was already resolved.
        """
        at = at or _now()
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE ingest_log SET resolved_by = ?, resolved_at = ? WHERE id = ? AND resolved_by IS NULL",
                (submission_id, at, rejection_id),
            )
        return at if cursor.rowcount else None

    def remember_match_key(self, rejection_id: int, key: str) -> None:
        """Keep what a rejected file's resubmission must match, so the file is read again only once."""
        with self._transaction():
            self._db.execute("UPDATE ingest_log SET match_key = ? WHERE id = ?", (key, rejection_id))

    def submission(self, submission_id: int) -> StoredSubmission | None:
        """One stored submission by its id."""
        row = self._db.execute("SELECT * FROM submission WHERE id = ?", (submission_id,)).fetchone()
        return _stored(row) if row else None

    # --- reading ----------------------------------------------------------------------------

    def submissions(self, form: str | None = None, quarter: str | None = None, include_replaced: bool = False) -> list[StoredSubmission]:
        """Stored submissions (current ones unless asked), oldest first."""
        return list(self.iter_submissions(form, quarter, include_replaced))

    def iter_submissions(self, form: str | None = None, quarter: str | None = None, include_replaced: bool = False) -> Iterator[StoredSubmission]:
        """Like submissions(), one at a time."""
        clauses, params = [], []
        if not include_replaced:
            clauses.append("status = 'current'")
        if form:
            clauses.append("form = ?")
            params.append(form)
        if quarter:
            clauses.append("quarter = ?")
            params.append(quarter)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        for row in self._db.execute(f"SELECT * FROM submission {where} ORDER BY id", params):
            yield _stored(row)

    # --- issued forms -------------------------------------------------------------------------

    def record_issue(self, issued: IssuedForm) -> None:
        """Remember a form sent out, so status can show who has not returned it."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO issued (issue_id, form, variant, quarter, assignee, child_id, issued_at, path) VALUES (?,?,?,?,?,?,?,?)",
                (issued.issue_id, issued.form, issued.variant or "", issued.quarter, issued.assignee, issued.child_id, issued.issued_at, issued.path),
            )

    def issued(self, quarter: str | None = None) -> list[IssuedForm]:
        """Forms issued (for one quarter), with whether each has come back answered by returned_issue_ids()."""
        sql, params = "SELECT * FROM issued", ()
        if quarter:
            sql, params = sql + " WHERE quarter = ?", (quarter,)
        return [
            IssuedForm(r["issue_id"], r["form"], r["variant"] or None, r["quarter"], r["assignee"], r["child_id"], r["issued_at"], r["path"])
            for r in self._db.execute(sql + " ORDER BY issued_at, issue_id", params)
        ]

    # --- what the watcher's schedule has done (so it is done once, across restarts) ------------------

    def schedule_done(self, key: str) -> str | None:
        """The detail recorded when the scheduled task *key* was done, or None if it has not been."""
        row = self._db.execute("SELECT detail FROM schedule_done WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def mark_schedule_done(self, key: str, detail: str = "") -> bool:
        """Record the scheduled task *key* as done; False if it already was."""
        with self._transaction():
            cursor = self._db.execute("INSERT OR IGNORE INTO schedule_done (key, done_at, detail) VALUES (?,?,?)",
                                      (key, _now(), detail))
        return cursor.rowcount == 1

    def returned_issue_ids(self) -> set[str]:
        """Issue ids that have a current submission."""
        rows = self._db.execute("SELECT DISTINCT issue_id FROM submission WHERE issue_id IS NOT NULL AND status = 'current'")
        return {row[0] for row in rows}


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, so two watchers on one store never interleave a file's writes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def _identity(submission: Submission) -> str:
    parts = [submission.form, submission.variant or "", submission.quarter or "", (submission.author or "").casefold()]
    parts += [str(submission.answer(role) or "").casefold() for role in IDENTITY_ROLES]
    parts += [str(submission.answer(role)) for role in DISTINCT_ROLES if submission.answer(role)]
    return "|".join(parts)


def _stored(row: sqlite3.Row) -> StoredSubmission:
    return StoredSubmission(
        id=row["id"], form=row["form"], variant=row["variant"] or None, version=row["version"],
        quarter=row["quarter"], child_id=row["child_id"], author=row["author"], issue_id=row["issue_id"],
        file=row["file"], received_at=row["received_at"], status=row["status"],
        values=json.loads(row["values_json"]), groups=json.loads(row["groups_json"]), recovered=bool(row["recovered"]),
    )


# A file rejected before problems had a public wording: its reasons may quote a name typed in the
# wrong box, so outputs show this instead of them.
LEGACY_REASONS = "The reasons are in the note beside the file in rejected/ (logged before reasons were worded for reports)."


def _log_entry(row: sqlite3.Row) -> LogEntry:
    quoted = json.loads(row["problems_json"])
    public = json.loads(row["public_json"]) if row["public_json"] is not None else [LEGACY_REASONS] if quoted else []
    return LogEntry(row["at"], row["file"], row["status"], row["form"], row["quarter"], public,
                    row["destination"], row["id"], row["submission_id"], row["resolved_by"], row["resolved_at"], row["match_key"],
                    quoted)


def _add_resolution_columns(db: sqlite3.Connection) -> None:
    # Which accepted submission resolved a rejection, and when, and the reasons' public wording: added
    # in place, so stores made before rejections could be resolved (or reasons had a public wording) gain them.
    present = {row["name"] for row in db.execute("PRAGMA table_info(ingest_log)")}
    for column, kind in (("resolved_by", "INTEGER REFERENCES submission(id)"), ("resolved_at", "TEXT"), ("match_key", "TEXT"),
                         ("public_json", "TEXT")):
        if column not in present:
            try:
                db.execute(f"ALTER TABLE ingest_log ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError:  # another process added it a moment ago
                pass
    # Whether a submission's answers were placed by the form's layout (a re-save lost the controls' names).
    if "recovered" not in {row["name"] for row in db.execute("PRAGMA table_info(submission)")}:
        try:
            db.execute("ALTER TABLE submission ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError:  # another process added it a moment ago
            pass

"""The store interface: every read and write the pipeline makes, in SQL both backends run.

A backend (SQLite in the workspace, or PostgreSQL) supplies the connection (`_db`, whose execute()
takes `?` placeholders on both), one serialised transaction per write (`_transaction()`), and how to
look at the schema (`columns()`, `execute_ddl()`). Everything else is here, once: one transaction
per file, history on replace, the duplicate check inside the save transaction, the ingest log.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from ..errors import StoreError, message
from ..validate import Submission
from .migrations import LATEST, MIGRATIONS, statements
from .records import (FileRecord, IssuedForm, LogEntry, StoredSubmission, dumps, identity, issued_form, log_entry, now,
                      stored)

_VERSION_TABLE = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL,"
                  " description TEXT NOT NULL)")


class Cursor(Protocol):
    """What execute() gives back on both backends: rows by name or position, rowcount, lastrowid."""

    rowcount: int
    lastrowid: int | None

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A backend's connection as the store uses it: SQL with `?` placeholders."""

    def execute(self, sql: str, params: Any = ()) -> Cursor: ...
    def close(self) -> None: ...


class Store:
    """The workspace's database. Each write is one transaction; several processes may share it.

    ``Store(path)`` opens the store the workspace at *path*'s folder is configured for: PostgreSQL when
    QA_DATABASE_URL (or `database:` in qa.yaml) names one, else SQLite at *path*.
    """

    kind = "?"
    _db: Connection
    # When a file is received or logged. The demo sets a clock that gives each return a date in its quarter.
    clock: Callable[[], dt.datetime] = staticmethod(dt.datetime.now)

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def __new__(cls, path: Path | None = None, **options: Any) -> Store:
        if cls is Store:
            from . import backend_for

            cls = backend_for(path, options.get("url"))
        return super().__new__(cls)

    def __init__(self, path: Path | None = None, *, url: str | None = None, upgrade: bool = True,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        raise NotImplementedError  # the backend's

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def columns(self, table: str) -> set[str]:
        """The columns of *table* (empty if there is no such table)."""
        raise NotImplementedError

    def execute_ddl(self, sql: str) -> None:
        """Run one schema statement written as SQLite writes it (the backend translates)."""
        self._db.execute(sql)

    @property
    def where(self) -> str:
        """The store in words, for messages: its file, or the database without its password."""
        raise NotImplementedError

    # --- schema -------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The last schema step this store has (0: a new store, or one made before steps were numbered)."""
        if not self.columns("schema_version"):
            return 0
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return row[0] or 0

    def upgrade(self) -> list[int]:
        """Apply the schema steps this store lacks, each in its own transaction; the steps applied.

        StoreError if the store has a step this version of qa does not know (a newer qa made it).
        """
        current = self.schema_version()
        self._refuse_newer(current)
        applied = []
        for migration in MIGRATIONS[current:]:
            with self._transaction():
                self.execute_ddl(_VERSION_TABLE)
                current = self.schema_version()  # another process may have applied it a moment ago
                self._refuse_newer(current)
                if current >= migration.version:
                    continue
                if callable(migration.sql):
                    migration.sql(self)
                else:
                    for statement in statements(migration.sql):
                        self.execute_ddl(statement)
                self._db.execute("INSERT INTO schema_version (version, applied_at, description) VALUES (?,?,?)",
                                 (migration.version, now(), migration.description))
                applied.append(migration.version)
        return applied

    def _refuse_newer(self, version: int) -> None:
        if version > LATEST:
            raise StoreError(message("store_newer_schema", where=self.where, found=version, known=LATEST))

    def table_counts(self) -> dict[str, int]:
        """How many rows each of the store's tables holds (what `qa db copy` checks after copying)."""
        return {table: self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in self.tables()}

    def tables(self) -> list[str]:
        """The store's data tables, in the order a copy fills them (a row before the rows that refer to it)."""
        return ["submission", "ingest_log", "issued", "schedule_done", "claim_lease", "mail_sent"]

    def renumber(self, table: str) -> None:
        """After rows were copied in with their numbers, number the next row after the highest (SQLite does itself)."""

    # --- claims as leases (PostgreSQL: several hosts on one inbox; SQLite: one computer, no leases) ---------

    leases = False  # whether claims are leases held in the store, taken over by another host when one expires
    lease_seconds = 0.0  # how long a lease lasts unrenewed

    def hold_lease(self, token: str) -> None:
        """Hold the lease on a claimed file for this process, renewed while it is in hand."""

    def take_over_lease(self, token: str, age: float) -> bool:
        """Take over another host's claim whose lease has expired (*age*: how long it has been claimed)."""
        return False

    def release_lease(self, token: str) -> None:
        """Let go of a claim's lease: its file is finished (or given back to the inbox)."""

    def held_leases(self) -> int:
        """How many claims are leased now (to any host)."""
        return 0

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
        return log_entry(row) if row else None

    def save(self, submission: Submission, *, file: str, sha256: str, claim: str, destination: str,
             duplicate_destination: str | None = None, recovered: bool = False) -> str:
        """Store an accepted submission and log it in one transaction; return 'accepted' or 'replaced'.

        Returns 'duplicate' (and stores nothing) if a byte-identical file was accepted meanwhile,
        by another process sharing the store.
        """
        key = identity(submission)
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
                    "SELECT id FROM submission WHERE identity = ? AND status = 'current'", (key,)
                ).fetchall()
            cursor = self._db.execute(
                "INSERT INTO submission (form, variant, version, quarter, child_id, author, issue_id, identity,"
                " file, sha256, received_at, values_json, groups_json, recovered) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    submission.form, submission.variant or "", submission.version, submission.quarter,
                    submission.child_id, submission.author, submission.issue_id, key, file, sha256, self._now(),
                    dumps(submission.values), dumps(submission.groups), int(recovered),
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
            (self._now(), file, claim, sha256, status, form, quarter, dumps(problems),
             dumps([getattr(p, "public", p) for p in problems] if public is None else public), destination, submission_id),
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
        return [log_entry(row) for row in rows]

    # --- rejections resolved by a later accepted file -----------------------------------------

    def unresolved_rejections(self, form: str, before: int) -> list[LogEntry]:
        """Rejected files of *form* (any of its themed variants) logged before log entry *before*, not yet resolved."""
        rows = self._db.execute(
            "SELECT * FROM ingest_log WHERE status = 'rejected' AND (form = ? OR form LIKE ?) AND id < ?"
            " AND resolved_by IS NULL ORDER BY id",
            (form, f"{form}/%", before),
        )
        return [log_entry(row) for row in rows]

    def accepted_between(self, form: str, after: int, upto: int) -> list[LogEntry]:
        """Files of *form* accepted (or accepted as a replacement) between two ingest-log entries, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM ingest_log WHERE status IN ('accepted', 'replaced') AND form = ? AND id > ? AND id <= ?"
            " AND submission_id IS NOT NULL ORDER BY id",
            (form, after, upto),
        )
        return [log_entry(row) for row in rows]

    def resolve_rejection(self, rejection_id: int, submission_id: int, at: str | None = None) -> str | None:
        """Record that *submission_id* resolved a rejection (when it was accepted, *at*, default now).

        Returns the time recorded, or None if the rejection was already resolved.
        """
        at = at or self._now()
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
        return stored(row) if row else None

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
        for row in self._db.execute(f"SELECT * FROM submission {where} ORDER BY id", params).fetchall():
            yield stored(row)

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
        return [issued_form(r) for r in self._db.execute(sql + " ORDER BY issued_at, issue_id", params)]

    # --- what the watcher's schedule has done (so it is done once, across restarts) ------------------

    def schedule_done(self, key: str) -> str | None:
        """The detail recorded when the scheduled task *key* was done, or None if it has not been."""
        row = self._db.execute("SELECT detail FROM schedule_done WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def mark_schedule_done(self, key: str, detail: str = "") -> bool:
        """Record the scheduled task *key* as done; False if it already was."""
        with self._transaction():
            cursor = self._db.execute("INSERT INTO schedule_done (key, done_at, detail) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                                      (key, self._now(), detail))
        return cursor.rowcount == 1

    # --- mail sent (qa remind, receipts): each message once -------------------------------------------

    def claim_mail(self, key: str, kind: str, quarter: str, recipient: str, subject: str) -> bool:
        """Record the message *key* as sent; False if it already was (so it is not sent again)."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO mail_sent (key, sent_at, kind, quarter, recipient, subject) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT DO NOTHING", (key, now(), kind, quarter, recipient, subject))
        return cursor.rowcount == 1

    def release_mail(self, key: str) -> None:
        """Forget the message *key* (sending it failed), so the next run sends it."""
        with self._transaction():
            self._db.execute("DELETE FROM mail_sent WHERE key = ?", (key,))

    def mail_sent(self, kind: str | None = None) -> list[tuple[str, str, str, str]]:
        """(sent at, kind, recipient, subject) of every message recorded as sent, oldest first."""
        sql, params = "SELECT sent_at, kind, recipient, subject FROM mail_sent", ()
        if kind:
            sql, params = sql + " WHERE kind = ?", (kind,)
        return [tuple(row) for row in self._db.execute(sql + " ORDER BY sent_at, key", params)]

    def returned_issue_ids(self) -> set[str]:
        """Issue ids that have a current submission."""
        rows = self._db.execute("SELECT DISTINCT issue_id FROM submission WHERE issue_id IS NOT NULL AND status = 'current'")
        return {row[0] for row in rows}

"""The PostgreSQL store (psycopg 3): for several watcher hosts on one inbox, or a region of councils in one database.

Each council is a tenant with its own schema (`qa_<code>`; `qa` when the workspace names no council), so
every query a command makes sees that council's rows only. Writes are serialised per tenant by a
transaction-scoped advisory lock, as SQLite's BEGIN IMMEDIATE serialises them on one computer: the
duplicate check and the insert of a save can never interleave with another host's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from ..errors import StoreError, message
from ..host import host_name
from .base import Store
from .migrations import numbered_tables, postgres_ddl
from .records import now

_COUNCIL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,29}$")
ACTIVITY_TABLE = ("CREATE TABLE IF NOT EXISTS public.qa_region_activity (schema_name TEXT NOT NULL, quarter TEXT NOT NULL,"
                  " lines_json TEXT NOT NULL, shared_at TEXT NOT NULL, PRIMARY KEY (schema_name, quarter))")
TENANT_TABLE = ("CREATE TABLE IF NOT EXISTS public.qa_tenant (schema_name TEXT PRIMARY KEY, council TEXT NOT NULL,"
                " council_name TEXT, region_opt_in BOOLEAN NOT NULL, region_show_name BOOLEAN NOT NULL, seen_at TEXT NOT NULL)")
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.I)


def redacted(url: str) -> str:
    """*url* without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def schema_for(council: str | None) -> str:
    """The schema holding a council's rows: 'qa_<code>', or 'qa' for a workspace that names no council."""
    return f"qa_{council.lower()}" if council else "qa"


def translate(sql: str) -> str:
    """SQL with `?` placeholders (as SQLite takes them) as psycopg takes it: `%s`, and a literal % doubled."""
    out, quoted = [], False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


class _Row(tuple):
    """A row by position (row[0]) or by column name (row['id']), like sqlite3.Row."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: psycopg.Cursor) -> Any:
    names = {column.name: n for n, column in enumerate(cursor.description or ())}

    def make(values: Any) -> _Row:
        row = _Row(values)
        row.names = names
        return row

    return make


class _Result:
    """A statement's result as the store reads it on both backends."""

    def __init__(self, cursor: psycopg.Cursor, lastrowid: int | None = None) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor.fetchall())


class _Connection:
    """A psycopg connection taking `?` placeholders; an INSERT into a numbered table gives its new id as lastrowid."""

    _numbered = numbered_tables()

    def __init__(self, connect: Callable[[], psycopg.Connection]) -> None:
        self._connect = connect
        self._raw = connect()

    @property
    def raw(self) -> psycopg.Connection:
        """The connection; a new one if the server dropped the last (restarted, or the network went away)."""
        if self._raw.broken:
            self._raw = self._connect()
        return self._raw

    def execute(self, sql: str, params: Any = ()) -> _Result:
        insert = _INSERT.match(sql)
        returning = bool(insert and insert.group(1) in self._numbered and "RETURNING" not in sql.upper())
        cursor = self.raw.execute(translate(sql + (" RETURNING id" if returning else "")), tuple(params))
        lastrowid = None
        if returning:
            row = cursor.fetchone()
            lastrowid = row[0] if row else None
        return _Result(cursor, lastrowid)

    def close(self) -> None:
        self._raw.close()


class PostgresStore(Store):
    """The store in a PostgreSQL database, one schema per council."""

    kind = "postgresql"

    def __init__(self, path: Path | None = None, *, url: str | None = None, upgrade: bool = True,
                 council: str | None = None, clock: Callable[[], dt.datetime] | None = None) -> None:
        if clock is not None:
            self.clock = clock
        from . import Tenant, database_url, lease_seconds, tenant_of

        root = path.parent if path is not None else None
        self.url = url or database_url(root)
        if not self.url:
            raise ValueError("the PostgreSQL store needs a database URL")
        self.tenant = tenant_of(root) if council is None else Tenant(council)
        self.council = self.tenant.council
        if self.council is not None and not _COUNCIL.match(self.council):
            raise StoreError(message("store_bad_council", council=self.council))
        self.schema = schema_for(self.council)
        self.lease_seconds = lease_seconds(root)
        self._keeper: _LeaseKeeper | None = None
        self._lock_key = zlib.crc32(self.schema.encode())
        try:
            self._db = _Connection(self._connect)
        except psycopg.Error as err:
            raise StoreError(message("store_unreachable", where=redacted(self.url), error=_first_line(err))) from err
        try:
            with self._transaction():
                self._db.raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self._register()
            if upgrade:
                self.upgrade()
        except BaseException:
            self._db.close()
            raise

    def _connect(self) -> psycopg.Connection:
        raw = psycopg.connect(self.url, autocommit=True, row_factory=_row_factory, connect_timeout=20)
        raw.execute(f'SET search_path TO "{self.schema}"')  # this council's tables only (the schema may come next)
        return raw

    @property
    def where(self) -> str:
        return f"{redacted(self.url)}, schema {self.schema}"

    # --- the councils sharing the database (public.qa_tenant: what the region report may show) ----------

    def _register(self) -> None:
        """Record this council's code and region choices, as its qa.yaml says now."""
        with self._db.raw.transaction():
            self._db.raw.execute("SELECT pg_advisory_xact_lock(0)")
            self._db.raw.execute(TENANT_TABLE)
            self._db.execute(
                "INSERT INTO public.qa_tenant (schema_name, council, council_name, region_opt_in, region_show_name, seen_at)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (schema_name) DO UPDATE SET council = excluded.council,"
                " council_name = excluded.council_name, region_opt_in = excluded.region_opt_in,"
                " region_show_name = excluded.region_show_name, seen_at = excluded.seen_at",
                (self.schema, self.council or "", self.tenant.name, self.tenant.region_opt_in, self.tenant.region_show_name, now()))

    def tenants(self) -> list[Any]:
        """Every council in the database: schema_name, council, council_name, region_opt_in, region_show_name."""
        return self._db.execute("SELECT * FROM public.qa_tenant ORDER BY council").fetchall()

    def share_region_activity(self, quarter: str, lines_json: str) -> None:
        """Publish this council's activity against its minimums for *quarter* (counts only) to the region."""
        with self._db.raw.transaction():
            self._db.raw.execute("SELECT pg_advisory_xact_lock(0)")
            self._db.raw.execute(ACTIVITY_TABLE)
            self._db.execute("INSERT INTO public.qa_region_activity (schema_name, quarter, lines_json, shared_at) VALUES (?,?,?,?)"
                             " ON CONFLICT (schema_name, quarter) DO UPDATE SET lines_json = excluded.lines_json,"
                             " shared_at = excluded.shared_at", (self.schema, quarter, lines_json, now()))

    def region_activity(self, quarter: str) -> dict[str, str]:
        """Each council's published activity lines for *quarter* (JSON text), by schema."""
        with self._db.raw.transaction():
            self._db.raw.execute("SELECT pg_advisory_xact_lock(0)")
            self._db.raw.execute(ACTIVITY_TABLE)
        rows = self._db.execute("SELECT schema_name, lines_json FROM public.qa_region_activity WHERE quarter = ?", (quarter,))
        return {row[0]: row[1] for row in rows}

    def tenant_rows(self, schema: str, sql: str, params: Any = ()) -> list[Any]:
        """Rows of *sql* run in another council's schema (the region report only: counts, never names)."""
        with self._db.raw.transaction():
            self._db.raw.execute(f'SET LOCAL search_path TO "{schema}"')
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.stop()
        super().close()

    def renumber(self, table: str) -> None:
        self._db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}")

    # --- claims as leases ---------------------------------------------------------------------------
    # Expiry is on the database server's clock, so hosts whose clocks differ agree on it.

    leases = True
    _EXPIRY = "EXTRACT(EPOCH FROM clock_timestamp()) + ?"
    _EXPIRED = "expires_at < EXTRACT(EPOCH FROM clock_timestamp())"

    # Each step is one statement, atomic by itself: no lock beyond the row's. Of two hosts taking over one
    # expired lease, the second's UPDATE waits on the row, then finds it no longer expired and changes nothing.
    _UPSERT = (f"INSERT INTO claim_lease (token, host, pid, taken_at, expires_at) VALUES (?,?,?,?,{_EXPIRY})"
               " ON CONFLICT (token) DO UPDATE SET host = excluded.host, pid = excluded.pid, taken_at = excluded.taken_at,"
               " expires_at = excluded.expires_at")

    def hold_lease(self, token: str) -> None:
        self._keep()
        self._db.execute(self._UPSERT, (token, host_name(), os.getpid(), now(), self.lease_seconds))

    def take_over_lease(self, token: str, age: float) -> bool:
        self._keep()
        taken = self._db.execute(f"UPDATE claim_lease SET host = ?, pid = ?, taken_at = ?, expires_at = {self._EXPIRY}"
                                 f" WHERE token = ? AND {self._EXPIRED}",
                                 (host_name(), os.getpid(), now(), self.lease_seconds, token))
        if taken.rowcount:
            return True
        if age < self.lease_seconds:
            return False  # claimed a moment ago: its holder may have yet to write its lease
        made = self._db.execute(f"INSERT INTO claim_lease (token, host, pid, taken_at, expires_at) VALUES (?,?,?,?,{self._EXPIRY})"
                                " ON CONFLICT (token) DO NOTHING", (token, host_name(), os.getpid(), now(), self.lease_seconds))
        return made.rowcount == 1  # a holder that died before writing its lease

    def release_lease(self, token: str) -> None:
        self._db.execute("DELETE FROM claim_lease WHERE token = ? AND host = ? AND pid = ?", (token, host_name(), os.getpid()))

    def held_leases(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM claim_lease").fetchone()[0]

    def _keep(self) -> None:
        if self._keeper is None:
            self._keeper = _LeaseKeeper(self)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        raw = self._db.raw
        raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({self._lock_key})".encode())  # one round trip, not two
        try:
            yield
        except BaseException:
            raw.execute(b"ROLLBACK")
            raise
        raw.execute(b"COMMIT")

    def columns(self, table: str) -> set[str]:
        rows = self._db.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                                (self.schema, table))
        return {row[0] for row in rows}

    def execute_ddl(self, sql: str) -> None:
        self._db.raw.execute(postgres_ddl(sql))


class _LeaseKeeper:
    """Renews this process's leases every third of the lease, on its own connection, until the store closes.

    A process killed outright renews nothing, so its leases run out and another host takes its files.
    """

    def __init__(self, store: PostgresStore) -> None:
        self._url, self._schema, self._seconds = store.url, store.schema, store.lease_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qa-lease-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import logging

        db: psycopg.Connection | None = None
        while not self._stopping.wait(self._seconds / 3):
            try:
                if db is None or db.broken:  # first time, or the server dropped the connection
                    db = psycopg.connect(self._url, autocommit=True, connect_timeout=max(1, int(self._seconds / 3)))
                    db.execute(f'SET search_path TO "{self._schema}"')
                db.execute("UPDATE claim_lease SET expires_at = EXTRACT(EPOCH FROM clock_timestamp()) + %s"
                           " WHERE host = %s AND pid = %s", (self._seconds, host_name(), os.getpid()))
            except psycopg.Error:
                logging.getLogger(__name__).exception("could not renew the leases on claimed files; trying again")
        if db is not None:
            db.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]

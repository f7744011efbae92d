"""The SQLite store: one file in the workspace (qa.sqlite3), the default for one council on one server."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any, Callable

from .base import Store


class SQLiteStore(Store):
    """The store in a file in the workspace; processes on one computer share it (WAL, BEGIN IMMEDIATE)."""

    kind = "sqlite"

    def __init__(self, path: Path | None = None, *, url: str | None = None, upgrade: bool = True, clock: Callable[[], dt.datetime] | None = None) -> None:
        if clock is not None:
            self.clock = clock
        if path is None:
            raise ValueError("the SQLite store needs the path of its file")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=60000")
        if upgrade:
            try:
                self.upgrade()
            except BaseException:
                self._db.close()
                raise

    @property
    def where(self) -> str:
        return str(self.path)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def columns(self, table: str) -> set[str]:
        return {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}

    def execute_ddl(self, sql: str) -> None:
        try:
            self._db.execute(sql)
        except sqlite3.OperationalError as err:
            # A store upgraded in place before steps were numbered may have the column already.
            if "duplicate column" not in str(err):
                raise


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, so two watchers on one store never interleave a file's writes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")

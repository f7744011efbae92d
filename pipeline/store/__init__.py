"""The store: submissions with their history, the ingest log, and the forms issued to staff.

One interface (:class:`Store`, in base.py) with two backends: SQLite in the workspace (the default) and
PostgreSQL (sqlite.py, postgres.py), chosen by QA_DATABASE_URL or `database:` in the workspace's qa.yaml
(the environment wins). The schema is a list of numbered steps (migrations.py) applied on start.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError, message
from .base import Store
from .records import (LEGACY_REASONS, FileRecord, IssuedForm, LogEntry, StoredSubmission, bind, rejection_ref,
                      submission_ref)

try:
    from psycopg import OperationalError as _PostgresUnavailable
except ImportError:  # psycopg missing: only SQLite stores open
    _PostgresUnavailable = sqlite3.OperationalError

# A store that could not be written just now (SQLite locked for over a minute, the PostgreSQL server gone):
# the file is left where it is and tried again.
STORE_BUSY = (sqlite3.OperationalError, _PostgresUnavailable)

DATABASE_ENV = "QA_DATABASE_URL"
DATABASE_SETTING = "database"


def database_url(root: Path | None, environ: dict[str, str] | None = None) -> str | None:
    """The PostgreSQL URL the workspace at *root* uses: QA_DATABASE_URL, else `database:` in its qa.yaml, else None."""
    environ = os.environ if environ is None else environ
    url = environ.get(DATABASE_ENV, "").strip()
    if url or root is None:
        return url or None
    from ..config import CONFIG_FILE, setting_lines

    for key, _line, value in setting_lines(root / CONFIG_FILE):
        if key == DATABASE_SETTING and isinstance(value, str) and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True)
class Tenant:
    """A council in a shared database, as its workspace's qa.yaml describes it for the region report."""

    council: str | None
    name: str | None = None
    region_opt_in: bool = False
    region_show_name: bool = False


def tenant_of(root: Path | None) -> Tenant:
    """The council code and region choices in the workspace's qa.yaml (`council:`, `council_name:`,
    `region_opt_in:`, `region_show_name:`)."""
    if root is None:
        return Tenant(None)
    from ..config import CONFIG_FILE, setting_lines

    values = {key: value for key, _line, value in setting_lines(root / CONFIG_FILE)}
    text = lambda key: str(values[key]).strip() or None if values.get(key) is not None else None  # noqa: E731
    return Tenant(text("council"), text("council_name"), values.get("region_opt_in") is True,
                  values.get("region_show_name") is True)


def council_of(root: Path | None) -> str | None:
    """The council code in the workspace's qa.yaml (`council:`), or None: the tenant its rows belong to."""
    return tenant_of(root).council


LEASE_ENV = "QA_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 60.0


def lease_seconds(root: Path | None, environ: dict[str, str] | None = None) -> float:
    """How long a claim's lease lasts unrenewed before another host takes the file over: QA_LEASE_SECONDS,
    else `lease_seconds:` in qa.yaml, else 60."""
    from ..config import CONFIG_FILE, setting_lines

    environ = os.environ if environ is None else environ
    text, source = environ.get(LEASE_ENV, "").strip(), LEASE_ENV
    if not text and root is not None:
        for key, line, value in setting_lines(root / CONFIG_FILE):
            if key == "lease_seconds" and value is not None:
                text, source = str(value), f"{CONFIG_FILE} line {line}: lease_seconds"
    if not text:
        return DEFAULT_LEASE_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 86_400:
        raise StoreError(message("store_bad_lease", source=source, value=text))
    return seconds


def backend_for(path: Path | None, url: str | None = None) -> type[Store]:
    """The store class for a workspace whose SQLite file would be *path* (or for *url*)."""
    url = url or database_url(path.parent if path is not None else None)
    if url:
        from .postgres import PostgresStore

        return PostgresStore
    from .sqlite import SQLiteStore

    return SQLiteStore


__all__ = ["LEGACY_REASONS", "STORE_BUSY", "FileRecord", "IssuedForm", "LogEntry", "Store", "StoredSubmission", "backend_for", "bind", "council_of",
           "database_url", "lease_seconds", "rejection_ref", "submission_ref", "tenant_of"]

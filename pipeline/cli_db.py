"""`qa db`: the store's schema (`qa db upgrade`) and moving a workspace's store into PostgreSQL (`qa db copy`)."""

from __future__ import annotations

import click

from .cli_group import Context, QaCommand, _workspace_after
from .errors import StoreError, message
from .store import Store
from .store.copy import copy_store
from .store.migrations import LATEST


@click.group("db")
@click.option("--workspace", "workspace_after", type=click.Path(file_okay=False), expose_value=False,
              callback=_workspace_after, help="Workspace folder (also accepted before the command name, or as QA_WORKSPACE).")
def db_group() -> None:
    """The workspace's store: its schema, and moving it into PostgreSQL.

    The store is SQLite in the workspace (qa.sqlite3) unless QA_DATABASE_URL or 'database:' in qa.yaml
    names a PostgreSQL database.

    \b
    Example:
        qa db upgrade
        qa db copy --to postgresql://qa@dbserver/qa
    """


@db_group.command("upgrade", cls=QaCommand)
@click.pass_obj
def upgrade_command(obj: Context) -> None:
    """Apply the schema steps the store lacks (every command does this on start; this does only that).

    \b
    Example:
        qa db upgrade
    """
    with Store(obj.workspace.store_path, upgrade=False) as store:
        before = store.schema_version()
        applied = store.upgrade()
        where = store.where
    if applied:
        click.echo(f"The store ({where}) was at schema step {before}; applied step(s) {', '.join(map(str, applied))}. "
                   f"It is now at step {LATEST}.")
    else:
        click.echo(f"The store ({where}) is at schema step {LATEST}, the latest: nothing to do.")


@db_group.command("copy", cls=QaCommand)
@click.option("--to", "url", required=True, metavar="URL", help="The PostgreSQL database, e.g. postgresql://qa@dbserver/qa.")
@click.pass_obj
def copy_command(obj: Context, url: str) -> None:
    """Copy the workspace's SQLite store into a PostgreSQL database, checking every table's count after.

    The workspace's store is left as it is. To use the copy, set QA_DATABASE_URL (or 'database:' in
    qa.yaml) to the same address on every computer that runs qa on this workspace.

    \b
    Example:
        qa db copy --to postgresql://qa@dbserver/qa
    """
    from .store.postgres import PostgresStore, redacted
    from .store.sqlite import SQLiteStore

    workspace = obj.workspace
    if not url.startswith(("postgresql://", "postgres://")):
        raise StoreError(message("store_copy_needs_url", url=url))
    with Store(workspace.store_path) as current:
        if current.kind != "sqlite":
            raise StoreError(message("store_copy_needs_sqlite", where=current.where))
    with SQLiteStore(workspace.store_path) as source, PostgresStore(workspace.store_path, url=url) as target:
        counts = copy_store(source, target)
        where = target.where
    click.echo(f"Copied into {where}: " + ", ".join(f"{n} {table}" for table, n in counts.items()) + ". Every count matches.")
    click.echo(f"To use it, set QA_DATABASE_URL (or 'database:' in qa.yaml) to {redacted(url)} wherever qa runs on this workspace.")

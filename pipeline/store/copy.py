"""Copy a workspace's store into another (SQLite into PostgreSQL): every row, its numbers kept, counts checked after."""

from __future__ import annotations

from ..errors import StoreError, message
from .base import Store

# Columns that refer to a row of their own table, possibly a later one: filled in after every row is in.
_SELF_REFERENCES = {"submission": "replaced_by"}


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of *source* into the empty *target* in one transaction; the rows per table.

    Row numbers are kept, so S-0042 and R-0007 name the same files after the move. StoreError if the
    target already holds rows, or if the counts differ after the copy (then nothing is kept).
    """
    counts = source.table_counts()
    held = {table: n for table, n in target.table_counts().items() if n}
    if held:
        raise StoreError(message("store_copy_not_empty", where=target.where,
                                 held=", ".join(f"{n} in {table}" for table, n in held.items())))
    with target._transaction():
        for table in target.tables():
            _copy_table(source, target, table)
        copied = target.table_counts()
        if copied != counts:
            raise StoreError(message("store_copy_counts", where=target.where, expected=_shown(counts), found=_shown(copied)))
    return copied


def _copy_table(source: Store, target: Store, table: str) -> None:
    columns = sorted(source.columns(table) & target.columns(table))
    later = _SELF_REFERENCES.get(table)
    first = [c for c in columns if c != later]
    rows = source._db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    insert = f"INSERT INTO {table} ({', '.join(first)}) VALUES ({', '.join('?' * len(first))})"
    for row in rows:
        target._db.execute(insert, tuple(row[c] for c in first))
    if later:
        for row in rows:
            if row[later] is not None:
                target._db.execute(f"UPDATE {table} SET {later} = ? WHERE id = ?", (row[later], row["id"]))
    if "id" in columns:
        target.renumber(table)


def _shown(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())

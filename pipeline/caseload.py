"""The caseload extract (CSV or XLSX, as the case-management system exports it): one row per open child.

Columns are found by their headings, set in qa.yaml (``caseload_<fact>_column``) with defaults, so an
extract is used as exported. A row that cannot be used is left out and reported by its row number
with a plain reason; the child's ID and name are never quoted in a reason (a name may sit in the ID
column), and the name is read only to pre-fill the CCR's name field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from .admin import _date  # the admin's date formats: one home for how dates are typed in admin files
from .config import CASELOAD_COLUMNS, Config
from .errors import WorkspaceError, message
from .roles import fold

REQUIRED = ("child_id", "team", "level_of_need")


@dataclass(frozen=True)
class Child:
    """One open child in the extract: ID, team, level of need, worker, manager, open date (and name, if exported)."""

    child_id: str
    team: str
    level_of_need: str  # as the CCR's list writes it
    worker: str = ""
    manager: str = ""
    open_date: dt.date | None = None
    name: str = ""  # only ever written into the CCR's name field
    row: int = 0


@dataclass(frozen=True)
class Caseload:
    """The usable rows of an extract, its SHA-256, and a plain reason for each row left out."""

    path: Path
    sha256: str
    rows: int  # data rows read (headings and empty rows not counted)
    children: list[Child]
    problems: list[str] = field(default_factory=list)
    has_names: bool = False

    def by_id(self) -> dict[str, Child]:
        """The children by folded ID."""
        return {fold(child.child_id): child for child in self.children}


def read_caseload(path: Path, config: Config, levels: tuple[str, ...], is_child_id) -> Caseload:
    """Read the extract at *path*; WorkspaceError if it cannot be read or lacks a required column.

    *levels* are the CCR's levels of need (the spellings written on forms); *is_child_id* checks the
    workspace's ID format.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise WorkspaceError(message("caseload_unreadable", file=path.name, detail=err.strerror or err)) from err
    grid = read_grid(path, data)
    found = [(number, row) for number, row in grid if any(cell_text(value) for value in row)]
    if not found:
        raise WorkspaceError(message("caseload_empty", file=path.name))
    header_row, header = found[0]
    headings = {key: getattr(config, f"caseload_{key}_column") for key in CASELOAD_COLUMNS}
    positions = {}
    for key, heading in headings.items():
        index = next((i for i, value in enumerate(header) if fold(cell_text(value)) == fold(heading)), None)
        if index is not None:
            positions[key] = index
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        shown = ", ".join(f"'{cell_text(value)}'" for value in header if cell_text(value))
        raise WorkspaceError("\n".join(message("caseload_no_column", file=path.name, row=header_row, heading=headings[key],
                                               setting=f"caseload_{key}_column", found=shown) for key in missing))
    choices = {fold(level): level for level in levels}
    children: list[Child] = []
    problems: list[str] = []
    first: dict[str, int] = {}
    for number, row in found[1:]:
        cell = lambda key: cell_text(row[positions[key]]) if key in positions and positions[key] < len(row) else ""  # noqa: E731
        where = f"{path.name} row {number}"
        reasons = []
        child_id, team, level = cell("child_id"), cell("team"), cell("level_of_need")
        if not child_id:
            reasons.append(message("caseload_no_id", heading=headings["child_id"]))
        elif not is_child_id(child_id):
            reasons.append(message("caseload_bad_id", heading=headings["child_id"]))
        elif (key := fold(child_id)) in first:
            reasons.append(message("caseload_repeat", heading=headings["child_id"], first=first[key]))
        if not team:
            reasons.append(message("caseload_empty_cell", heading=headings["team"]))
        if not level:
            reasons.append(message("caseload_empty_cell", heading=headings["level_of_need"]))
        elif fold(level) not in choices:
            reasons.append(message("caseload_bad_level", heading=headings["level_of_need"], value=level,
                                   levels=", ".join(levels)))
        opened = None
        if "open_date" in positions and positions["open_date"] < len(row):
            try:
                opened = _date(row[positions["open_date"]])
            except ValueError:
                reasons.append(message("caseload_bad_date", heading=headings["open_date"],
                                       value=cell("open_date")))
        if reasons:
            problems.append(f"{where}: {' '.join(reasons)} {message('caseload_row_left_out')}")
            continue
        first[key] = number
        children.append(Child(child_id, team, choices[fold(level)], cell("worker"), cell("manager"), opened,
                              cell("name"), number))
    return Caseload(path, hashlib.sha256(data).hexdigest(), len(found) - 1, children, problems, "name" in positions)


def read_grid(path: Path, data: bytes) -> list[tuple[int, tuple[object, ...]]]:
    """The extract's rows, from CSV (UTF-8, or Windows' own encoding as older exports use) or XLSX."""
    if data[:2] == b"PK":
        from .read.table import read_table

        try:
            return read_table(path)
        except ValueError as err:
            raise WorkspaceError(message("caseload_unreadable", file=path.name, detail=err)) from err
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [(number, tuple(row)) for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1)]


def cell_text(value: object) -> str:
    """A cell as the text it shows: spacing tidied, an ID stored as a number without its '.0', a date as ISO."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an ID typed as a number reads back as 123456.0
    return " ".join(str(value).split())

"""What an operator reads when an OS error stops one file: the reason in plain words, where the file is now, what to do.

Ingest turns a full disk, a permission, a name too long or a store locked too long into one such
line for that file, and goes on with the others.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from . import moves
from .errors import message
from .store import STORE_BUSY
from .workspace import Workspace

_FIXES = {
    errno.ENOSPC: "Free some space on that disk.",
    errno.EACCES: "Give the account that runs qa write access to that folder.",
    errno.EPERM: "Give the account that runs qa write access to that folder.",
    errno.ENAMETOOLONG: "Use a shorter path for the workspace.",
}


class Unreadable(OSError):
    """A claimed file that cannot be opened or read (permissions, an I/O error): not damaged, unreadable."""

    def __init__(self, err: OSError) -> None:
        super().__init__(err.errno, err.strerror)
        self.detail = err.strerror or type(err).__name__


def printable(text: str) -> str:
    """*text* with control characters escaped, so a newline in a file name cannot split a log line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def shown(workspace: Workspace, path: Path) -> str:
    """A path as an operator finds it: relative to the workspace."""
    try:
        return Path(path).relative_to(workspace.root).as_posix()
    except ValueError:
        return str(path)


def describe(workspace: Workspace, err: Exception, where: Path) -> str:
    """Why a file could not be dealt with, given that it is now at *where* (back in the inbox, or its claim)."""
    if where.parent == workspace.processing:
        place = f"still in {shown(workspace, where)} (the next run tries it again)"
    else:
        place = f"in {shown(workspace, where)}"
    if isinstance(err, sqlite3.OperationalError):
        return message("not_handled_busy", path=shown(workspace, workspace.store_path), where=place)
    if isinstance(err, STORE_BUSY):  # the PostgreSQL server went away or refused the write
        return message("store_not_handled_unreachable", detail=str(err).strip().splitlines()[0] if str(err).strip() else
                       type(err).__name__, where=place)
    if isinstance(err, Unreadable):
        return message("unreadable_file", detail=err.detail, where=place)
    code = getattr(err, "errno", None)
    path = Path(getattr(err, "filename", None) or where)
    folder = path.parent
    if moves.temp_token(path.name):  # a hidden name of ours means nothing to an operator: name its folder
        path = folder
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return message("not_handled_space", folder=shown(workspace, folder), where=place)
    if code in (errno.EACCES, errno.EPERM):
        return message("not_handled_permission", path=shown(workspace, path), where=place)
    if code == errno.ENAMETOOLONG:
        return message("not_handled_long_name", path=printable(shown(workspace, path)), where=place)
    return message("not_handled_other", detail=getattr(err, "strerror", None) or str(err), where=place)


def after_store(workspace: Workspace, err: Exception, status: str, destination: str | None, claimed: Path, placed: bool) -> str:
    """Why a file the store has recorded is not finished: not yet in its folder (*placed* False), or its claim not removed."""
    target = shown(workspace, Path(destination or ""))
    detail = getattr(err, "strerror", None) or str(err)
    if placed:
        return message("not_tidied", status=status, destination=target, claim=shown(workspace, claimed), detail=detail)
    fix = _FIXES.get(getattr(err, "errno", None), "If it happens again, tell the system administrator.")
    return message("not_placed", status=status, folder=Path(target).parent.as_posix(), detail=detail,
                   claim=shown(workspace, claimed), fix=fix)


__all__ = ["Unreadable", "after_store", "describe", "printable", "shown"]

"""`qa check`: do the store, archive/, rejected/ and the inbox's claims agree?

Reports, in plain words, every path the store names whose bytes are missing or differ from the
stored hash, every file in archive/ or rejected/ no row names, every path two rows share, every
rejected file without its note or beside a note about another file, every claim no process here
is finishing (with who holds it and for how long), and leftovers of interrupted moves.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import claims, moves
from .store import FileRecord, Store
from .workspace import Workspace


@dataclass
class CheckResult:
    """What `qa check` found: plain-language problems (empty when all is well) and what it looked at."""

    problems: list[str] = field(default_factory=list)
    records: int = 0
    files: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems


def check_workspace(workspace: Workspace, store: Store) -> CheckResult:
    """Compare the store with archive/, rejected/ and the claims in inbox/.processing."""
    result = CheckResult()
    records = store.file_records()
    result.records = len(records)
    by_path: dict[str, list[FileRecord]] = defaultdict(list)
    for record in records:
        by_path[os.path.normpath(record.destination)].append(record)
    live = _live_tokens(workspace)
    for path, named in by_path.items():
        if any(record.claim in live for record in named):
            continue  # being ingested right now
        _check_stored(workspace, Path(path), named, result)
    _check_folders(workspace, set(by_path), live, result)
    stranded = [claim for claim in claims.all_claims(workspace) if claim.token not in live]
    for held in claims.held_elsewhere(workspace, stranded, include_mine=True):
        result.problems.append(held.describe(workspace))
    return result


def _check_stored(workspace: Workspace, path: Path, named: list[FileRecord], result: CheckResult) -> None:
    record = named[-1]
    shown = _shown(workspace, path)
    if len({r.claim for r in named}) > 1:
        files = ", ".join(f"'{r.file}'" for r in named)
        result.problems.append(f"{shown}: {len(named)} store rows name this one file ({files}); each should have its own. "
                               "Find the others' files in archive/ or rejected/ and tell the system administrator.")
    if not os.path.lexists(path):
        result.problems.append(f"{shown}: the store says '{record.file}' ({record.status}) is here, but nothing is. "
                               "Look for it in archive/ and rejected/, or ask its author for a copy.")
        return
    if record.sha256 and not path.is_symlink() and path.is_file():
        if _sha256(path) != record.sha256:
            result.problems.append(f"{shown}: this is not the file the store recorded for '{record.file}' (its contents differ). "
                                   "Look for the original in archive/ and rejected/, or ask its author for a copy.")
    if record.status == "rejected":
        _check_note(workspace, path, record, result)


def _check_note(workspace: Workspace, path: Path, record: FileRecord, result: CheckResult) -> None:
    note = moves.note_path(path)
    shown = _shown(workspace, path)
    try:
        text = note.read_text(encoding="utf-8")
    except FileNotFoundError:
        result.problems.append(f"{shown}: this rejected file has no note saying why. Run qa ingest on a fresh copy, "
                               "or look at the ingest log for its reasons.")
        return
    except OSError as err:
        result.problems.append(f"{_shown(workspace, note)}: the note cannot be read ({err.strerror}). Fix its permissions.")
        return
    if f"The file '{record.file}' " not in text:
        result.problems.append(f"{_shown(workspace, note)}: this note is about another file, not '{record.file}' beside it. "
                               "Look at the ingest log for this file's reasons.")


def _check_folders(workspace: Workspace, named: set[str], live: set[str], result: CheckResult) -> None:
    for top in (workspace.archive, workspace.rejected):
        for folder, dirs, files in os.walk(top, onerror=lambda err: result.problems.append(
                f"{_shown(workspace, Path(err.filename))}: this folder cannot be read ({err.strerror}). Fix its permissions.")):
            dirs.sort()
            for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
                path = Path(folder) / name
                result.files += 1
                _check_file(workspace, path, named, live, result)


def _check_file(workspace: Workspace, path: Path, named: set[str], live: set[str], result: CheckResult) -> None:
    if os.path.normpath(path) in named:
        return
    shown = _shown(workspace, path)
    token = moves.temp_token(path.name)
    if token is not None:
        if token not in live:
            result.problems.append(f"{shown}: a leftover of a move that was interrupted. Run qa ingest, which clears it.")
        return
    if path.name.endswith(moves.NOTE_SUFFIX):
        companion = os.path.normpath(path.with_name(path.name[: -len(moves.NOTE_SUFFIX)]))
        if companion in named or os.path.lexists(companion):
            return  # its file is checked in its own right
        result.problems.append(f"{shown}: this note sits beside no file. Look at the ingest log for the file it describes.")
        return
    result.problems.append(f"{shown}: no store row names this file. Run qa validate on it, or drop it in the inbox again "
                           "if it should be stored.")


def _live_tokens(workspace: Workspace) -> set[str]:
    return {claim.token for claim in claims.all_claims(workspace)
            if claim.host == claims.HOST and claim.holder_alive() and not claim.mine}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _shown(workspace: Workspace, path: Path) -> str:
    try:
        return Path(path).relative_to(workspace.root).as_posix()
    except ValueError:
        return str(path)


__all__ = ["CheckResult", "check_workspace"]

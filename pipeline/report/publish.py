"""Put a freshly rendered report set in place: each file replaced atomically, the previous set kept.

`qa report` run again for a quarter replaces the report, the ledger and the drafts people open, under
the same names (never 'QA-report-… (2).docx'). Each new file is written beside its target in a hidden
staging folder on the same disk, then renamed over it, so nobody ever opens half a file. The file it
replaces is first copied to previous/<when that version was made>/, so nothing is ever lost (a copy,
not a hard link: a program that saves in place would otherwise change the kept version too).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ReportError, message

PREVIOUS = "previous"
_STAMP = "%Y-%m-%d_%H-%M-%S"  # no ':' so the folder name is valid on Windows too


def staging_folder(out: Path) -> Path:
    """A new hidden folder inside *out* to write the new files in (same disk, so a rename is atomic)."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".report-", dir=out))


def publish(staging: Path, out: Path, staged: list[Path]) -> tuple[list[Path], Path | None, list[str]]:
    """Move each of *staged* (inside *staging*) to the same place under *out*, keeping what it replaces.

    Returns the published paths, the folder the previous versions were kept in (None if there were
    none) and notes for the admin (a replaced file that was open in Word or Excel). Raises ReportError,
    with nothing replaced, when a file to replace is locked by another program (Windows).
    """
    try:
        targets = [(path, out / path.relative_to(staging)) for path in staged]
        existing = [target for _, target in targets if target.exists()]
        locked = [target for target in existing if _locked(target)]
        if locked:
            raise ReportError(message("report_locked", files=", ".join(str(p) for p in locked)))
        notes = [message("report_was_open", file=target) for target in existing if _lock_file(target)]
        previous = _previous_folder(out, existing) if existing else None
        published: list[Path] = []
        for path, target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                _keep(target, previous / target.relative_to(out))  # type: ignore[operator]
            try:
                os.replace(path, target)
            except PermissionError as err:
                raise ReportError(message("report_locked_midway", file=target, done=len(published),
                                          total=len(targets), previous=previous)) from err
            published.append(target)
        return published, previous, notes
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _previous_folder(out: Path, existing: list[Path]) -> Path:
    """previous/<time the replaced set was made>/, a new folder each time."""
    made = dt.datetime.fromtimestamp(min(path.stat().st_mtime for path in existing))
    base = out / PREVIOUS / made.strftime(_STAMP)
    folder, counter = base, 2
    while folder.exists():
        folder = base.with_name(f"{base.name}-{counter}")
        counter += 1
    return folder


def _keep(path: Path, kept: Path) -> None:
    """A copy of *path* under previous/ (with its time), so replacing *path* loses nothing."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, kept)


def _locked(path: Path) -> bool:
    """Whether another program holds *path* open so it cannot be replaced (Word and Excel on Windows)."""
    try:
        with open(path, "r+b"):
            return False
    except PermissionError:
        return True
    except OSError:
        return False


def _lock_file(path: Path) -> bool:
    """Whether Word or Excel has *path* open elsewhere: its owner file '~$…' lies beside it."""
    return any((path.parent / f"~${path.name[cut:]}").exists() for cut in (0, 1, 2))

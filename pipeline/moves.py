"""Moves that are whole or absent: a claimed file reaches archive/ or rejected/ complete, under a name no one else holds.

A move has three steps, so the store can record the final name in between:

1. stage(): make the file ready in the destination folder. On one filesystem the claim itself is
   ready (it will be hard-linked). Across filesystems it is copied to a hidden name there,
   `.<claim token>.part`, flushed and fsynced — a full disk fails here, with nothing but the claim.
   A free name is chosen, and a rejected file's note is written aside as `.<claim token>.note`.
2. commit(): link the note, then the file, into their final names. A link never replaces an
   existing name, so two ingesters can never take the same one: if a name was taken meanwhile the
   next ('name (2)', …) is tried, note and file together. The folder is fsynced after a copy.
3. finish(): remove the claim, then the hidden names.

A partial copy never carries a real name. After a crash, find_committed() tells recovery whether the
file already reached its final name (sharing the claim's or the hidden copy's inode), so it is
adopted rather than copied twice; hidden names left over are removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import uuid
from pathlib import Path
from typing import Callable, Iterable

from . import host
from .workspace import fit_name, numbered

NOTE_SUFFIX = " - WHY REJECTED.txt"
NOTE_RESERVE = len(NOTE_SUFFIX.encode())
MAX_NUMBER = 100_000  # names tried before giving up: 'x (100000).docx' means something else is wrong
_TEMP = re.compile(r"^\.([0-9a-f]{32})\.(part|note)$")

# Fault injection: tests set this to a function called with the name of each step and the path it
# writes, just before it runs; raising OSError makes that step fail, os._exit() makes the process die.
STEP_HOOK: Callable[[str, Path], None] | None = None


def step(name: str, path: Path) -> None:
    """Mark a step of a move (a no-op unless a test has set STEP_HOOK)."""
    if STEP_HOOK is not None:
        STEP_HOOK(name, path)


def note_path(rejected_file: Path) -> Path:
    """Where the plain-language note for a rejected file is written."""
    return rejected_file.with_name(rejected_file.name + NOTE_SUFFIX)


def temp_path(folder: Path, token: str, kind: str = "part") -> Path:
    """The hidden name a claim's file (kind 'part') or note (kind 'note') has in *folder* while it is moved."""
    return folder / f".{token}.{kind}"


def temp_token(name: str) -> str | None:
    """The claim token of a hidden name, or None if *name* is not one."""
    match = _TEMP.match(name)
    return match.group(1) if match else None


class Move:
    """One claimed file on its way into a folder: staged, committed under a reserved name, finished."""

    def __init__(self, source: Path, folder: Path, name: str, token: str, note: Callable[[Path], str] | None = None) -> None:
        self.source, self.folder, self.name, self.token, self.note = source, folder, name, token, note
        self.reserve = NOTE_RESERVE if note is not None else 0
        self.part: Path | None = None  # the hidden copy, when the file crossed filesystems
        self.note_part = temp_path(folder, token, "note") if note is not None else None
        self.counter = 0
        self.path = folder / fit_name(name, self.reserve)
        self.committed = False
        self.note_committed = False
        self.renamed = False  # no hard links here: a copy was renamed into the final name
        self.copied = False  # the bytes were written anew (another filesystem, or no hard links): fsync the folder

    @property
    def staged(self) -> Path:
        """What commit() links into the final name: the hidden copy, or the claim itself."""
        return self.part or self.source

    def stage(self) -> Move:
        """Make the file ready in the folder and choose a free name; OSError leaves only the claim."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not host.same_filesystem(self.source, self.folder):
                self._copy()
            self._next_free_name()
        except BaseException:
            self.undo()
            raise
        return self

    def commit(self) -> Path:
        """Link the note and the file into their final names (the next free ones if taken meanwhile); the final path."""
        if self.committed:
            return self.path
        while True:
            if self.note is not None and not self._link(self.note_part, note_path(self.path), "note-link"):
                self._next_free_name()
                continue
            self.note_committed = self.note is not None
            if self._link(self.staged, self.path, "link"):
                break
            if self.note_committed:
                _unlink(note_path(self.path))
                self.note_committed = False
            self._next_free_name()
        self.committed = True
        if self.copied:
            step("folder-fsync", self.folder)
            with _naming(self.folder / "."):
                host.fsync_folder(self.folder)
        return self.path

    def finish(self) -> None:
        """Remove the claim, then the hidden names: the move is complete."""
        step("remove-source", self.source)
        _unlink(self.source)
        self._clear_temps()

    def undo(self) -> None:
        """Take back what this move put in the folder (its own names only); the claim stays."""
        if self.committed or self.note_committed:
            if self.note_committed:
                _unlink(note_path(self.path))
            if self.renamed or _same(self.path, self.staged):
                _unlink(self.path)
        self.committed = self.note_committed = self.renamed = False
        self._clear_temps()

    def _clear_temps(self) -> None:
        for leftover in (self.part, self.note_part):
            if leftover is not None:
                _unlink(leftover)

    def _copy(self) -> None:
        part = temp_path(self.folder, self.token)
        _unlink(part)
        self.part, self.copied = part, True
        info = os.lstat(self.source)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(self.source), part)  # a link is never followed, only recreated
            return
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EXDEV, "a special file cannot be copied to another filesystem", str(self.source))
        step("copy", part)
        with _naming(part), open(host.long_path(self.source), "rb") as reading, open(host.long_path(part), "xb") as writing:
            shutil.copyfileobj(reading, writing, 1024 * 1024)
            step("copy-fsync", part)
            writing.flush()
            os.fsync(writing.fileno())
        shutil.copystat(self.source, part)

    def _next_free_name(self) -> None:
        """Choose the first name (and note name) free now; commit() makes it ours, atomically."""
        while True:
            self.counter += 1
            if self.counter >= MAX_NUMBER:
                raise OSError(errno.EEXIST, f"no free name for {self.name} after {MAX_NUMBER} tries", str(self.folder))
            name = fit_name(self.name, self.reserve) if self.counter == 1 else numbered(self.name, self.counter, self.reserve)
            candidate = self.folder / name
            if os.path.lexists(candidate) or (self.note is not None and os.path.lexists(note_path(candidate))):
                continue
            self.path = candidate
            if self.note is not None:
                self._write_note()
            return

    def _write_note(self) -> None:
        step("note", self.note_part)
        _unlink(self.note_part)
        with _naming(self.note_part), open(host.long_path(self.note_part), "x", encoding="utf-8") as writing:
            writing.write(self.note(self.path))
            writing.flush()
            os.fsync(writing.fileno())

    def _link(self, staged: Path, final: Path, name: str) -> bool:
        """Give *staged* the name *final* unless that name exists (atomic: one process wins it); False if taken."""
        step(name, final)
        try:
            host.link(staged, final)
            return True
        except FileExistsError:
            return False
        except OSError as err:
            if not host.link_unsupported(err):
                raise
        # No hard links here (some shares, FAT): a copy renamed without replacing. The claim stays
        # until finish(), so a crash before then costs a second copy, never a lost or partial file.
        if staged == self.source:
            self._copy()
            staged = self.part
        try:
            host.rename_noreplace(staged, final)
        except FileExistsError:
            return False
        if staged == self.part:
            self.part, self.renamed = None, True
        return True


def place_beside(folder: Path, name: str, data: bytes) -> Path:
    """Write *data* into *folder* as *name* ('x - TO FIX.docx'), or the first free numbered name; the path.

    Written whole to a hidden name first, then linked into the first free name ('x - TO FIX (2).docx'
    if taken), so it never overwrites anything and a partial file never carries a real name. A crash
    can leave only a hidden '.<random>.beside' file.
    """
    # Not a claim's hidden name (recovery clears those whose claim is gone, which would be this one).
    part = folder / f".{uuid.uuid4().hex}.beside"
    step("beside", part)
    with _naming(part), open(host.long_path(part), "xb") as writing:
        writing.write(data)
        writing.flush()
        os.fsync(writing.fileno())
    try:
        for counter in range(1, MAX_NUMBER):
            final = folder / (fit_name(name) if counter == 1 else numbered(name, counter))
            if os.path.lexists(final):
                continue
            try:
                host.link(part, final)
                return final
            except FileExistsError:
                continue
            except OSError as err:
                if not host.link_unsupported(err):
                    raise
            try:
                host.rename_noreplace(part, final)
                return final
            except FileExistsError:
                continue
        raise OSError(errno.EEXIST, f"no free name for {name} after {MAX_NUMBER} tries", str(folder))
    finally:
        _unlink(part)


def find_committed(folder: Path, token: str, source: Path, expected: Path | None = None) -> Move | None:
    """A move of claim *token* into *folder* that a crash stopped after its commit, or None.

    The final name shares its inode with the claim (one filesystem) or the hidden copy (two);
    *expected* (the name the store recorded) is looked at first, then the whole folder.
    """
    part = temp_path(folder, token)
    staged = part if os.path.lexists(part) else source
    try:
        info = os.lstat(staged)
    except OSError:
        return None
    found = None
    if expected is not None and expected != staged and _same(expected, staged):
        found = expected
    elif info.st_nlink > 1 and folder.is_dir():
        for entry in os.scandir(folder):
            if entry.inode() == info.st_ino and not entry.name.startswith(".") and _same(Path(entry.path), staged):
                found = Path(entry.path)
                break
    if found is None:
        return None
    move = Move(source, folder, found.name, token)
    move.path, move.committed = found, True
    move.part = part if staged == part else None
    note = temp_path(folder, token, "note")
    if os.path.lexists(note_path(found)) and _same(note_path(found), note):
        move.note_part, move.note_committed = note, True
    return move


def clear_temps(folder: Path, token: str) -> None:
    """Remove a claim's hidden names from *folder*, and a note it linked before a crash stopped its file's link."""
    note = temp_path(folder, token, "note")
    try:
        info = os.lstat(note)
    except OSError:
        info = None
    if info is not None and info.st_nlink > 1:
        for entry in os.scandir(folder):
            if entry.inode() == info.st_ino and not entry.name.startswith(".") and _same(Path(entry.path), note):
                _unlink(Path(entry.path))
    for kind in ("part", "note"):
        _unlink(temp_path(folder, token, kind))


def stale_temps(folders: Iterable[Path]) -> list[tuple[str, Path]]:
    """Hidden names in *folders*, with their claim tokens, for recovery to clear."""
    found = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            token = temp_token(entry.name)
            if token:
                found.append((token, Path(entry.path)))
    return found


@contextlib.contextmanager
def _naming(path: Path):
    """Give an OSError raised by a write (which names no file) the path written, so messages can say where."""
    try:
        yield
    except OSError as err:
        if err.filename is None:
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise


def _same(one: Path, other: Path) -> bool:
    try:
        a, b = os.lstat(one), os.lstat(other)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _unlink(path: Path | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


__all__ = ["Move", "NOTE_RESERVE", "NOTE_SUFFIX", "clear_temps", "find_committed", "note_path", "place_beside", "stale_temps", "step",
           "temp_path", "temp_token"]

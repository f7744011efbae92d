"""When a file in the inbox is ready to be read: it has stopped changing and, if it is a zip, opens whole.

`qa watch` and `qa ingest` share this check. The watcher looks at each file again every *settle*
seconds until two looks agree (Settler); `qa ingest`, which runs once, leaves for its next run any
file that changed within the last *window* seconds or is a zip not yet whole (hold_unsettled). Both
take their clock as an argument, so tests drive them without sleeping.
"""

from __future__ import annotations

import heapq
import itertools
import os
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Protocol

DEFAULT_SETTLE = 0.5  # seconds between the two looks that must agree before a file is read
DEFAULT_GIVE_UP = 120.0  # a zip unchanged but still not whole this long is ingested (and rejected)
DEFAULT_WINDOW = 1.0  # qa ingest: a file changed within this many seconds is looked at again before it is taken
STILL_WRITING = "still being written — left in the inbox for the next run"

Signature = tuple[int, int, int, int]


class Clock(Protocol):
    """What the settle logic needs of time: the time now, and a way to wait."""

    def now(self) -> float:
        """Seconds on this clock's scale."""

    def sleep(self, seconds: float) -> None:
        """Wait *seconds*."""


class SystemClock:
    """A real clock: monotonic for the watcher's own looks, or wall time to compare with file mtimes."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now

    def sleep(self, seconds: float) -> None:
        """Wait *seconds* of real time."""
        time.sleep(seconds)


MONOTONIC = SystemClock(time.monotonic)
WALL = SystemClock(time.time)


def file_signature(path: Path) -> Signature | None:
    """What must stay the same while a file settles (kind, size, mtime, inode); None if not a file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return (1, 0, info.st_mtime_ns, info.st_ino)
    if not stat.S_ISREG(info.st_mode):
        return None
    return (0, info.st_size, info.st_mtime_ns, info.st_ino)


def _open(path: Path):
    """Open *path* for the completeness check (a seam: tests make it fail as a permission would)."""
    return open(path, "rb")


def completeness(path: Path) -> str:
    """'whole', 'partial', 'unreadable' or 'gone': whether a file that has stopped changing can be read now.

    A zip writes its central directory last, so a half-copied .docx or .xlsx does not open, even when
    the copy has paused or the copier set the full size up front. Anything that is not a zip (a
    legacy .doc, a text file) is whole once it stops changing; ingest explains why it is rejected.
    A file that cannot be opened at all (permission denied) is unreadable, not partial: waiting
    will not mend it. One gone since its last look (another ingester claimed it) is 'gone'.
    """
    if path.is_symlink():
        return "whole"  # ingest rejects links without following them
    try:
        stream = _open(path)
    except FileNotFoundError:
        return "gone"
    except OSError:
        return "unreadable"
    try:
        with stream:
            head = stream.read(4)
            if len(head) < 4:
                return "partial"  # empty or only just created: nothing to judge yet
            if not head.startswith(b"PK"):
                return "whole"
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                archive.infolist()
    except Exception:  # any failure to open as a zip means "not whole yet"; give_up bounds the wait
        return "partial"
    return "whole"


def read_error(path: Path) -> str | None:
    """Why *path* cannot be opened for reading, in the system's words ('Permission denied'); None if it can."""
    try:
        with _open(path):
            return None
    except OSError as err:
        return err.strerror or type(err).__name__


@dataclass
class _Look:
    """A file seen and not yet ready: how it looked last, since when, and when to look again."""

    signature: Signature
    changed_at: float
    seq: int


class Settler:
    """The files the watcher has seen and not yet handed on, each looked at again every *settle* seconds.

    A file is ready when two looks *settle* seconds apart agree and it opens whole; a zip that stays
    unchanged but not whole for *give_up* seconds is handed on all the same ('stalled': ingest
    rejects it, with a note, rather than leave it unexplained). One that cannot be opened is
    'unreadable' at once. Time comes from *clock*, so tests step it by hand.
    """

    def __init__(self, settle: float = DEFAULT_SETTLE, give_up: float = DEFAULT_GIVE_UP, clock: Clock = MONOTONIC) -> None:
        self.settle = settle
        self.give_up = give_up
        self.clock = clock
        self._looks: dict[Path, _Look] = {}
        self._due: list[tuple[float, int, Path]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._looks)

    def __contains__(self, path: object) -> bool:
        return path in self._looks

    def add(self, path: Path) -> None:
        """Start settling *path* (nothing if it is already settling, or is not a file)."""
        if path in self._looks:
            return  # already settling: the next look compares signatures anyway
        signature = file_signature(path)
        if signature is None:
            return
        now = self.clock.now()
        look = _Look(signature, now, next(self._seq))
        self._looks[path] = look
        self._schedule(path, look, now)

    def next_due(self) -> float | None:
        """When the next look is due on this clock (None if nothing is settling)."""
        return self._due[0][0] if self._due else None

    def pop_ready(self) -> tuple[Path, str] | None:
        """The next file whose look is due and decided, with its verdict; None if none is, now.

        Verdicts: 'ready', 'stalled' (a zip not whole after give_up: read it as it is), 'unreadable'
        and 'gone'. A file still changing is looked at again later.
        """
        while self._due:
            now = self.clock.now()
            due, seq, path = self._due[0]
            if due > now:
                return None
            heapq.heappop(self._due)
            look = self._looks.get(path)
            if look is None or look.seq != seq:
                continue  # superseded by a later schedule
            verdict = self._verdict(path, look, now)
            if verdict == "wait":
                self._schedule(path, look, now)
                continue
            del self._looks[path]
            return path, verdict
        return None

    def _schedule(self, path: Path, look: _Look, now: float) -> None:
        look.seq = next(self._seq)
        heapq.heappush(self._due, (now + self.settle, look.seq, path))

    def _verdict(self, path: Path, look: _Look, now: float) -> str:
        signature = file_signature(path)
        if signature is None:
            return "gone"
        if signature != look.signature:
            look.signature, look.changed_at = signature, now
            return "wait"
        state = completeness(path)
        if state != "partial":
            return {"whole": "ready", "unreadable": "unreadable", "gone": "gone"}[state]
        return "stalled" if now - look.changed_at >= self.give_up else "wait"


def hold_unsettled(paths: Iterable[Path], window: float, *, give_up: float = DEFAULT_GIVE_UP,
                   clock: Clock | None = None) -> tuple[list[Path], list[Path]]:
    """Split *paths* into those ready to ingest now and those still being written, for a run of `qa ingest`.

    A file changed within the last *window* seconds (by its mtime) is looked at again once that
    window has passed — one wait for all of them, never longer than *window* — and held if it
    changed in between. A zip that does not open whole is held until it has been still for
    *give_up* seconds, as the watcher does. *clock* is wall time (WALL unless given), to compare with mtimes.
    """
    clock = clock or WALL
    paths = list(paths)
    if window <= 0:
        return paths, []
    first = {path: file_signature(path) for path in paths}
    now = clock.now()
    recent = [path for path, sig in first.items() if sig is not None and abs(now - sig[2] / 1e9) < window]
    if recent:
        newest = max(first[path][2] / 1e9 for path in recent)
        clock.sleep(min(max(newest + window - now, 0.0), window))
        now = clock.now()
    ready, held = [], []
    for path in paths:
        signature = file_signature(path) if path in recent else first[path]
        if signature is None:
            ready.append(path)  # gone or not a plain file: ingest says what became of it
        elif signature != first[path] or (completeness(path) == "partial" and abs(now - signature[2] / 1e9) < give_up):
            held.append(path)
        else:
            ready.append(path)
    return ready, held


class HoldUnsettled:
    """A select= for ingest_inbox(): passes on the files ready now and keeps, in *held*, those still being written."""

    def __init__(self, window: float = DEFAULT_WINDOW) -> None:
        self.window = window
        self.held: list[Path] = []

    def __call__(self, paths: Iterable[Path]) -> list[Path]:
        ready, held = hold_unsettled(paths, self.window)
        self.held += held
        return ready


__all__ = ["DEFAULT_GIVE_UP", "DEFAULT_SETTLE", "DEFAULT_WINDOW", "HoldUnsettled", "MONOTONIC", "STILL_WRITING", "WALL", "Clock", "Settler", "SystemClock",
           "completeness", "file_signature", "hold_unsettled", "read_error"]

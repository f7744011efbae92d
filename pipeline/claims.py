"""Claims: a file being ingested sits in inbox/.processing under a name saying who holds it since when.

A file is claimed by an atomic rename into the processing folder, so exactly one process wins it.
The claim's name carries a token (the store's key for recovery), the holder's pid and start time (a
pid reused by a later process is told apart by its start time) and its host; the full path inside
the inbox is kept in a small note beside it. A claim whose holder died is recovered on the next
start; one held by another computer is reported with its age and taken over only on request, except
with a PostgreSQL store, where a claim is also a lease in the store (store/postgres.py) that another
host takes over once it runs out.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from . import host
from .workspace import Workspace, fit_name

CLAIM_SEPARATOR = "__"
HOST = host.host_name()
_HOLDER = re.compile(r"^(\d+)(?:-(\d+))?$")  # pid, or pid-start time in milliseconds
_OWN_START: dict[int, float] = {}


@dataclass(frozen=True)
class Claim:
    """A claimed file in inbox/.processing and who holds it."""

    path: Path
    token: str
    pid: int
    started: float | None
    host: str
    name: str

    @property
    def mine(self) -> bool:
        """Held by this very process (a file it failed to finish, to retry)."""
        if self.host != HOST or self.pid != os.getpid():
            return False
        return not self.started or abs(self.started - own_start_time()) <= host.START_TIME_TOLERANCE

    def holder_alive(self) -> bool:
        """Whether the process holding it is still running (never true for another host: we cannot know)."""
        return self.host == HOST and host.process_alive(self.pid, self.started)


@dataclass(frozen=True)
class HeldClaim:
    """A claim no process here will finish: by another computer, or by a process that has died."""

    claim: Claim
    display: str
    age_seconds: float

    @property
    def age(self) -> str:
        """The age in words: '3 h 12 min', '45 s'."""
        return describe_age(self.age_seconds)

    def describe(self, workspace: Workspace) -> str:
        """One plain line for the operator: which file, who holds it, for how long, what to do."""
        where = f"{self.claim.path.relative_to(workspace.root).as_posix()} ('{self.display}')"
        if self.claim.host != HOST and (lease := _lease_of(workspace)) is not None:
            return (f"{where}: claimed by the computer {self.claim.host} {self.age} ago and not finished yet. Its lease in "
                    f"the database lasts {lease:g} s from when {self.claim.host} last renewed it; if that computer has "
                    "stopped, a computer running qa watch (or qa ingest) takes the file over then.")
        if self.claim.host != HOST:
            return (f"{where}: claimed by the computer {self.claim.host} {self.age} ago and not finished. If qa no "
                    f"longer runs there, take it over with: qa recover --force-host {self.claim.host}")
        return (f"{where}: left {self.age} ago by a qa process that stopped (process {self.claim.pid}). "
                "Run qa ingest, which finishes it.")


def _lease_of(workspace: Workspace) -> float | None:
    """How long a claim's lease lasts, where claims are leases (a PostgreSQL store); None on SQLite."""
    from .store import database_url, lease_seconds

    return lease_seconds(workspace.root) if database_url(workspace.root) else None


def own_start_time() -> float:
    """This process's start time (cached per pid, so a forked child reads its own)."""
    pid = os.getpid()
    if pid not in _OWN_START:
        _OWN_START[pid] = host.own_start_time()
    return _OWN_START[pid]


def claim_prefix(token: str) -> str:
    """The start of a claim name made by this process."""
    holder = f"{os.getpid()}-{round(own_start_time() * 1000)}"
    return CLAIM_SEPARATOR.join((token, holder, HOST, ""))


def take(workspace: Workspace, path: Path, token: str, name: str) -> Path | None:
    """Claim *path* by renaming it into the processing folder; None if another process took it first."""
    workspace.processing.mkdir(parents=True, exist_ok=True)
    prefix = claim_prefix(token)
    target = workspace.processing / (prefix + fit_name(name, reserve=len(prefix.encode())))
    try:
        os.rename(host.long_path(path), host.long_path(target))  # atomic: exactly one process wins a file
    except FileNotFoundError:
        return None
    return target


def parse(path: Path) -> Claim | None:
    """The claim a name in the processing folder stands for, or None if it is not a claim."""
    parts = path.name.split(CLAIM_SEPARATOR, 3)
    if len(parts) != 4:
        return None
    holder = _HOLDER.match(parts[1])
    if holder is None:
        return None
    started = int(holder.group(2)) / 1000 if holder.group(2) else None
    return Claim(path, parts[0], int(holder.group(1)), started, parts[2], parts[3])


def all_claims(workspace: Workspace) -> list[Claim]:
    """Every claim in the processing folder, by name."""
    if not workspace.processing.is_dir():
        return []
    return [claim for path in sorted(workspace.processing.iterdir()) if (claim := parse(path)) is not None]


def note_of(workspace: Workspace, token: str) -> Path:
    """The note holding a claim's full path in the inbox."""
    return workspace.processing / f"{token}.path"


def write_note(workspace: Workspace, token: str, display: str) -> None:
    """Record where in the inbox a claimed file came from (written after its claim, so a lone note is an orphan)."""
    note_of(workspace, token).write_text(display, encoding="utf-8")


def read_note(workspace: Workspace, token: str) -> str | None:
    """The inbox path a claim came from, if its note was written."""
    try:
        return note_of(workspace, token).read_text(encoding="utf-8") or None
    except OSError:
        return None


def drop_orphan_notes(workspace: Workspace, tokens: set[str]) -> None:
    """Remove path notes whose claim is gone (a crash after the move, before the note was removed).

    A note is written after its claim, so one whose claim is not there now is never in use; *tokens*
    (claims seen a moment ago) only spares the look for each.
    """
    for path in workspace.processing.glob("*.path"):
        if path.stem not in tokens and not any(workspace.processing.glob(f"{path.stem}{CLAIM_SEPARATOR}*")):
            path.unlink(missing_ok=True)


def held_elsewhere(workspace: Workspace, claims: list[Claim] | None = None, now: float | None = None,
                   include_mine: bool = False) -> list[HeldClaim]:
    """Claims that no process on this computer is working on: another host's, or a dead process's.

    What `qa ingest`, `qa check` (and `qa status`) report, with how long each has been held; this
    process's own unfinished claims too if *include_mine*.
    """
    now = time.time() if now is None else now
    held = []
    for claim in all_claims(workspace) if claims is None else claims:
        if claim.host == HOST and (claim.mine and not include_mine or not claim.mine and claim.holder_alive()):
            continue
        display = read_note(workspace, claim.token) or claim.name
        held.append(HeldClaim(claim, display, max(0.0, now - claimed_at(workspace, claim))))
    return held


def claimed_at(workspace: Workspace, claim: Claim) -> float:
    """When a file was claimed: its path note is written then (the claim keeps the file's own times)."""
    for path in (note_of(workspace, claim.token), claim.path):
        try:
            info = os.lstat(path)
        except OSError:
            continue
        return info.st_mtime if path.suffix == ".path" else info.st_ctime
    return time.time()


def describe_age(seconds: float) -> str:
    """'2 d 3 h', '3 h 12 min', '4 min', '45 s'."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def give_back(workspace: Workspace, claimed: Path, display: str) -> Path:
    """Put a claimed file back where it was in the inbox; where it is now (the claim, if that name is taken)."""
    original = workspace.inbox / display
    try:
        original.parent.mkdir(parents=True, exist_ok=True)
        host.rename_noreplace(claimed, original)
    except OSError:
        return claimed
    return original


__all__ = ["CLAIM_SEPARATOR", "Claim", "HOST", "HeldClaim", "all_claims", "describe_age", "give_back",
           "held_elsewhere", "parse", "read_note", "take", "write_note"]

"""One file end to end: claim it, read and validate it, store it, then archive or reject it with a note.

The same ingest_file() serves `qa ingest` and `qa watch`. A file is claimed by an atomic rename into
the inbox's processing folder, so two watchers never take the same file; a claim left by a process
that died is recovered on the next start, and the store's log of claims makes recovery idempotent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import socket
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError, Problem, ReadError, message
from .read.package import MAX_FILE_BYTES, OfficePackage, open_package
from .resolution import resolve_rejections
from .spec import Catalogue, FormSpec
from .store import Store
from .validate import Submission, validate
from .workspace import Workspace, fit_name, is_ignored, numbered, unique_path

log = logging.getLogger("pipeline.ingest")
CLAIM_SEPARATOR = "__"
HOST = socket.gethostname().replace(".", "-").replace(CLAIM_SEPARATOR, "-")


@dataclass
class Examined:
    """What a file turned out to be: its spec (if identified) and typed answers, or its problems."""

    name: str
    spec: FormSpec | None = None
    submission: Submission | None = None
    problems: list[str] = field(default_factory=list)
    recovered: bool = False  # some controls had lost their names: answers placed by the form's layout
    public: list[str] = field(default_factory=list)  # the same problems, never quoting what was typed

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass
class Outcome:
    """What happened to one dropped file."""

    file: str
    status: str  # accepted | rejected | duplicate | replaced
    form: str | None
    problems: list[str] = field(default_factory=list)
    destination: str | None = None
    recovered: bool = False  # accepted with answers placed by the form's layout (see Examined)
    public: list[str] | None = None  # the problems as logged and printed: never quoting what was typed

    def __post_init__(self) -> None:
        if self.public is None:
            self.public = [getattr(problem, "public", problem) for problem in self.problems]

    def as_json(self) -> dict:
        """The object `qa ingest --json` prints (problems in their public wording; the note quotes them)."""
        return {"file": self.file, "status": self.status, "form": self.form, "problems": self.public}


def examine(name: str, data: bytes, catalogue: Catalogue) -> Examined:
    """Read and validate one file's bytes. Pure: no moves, no store, no printing."""
    result = Examined(name)
    try:
        package = open_package(name, data)
        result.spec = identify(package, catalogue)
        raw = _reader(package.kind)(package, result.spec)
    except ReadError as err:
        result.problems = result.public = [str(err)]
        return result
    except Exception as err:  # a damaged part deep inside a zip: never let one file stop the run
        log.debug("unexpected read failure for %s", name, exc_info=True)
        result.problems = result.public = [message("corrupt", detail=type(err).__name__)]
        return result
    result.submission = validate(result.spec, raw, catalogue.settings)
    problems = _unique(result.submission.problems)
    result.problems = [str(problem) for problem in problems]
    result.public = [problem.public for problem in problems]
    result.recovered = raw.recovered
    return result


def identify(package: OfficePackage, catalogue: Catalogue) -> FormSpec:
    """The spec a file was made from, by the form id, variant and version in its properties."""
    if not package.form_id:
        raise ReadError(message("unknown_form"))
    try:
        spec = catalogue.get(package.form_id, package.variant)
    except KeyError:
        key = f"{package.form_id}/{package.variant}" if package.variant else package.form_id
        raise ReadError(message("unknown_form_id", form=key)) from None
    if package.version != str(spec.version):
        raise ReadError(message("unknown_version", version=package.version, title=spec.display_title, current=spec.version))
    if package.kind != spec.format:
        raise ReadError(message("unknown_form"))
    return spec


def _reader(kind: str):
    if kind == "docx":
        from .read.docx_reader import read_docx

        return read_docx
    from .read.xlsx_reader import read_xlsx

    return read_xlsx


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if problem.message not in seen:
            seen.add(problem.message)
            result.append(problem)
    return result


# --- the I/O edge ------------------------------------------------------------------------------


def inbox_files(workspace: Workspace) -> list[Path]:
    """Files waiting in the inbox and its subfolders, oldest first, lock and temp files left out."""
    found = []
    for folder, dirs, files in os.walk(workspace.inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        # A link to a folder is never walked into (it may point anywhere); it is taken like a
        # file, so it is rejected with a note instead of sitting in the inbox unexplained.
        files += [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = [d for d in dirs if d not in files]
        for name in files:
            if not is_ignored(name):
                found.append(Path(folder) / name)
    return sorted(found, key=_mtime)


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def ingest_inbox(workspace: Workspace, catalogue: Catalogue, store: Store,
                 select: Callable[[list[Path]], list[Path]] | None = None) -> list[Outcome]:
    """Recover interrupted claims, then ingest every file in the inbox once.

    *select*, if given, picks from the inbox's files those to ingest now (`qa ingest` leaves files
    still being written for its next run this way).
    """
    outcomes = recover_claims(workspace, catalogue, store)
    files = inbox_files(workspace)
    for path in select(files) if select is not None else files:
        outcome = ingest_file(workspace, path, catalogue, store)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def ingest_file(workspace: Workspace, path: Path, catalogue: Catalogue, store: Store) -> Outcome | None:
    """Claim *path* and process it; None if it is ignored or another process claimed it first."""
    if is_ignored(path.name):
        return None
    display = _display_name(workspace, path)
    token = uuid.uuid4().hex
    claimed = _claim(workspace, path, token, path.name)
    if claimed is None:
        return None
    _write_claim_note(workspace, token, display)
    return _finish_claim(workspace, claimed, token, display, catalogue, store)


def recover_claims(workspace: Workspace, catalogue: Catalogue, store: Store) -> list[Outcome]:
    """Finish files claimed by a process that has since died (kill -9, power cut)."""
    outcomes = []
    if not workspace.processing.is_dir():
        return outcomes
    for path in sorted(workspace.processing.iterdir()):
        parts = _parse_claim(path.name)
        if parts is None:
            _drop_orphan_claim_note(workspace, path)
            continue
        if _claim_alive(parts):
            continue
        token, _, _, name = parts
        display = _read_claim_note(workspace, token) or name
        claimed = _claim(workspace, path, token, name)
        if claimed is not None:
            log.info("recovering %s left by an interrupted run", display)
            outcomes.append(_finish_claim(workspace, claimed, token, display, catalogue, store))
    return outcomes


def _display_name(workspace: Workspace, path: Path) -> str:
    try:
        return path.relative_to(workspace.inbox).as_posix()
    except ValueError:
        return path.name


def _claim(workspace: Workspace, path: Path, token: str, name: str) -> Path | None:
    workspace.processing.mkdir(parents=True, exist_ok=True)
    prefix = CLAIM_SEPARATOR.join((token, str(os.getpid()), HOST, ""))
    target = workspace.processing / (prefix + fit_name(name, reserve=len(prefix.encode())))
    try:
        os.rename(path, target)  # atomic: exactly one process wins a file
    except FileNotFoundError:
        return None
    return target


# The claim's name holds only as much of the file name as fits; the full path inside the inbox
# (subfolders included) is kept in a small note beside it, for the log and for recovery. A crash
# between the claim and the note only costs the subfolder in the recovered file's log line.
def _claim_note(workspace: Workspace, token: str) -> Path:
    return workspace.processing / f"{token}.path"


def _write_claim_note(workspace: Workspace, token: str, display: str) -> None:
    workspace.processing.mkdir(parents=True, exist_ok=True)
    _claim_note(workspace, token).write_text(display, encoding="utf-8")


def _read_claim_note(workspace: Workspace, token: str) -> str | None:
    try:
        return _claim_note(workspace, token).read_text(encoding="utf-8") or None
    except OSError:
        return None


def _drop_orphan_claim_note(workspace: Workspace, path: Path) -> None:
    """Remove a path note whose claim is gone (a crash after the move, before the note was removed).

    A note is written only after its claim exists, so a note without a claim is never one in use.
    """
    if path.suffix == ".path" and not any(workspace.processing.glob(f"{path.stem}{CLAIM_SEPARATOR}*")):
        path.unlink(missing_ok=True)


def _parse_claim(name: str) -> tuple[str, int, str, str] | None:
    parts = name.split(CLAIM_SEPARATOR, 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2], parts[3]


def _claim_alive(parts: tuple[str, int, str, str]) -> bool:
    _, pid, host, _ = parts
    if host != HOST:
        return True  # another host's claim: leave it to that host's own recovery
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _is_running(pid)


def _is_running(pid: int) -> bool:
    # A killed child that its parent has not reaped yet is a zombie: dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat_file:
            return stat_file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _finish_claim(workspace: Workspace, claimed: Path, token: str, display: str, catalogue: Catalogue, store: Store) -> Outcome:
    outcome = _process(workspace, claimed, token, display, catalogue, store)
    _claim_note(workspace, token).unlink(missing_ok=True)
    return outcome


def _process(workspace: Workspace, claimed: Path, token: str, display: str, catalogue: Catalogue, store: Store) -> Outcome:
    name = Path(display).name
    earlier = store.claimed_outcome(token)
    if earlier is not None:
        # Processed and logged before a crash stopped the move: finish the move only.
        target = Path(earlier.destination) if earlier.destination else workspace.archive / fit_name(name)
        destination = _move(claimed, target.parent, target.name, NOTE_RESERVE if earlier.status == "rejected" else 0)
        if earlier.status == "rejected":
            _write_note(destination, display, earlier.quoted)
        return _logged(Outcome(display, earlier.status, earlier.form, earlier.quoted, str(destination), public=earlier.problems))

    try:
        info = os.lstat(claimed)
    except OSError as err:
        return _reject(workspace, store, claimed, display, token, None, None, [message("corrupt", detail=err.strerror or "unreadable")])
    if stat.S_ISLNK(info.st_mode):
        return _reject(workspace, store, claimed, display, token, None, None, [message("symlink")])
    if not stat.S_ISREG(info.st_mode):
        return _reject(workspace, store, claimed, display, token, None, None, [message("not_a_file")])
    if info.st_size > MAX_FILE_BYTES:
        problems = [message("too_large", size_mb=info.st_size / 1024 / 1024, limit_mb=MAX_FILE_BYTES // 1024 // 1024)]
        return _reject(workspace, store, claimed, display, token, None, None, problems)
    try:
        data = claimed.read_bytes()
    except OSError as err:
        return _reject(workspace, store, claimed, display, token, None, None, [message("corrupt", detail=err.strerror or "unreadable")])
    sha256 = hashlib.sha256(data).hexdigest()
    duplicates = workspace.archive / "duplicates"
    if store.is_known_file(sha256):  # the quick check; save() checks again inside its transaction
        return _duplicate(store, claimed, display, token, sha256, duplicates)

    examined = examine(name, data, catalogue)
    form = examined.spec.key if examined.spec else None
    if not examined.valid:
        quarter = examined.submission.quarter if examined.submission else None
        return _reject(workspace, store, claimed, display, token, sha256, form, examined.problems, quarter, examined.public)
    submission = examined.submission
    folder = workspace.archive / (submission.quarter or "no-quarter")
    destination = unique_path(_folder(folder), name)
    status = store.save(submission, file=display, sha256=sha256, claim=token, destination=str(destination),
                        duplicate_destination=str(duplicates / fit_name(name)))
    if status == "duplicate":  # another watcher stored a byte-identical copy a moment ago
        destination = duplicates / fit_name(name)
    if status != "duplicate":  # hook (figures): rejections this file corrects are resolved, and their notes say so
        resolve_rejections(workspace, catalogue, store, token)
    destination = _move(claimed, destination.parent, destination.name)
    return _logged(Outcome(display, status, form, [], str(destination), recovered=examined.recovered))


def _duplicate(store: Store, claimed: Path, display: str, token: str, sha256: str, folder: Path) -> Outcome:
    destination = unique_path(_folder(folder), Path(display).name)
    store.log(file=display, claim=token, sha256=sha256, status="duplicate", form=None, destination=str(destination))
    destination = _move(claimed, destination.parent, destination.name)
    return _logged(Outcome(display, "duplicate", None, [], str(destination)))


def _reject(workspace, store, claimed: Path, display: str, token: str, sha256, form, problems: list[str], quarter=None,
            public: list[str] | None = None) -> Outcome:
    destination = unique_path(_folder(workspace.rejected), Path(display).name, reserve=NOTE_RESERVE)
    store.log(file=display, claim=token, sha256=sha256, status="rejected", form=form, quarter=quarter,
              problems=problems, destination=str(destination), public=public)
    # The note goes first: a crash after the move would leave no claim for recovery to finish.
    _write_note(destination, display, problems)
    moved = _move(claimed, destination.parent, destination.name, reserve=NOTE_RESERVE)
    if moved != destination:  # another process took the name in between: the note follows the file
        os.replace(note_path(destination), note_path(moved))
        destination = moved
    return _logged(Outcome(display, "rejected", form, problems, str(destination), public=public))


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _move(claimed: Path, folder: Path, name: str, reserve: int = 0) -> Path:
    """Move a claimed file into *folder* as *name* — or 'name (2)', … — never replacing anything.

    A hard link is created only if the name is free, so two processes can never take the same
    name; the claim is unlinked after. If a crash came between the two, the link is already there.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted = folder / name
    if wanted.exists() and not claimed.is_symlink() and os.path.samefile(wanted, claimed):
        claimed.unlink()
        return wanted
    counter = 1
    while True:
        candidate = wanted if counter == 1 else folder / numbered(name, counter, reserve)
        counter += 1
        try:
            moved = _link_or_copy(claimed, candidate)
        except FileExistsError:
            continue
        if not moved:
            claimed.unlink()
        return candidate


def _link_or_copy(claimed: Path, candidate: Path) -> bool:
    """Put *claimed* at *candidate* (FileExistsError if taken); True if it was moved, not linked."""
    if not stat.S_ISREG(os.lstat(claimed).st_mode):
        if candidate.exists() or candidate.is_symlink():
            raise FileExistsError(candidate)
        os.rename(claimed, candidate)  # a link or pipe moves itself: never what it points at
        return True
    try:
        os.link(claimed, candidate, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (another device, some network shares): copy into a name opened
        # exclusively, so an existing file is still never replaced.
        with open(claimed, "rb") as source, open(candidate, "xb") as target:
            shutil.copyfileobj(source, target)
        shutil.copystat(claimed, candidate)
    return False


NOTE_RESERVE = len(" - WHY REJECTED.txt".encode())


def note_path(rejected_file: Path) -> Path:
    """Where the plain-language note for a rejected file is written."""
    return rejected_file.with_name(rejected_file.name + " - WHY REJECTED.txt")


def note_text(display: str, problems: list[str]) -> str:
    """The note a QA admin and the form's author read beside a rejected file."""
    lines = [
        f"The file '{display}' was not accepted on {dt.datetime.now():%d/%m/%Y at %H:%M}.",
        "It has been kept, unchanged, in this folder. Please fix the following and drop the corrected file in the inbox again:",
        "",
    ]
    lines += [f"  {number}. {problem}" for number, problem in enumerate(problems, 1)]
    return "\n".join(lines) + "\n"


def _write_note(destination: Path, display: str, problems: list[str]) -> None:
    note = note_path(destination)
    if not note.exists():
        # Written aside and renamed into place: a crash mid-write must not leave a truncated note
        # that recovery (which keeps an existing note) would then leave as it is.
        partial = note.with_name(f".{note.name}.{os.getpid()}.part")
        partial.write_text(note_text(display, problems), encoding="utf-8")
        os.replace(partial, note)


def _logged(outcome: Outcome) -> Outcome:
    log.info("%s\t%s\t%s\t%d problem(s)", outcome.file, outcome.status, outcome.form or "-", len(outcome.problems))
    return outcome


__all__ = ["Examined", "Outcome", "PipelineError", "examine", "identify", "ingest_file", "ingest_inbox", "inbox_files", "note_path", "recover_claims"]

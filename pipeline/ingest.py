"""One file end to end: claim it, read and validate it, store it, and put it whole in archive/ or rejected/ (with a note).

The same ingest_file() serves `qa ingest` and `qa watch`. A file is claimed by an atomic rename into
the inbox's processing folder (claims.py), so two ingesters never take the same file. Its move
(moves.py) is staged in the destination folder first, the store records the name chosen, then the
file is linked under a name reserved atomically (the store is corrected if another took it), and
the claim is removed last: a claim left by a process that died is finished on the next start without
a second copy. One file's OS error (a full disk, a permission, a lock held too long) is that file's
outcome, 'failed', with the file back in the inbox: the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import stat
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import claims, failures, moves
from .claims import CLAIM_SEPARATOR, HOST
from .errors import PipelineError, Problem, ReadError, message
from .failures import printable, shown as _shown
from .moves import NOTE_RESERVE, note_path
from .read.package import MAX_FILE_BYTES, OfficePackage, open_package
from .resolution import resolve_rejections
from .spec import Catalogue, FormSpec
from .store import STORE_BUSY, Store
from .validate import Submission, validate
from .workspace import Workspace, fit_name, is_ignored

log = logging.getLogger("pipeline.ingest")
TO_FIX_SUFFIX = " - TO FIX"  # 'form.docx' rejected → 'form - TO FIX.docx' beside it, with a comment on each problem
TO_FIX_LIMIT = 5 * 1024 * 1024  # a form is tens of kilobytes; a bigger file gets the note only


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
    status: str  # accepted | rejected | duplicate | replaced | failed (an OS error: the file is back in the inbox)
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
        shown = {"file": self.file, "status": self.status, "form": self.form, "problems": self.public}
        return {**shown, "recovered": True} if self.recovered else shown


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
    # An earlier version is read as it was (fields added since left out); a later or unknown one is refused.
    older = [str(number) for number in range(1, spec.version)]
    if package.version in older:
        spec = spec.at_version(int(package.version))
    elif package.version != str(spec.version):
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


class FileNotHandled(PipelineError):
    """One file could not be dealt with (full disk, permissions, a lock held too long); its outcome says where it is."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.problems[0] if outcome.problems else outcome.file)
        self.outcome = outcome


class _AfterStore(Exception):
    """An OS error after the store recorded the file: the claim stays for the next run to finish."""

    def __init__(self, outcome: Outcome, err: Exception, placed: bool = False) -> None:
        super().__init__(str(err))
        self.outcome, self.err, self.placed = outcome, err, placed


def scan_inbox(workspace: Workspace) -> tuple[list[Path], list[tuple[Path, OSError]]]:
    """Files waiting in the inbox and its subfolders, oldest first, and the folders that could not be read."""
    found, unreadable = [], []
    for folder, dirs, files in os.walk(workspace.inbox, onerror=lambda err: unreadable.append((Path(err.filename), err))):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        # A link to a folder is never walked into (it may point anywhere); it is taken like a
        # file, so it is rejected with a note instead of sitting in the inbox unexplained.
        files += [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        dirs[:] = [d for d in dirs if d not in files]
        for name in files:
            if not is_ignored(name):
                found.append(Path(folder) / name)
    return sorted(found, key=_mtime), unreadable


def inbox_files(workspace: Workspace) -> list[Path]:
    """Files waiting in the inbox and its subfolders, oldest first, lock and temp files left out."""
    return scan_inbox(workspace)[0]


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def ingest_inbox(workspace: Workspace, catalogue: Catalogue, store: Store,
                 select: Callable[[list[Path]], list[Path]] | None = None) -> list[Outcome]:
    """Recover interrupted claims, then ingest every file in the inbox once; a file that fails is reported and left.

    *select*, if given, picks from the inbox's files those to ingest now (`qa ingest` leaves files
    still being written for its next run this way).
    """
    outcomes = recover_claims(workspace, catalogue, store)
    files, unreadable = scan_inbox(workspace)
    for folder, err in unreadable:
        shown = _shown(workspace, folder)
        problem = message("unreadable_folder", folder=shown, detail=err.strerror or type(err).__name__)
        log.error("%s\tfailed\t-\t%s", printable(shown), problem)
        outcomes.append(Outcome(shown, "failed", None, [problem], str(folder)))
    for path in select(files) if select is not None else files:
        try:
            outcome = ingest_file(workspace, path, catalogue, store)
        except FileNotHandled as err:
            outcome = err.outcome
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def ingest_file(workspace: Workspace, path: Path, catalogue: Catalogue, store: Store) -> Outcome | None:
    """Claim *path* and process it; None if it is ignored or another process claimed it first.

    Raises FileNotHandled (the file back in the inbox) when an OS error stops it.
    """
    if is_ignored(path.name):
        return None
    display = _display_name(workspace, path)
    token = uuid.uuid4().hex
    try:
        claimed = claims.take(workspace, path, token, path.name)
    except OSError as err:
        raise FileNotHandled(_failed(workspace, display, err, path)) from err
    if claimed is None:
        return None
    try:
        claims.write_note(workspace, token, display)
    except OSError:
        log.warning("could not note where %s came from; its log line may lack its folder", printable(display))
    return _finish_claim(workspace, claimed, token, display, catalogue, store, recovering=False)


def recover_claims(workspace: Workspace, catalogue: Catalogue, store: Store, force_host: str | None = None) -> list[Outcome]:
    """Finish files claimed by a process that has since died (kill -9, power cut), each on its own.

    A claim by another computer is left to it (`held_claims` reports it), unless *force_host* names
    that computer. Hidden leftovers of moves whose claim is gone are cleared.
    """
    outcomes: list[Outcome] = []
    if not workspace.processing.is_dir():
        return outcomes
    found = claims.all_claims(workspace)
    claims.drop_orphan_notes(workspace, {claim.token for claim in found})
    _clear_stale_temps(workspace)
    for claim in found:
        expired = False
        if claim.host != HOST and claim.host != force_host:
            # Another computer's claim: left to it, unless its lease in the store ran out (that host died).
            try:
                expired = store.take_over_lease(claim.token, max(0.0, time.time() - claims.claimed_at(workspace, claim)))
            except STORE_BUSY:
                expired = False  # the database is away: looked at again at the next rescan
            if not expired:
                continue
        if claim.host == HOST and not claim.mine and claim.holder_alive():
            continue
        display = claims.read_note(workspace, claim.token) or claim.name
        try:
            claimed = claims.take(workspace, claim.path, claim.token, claim.name)
        except OSError as err:
            outcomes.append(_failed(workspace, display, err, claim.path))
            continue
        if claimed is None:
            continue
        if claim.mine:
            log.info("retrying %s, which could not be finished a moment ago", printable(display))
        elif expired:
            log.info("taking over %s, claimed by %s, whose lease ran out", printable(display), claim.host)
        elif claim.host != HOST:
            log.info("taking over %s, claimed by %s (as asked)", printable(display), claim.host)
        else:
            log.info("recovering %s left by an interrupted run", printable(display))
        try:
            outcomes.append(_finish_claim(workspace, claimed, claim.token, display, catalogue, store, recovering=True))
        except FileNotHandled as err:
            outcomes.append(err.outcome)
    return outcomes


def held_claims(workspace: Workspace) -> list[claims.HeldClaim]:
    """Claims another computer holds (and dead ones not yet recovered), with their age: for `qa ingest` and `qa status`."""
    return claims.held_elsewhere(workspace)


def _clear_stale_temps(workspace: Workspace) -> None:
    """Remove hidden placement names whose claim is gone (a crash after the claim was removed)."""
    for token, path in moves.stale_temps(_placement_folders(workspace)):
        if not any(workspace.processing.glob(f"{token}{CLAIM_SEPARATOR}*")):
            path.unlink(missing_ok=True)


def _placement_folders(workspace: Workspace) -> list[Path]:
    folders = [workspace.rejected]
    try:
        folders += sorted(p for p in workspace.archive.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        pass
    return folders


def _display_name(workspace: Workspace, path: Path) -> str:
    try:
        return path.relative_to(workspace.inbox).as_posix()
    except ValueError:
        return path.name


def _failed(workspace: Workspace, display: str, err: Exception, where: Path) -> Outcome:
    """The outcome of a file an OS error stopped: the reason in plain words, where the file is, what to do."""
    problem = failures.describe(workspace, err, where)
    log.error("%s\tfailed\t-\t%s", printable(display), problem)
    return Outcome(display, "failed", None, [problem], str(where))


def _finish_claim(workspace: Workspace, claimed: Path, token: str, display: str, catalogue: Catalogue, store: Store,
                  recovering: bool) -> Outcome:
    try:
        outcome = _process(workspace, claimed, token, display, catalogue, store, recovering)
    except _AfterStore as err:
        problem = failures.after_store(workspace, err.err, err.outcome.status, err.outcome.destination, claimed, err.placed)
        log.error("%s\tfailed\t%s\t%s", printable(display), err.outcome.form or "-", problem)
        raise FileNotHandled(Outcome(display, "failed", err.outcome.form, [problem], err.outcome.destination)) from err.err
    except (OSError, *STORE_BUSY) as err:
        where = claims.give_back(workspace, claimed, display)
        if where != claimed:
            claims.note_of(workspace, token).unlink(missing_ok=True)
            _release(store, token)
        raise FileNotHandled(_failed(workspace, display, err, where)) from err
    claims.note_of(workspace, token).unlink(missing_ok=True)
    _release(store, token)
    return outcome


def _release(store: Store, token: str) -> None:
    """Let go of a finished claim's lease (a failure only leaves it to run out: the file is already placed)."""
    try:
        store.release_lease(token)
    except Exception:  # noqa: BLE001 - the database went away: the lease expires by itself
        log.warning("could not release the lease on a finished claim; it runs out by itself")


def _process(workspace: Workspace, claimed: Path, token: str, display: str, catalogue: Catalogue, store: Store,
             recovering: bool) -> Outcome:
    store.hold_lease(token)  # PostgreSQL: held in the store and renewed, so another host takes it over if this one dies
    earlier = store.claimed_outcome(token)
    if recovering:  # a crash may have left this claim's hidden names behind: only the recorded folder's may be used
        keep = Path(earlier.destination).parent if earlier is not None and earlier.destination else None
        for folder in _placement_folders(workspace):
            if folder != keep:
                moves.clear_temps(folder, token)
    if earlier is not None:
        if earlier.status in ("accepted", "replaced"):  # a crash may have come before the rejections it corrects were resolved
            resolve_rejections(workspace, catalogue, store, token)
        return _finish_earlier(workspace, store, claimed, token, display, earlier)
    return _process_new(workspace, claimed, token, display, Path(display).name, catalogue, store)


def _process_new(workspace, claimed: Path, token: str, display: str, name: str, catalogue: Catalogue, store: Store) -> Outcome:
    try:
        info = os.lstat(claimed)
    except OSError as err:
        raise failures.Unreadable(err) from err
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
        raise failures.Unreadable(err) from err
    sha256 = hashlib.sha256(data).hexdigest()
    duplicates = workspace.archive / "duplicates"
    if store.is_known_file(sha256):  # the quick check; save() checks again inside its transaction
        move = _move(claimed, duplicates, name, token)
        _record(move, lambda: store.log(file=display, claim=token, sha256=sha256, status="duplicate", form=None,
                                        destination=str(move.path)))
        return _done(store, token, move, str(move.path), Outcome(display, "duplicate", None, []))

    examined = examine(name, data, catalogue)
    form = examined.spec.key if examined.spec else None
    if not examined.valid:
        quarter = examined.submission.quarter if examined.submission else None
        outcome = _reject(workspace, store, claimed, display, token, sha256, form, examined.problems, quarter, examined.public)
        _write_to_fix(outcome, data, examined)
        return outcome
    submission = examined.submission
    move = _move(claimed, workspace.archive / (submission.quarter or "no-quarter"), name, token)
    recorded = str(move.path)
    status = _record(move, lambda: store.save(submission, file=display, sha256=sha256, claim=token, destination=recorded,
                                              duplicate_destination=str(duplicates / fit_name(name)), recovered=examined.recovered))
    if status == "duplicate":  # another ingester stored a byte-identical copy a moment ago
        move.undo()
        recorded = str(duplicates / fit_name(name))
        try:
            move = _move(claimed, duplicates, name, token)
        except OSError as err:  # the store has the claim's row: recovery finishes the move
            raise _AfterStore(Outcome(display, status, None, [], recorded), err) from err
    else:  # hook (figures): rejections this file corrects are resolved, and their notes say so
        resolve_rejections(workspace, catalogue, store, token)
    return _done(store, token, move, recorded, Outcome(display, status, form, [], recovered=examined.recovered))


def _write_to_fix(outcome: Outcome, data: bytes, examined: Examined) -> None:
    """Beside a rejected form that was opened safely and read, its TO FIX copy: a comment on each failing answer.

    A courtesy to the author, like the note but inside their own document: a failure is logged, never
    the file's outcome. Files that could not be opened or read (damaged, unsafe) get the note only.
    """
    if examined.submission is None or examined.spec is None or not outcome.destination or len(data) > TO_FIX_LIMIT:
        return
    try:
        from .templates.to_fix import to_fix_copy

        copy = to_fix_copy(data, examined.spec, _unique(examined.submission.problems))
        rejected = Path(outcome.destination)
        # A TO FIX copy rejected again gets 'x - TO FIX (2).docx', not 'x - TO FIX - TO FIX.docx'.
        stem = re.sub(rf"{re.escape(TO_FIX_SUFFIX)}(?: \(\d+\))?$", "", rejected.stem)
        placed = moves.place_beside(rejected.parent, f"{stem}{TO_FIX_SUFFIX}{rejected.suffix}", copy)
        with open(note_path(Path(outcome.destination)), "a", encoding="utf-8") as note:
            note.write("\n" + message("to_fix_note", name=placed.name) + "\n")
    except Exception:  # noqa: BLE001 - the note beside the file already says what to fix
        log.warning("could not write the TO FIX copy of %s", printable(outcome.file), exc_info=True)


def _finish_earlier(workspace, store: Store, claimed: Path, token: str, display: str, earlier) -> Outcome:
    """A claim the store has already recorded (a crash came before its claim was removed): finish the move only."""
    target = Path(earlier.destination) if earlier.destination else workspace.archive / fit_name(Path(display).name)
    rejected = earlier.status == "rejected"
    outcome = Outcome(display, earlier.status, earlier.form, earlier.quoted, public=earlier.problems)
    move = moves.find_committed(target.parent, token, claimed, target)
    if move is not None and rejected and not os.path.lexists(moves.note_path(move.path)):
        move.undo()
        move = None
    if move is None:
        moves.clear_temps(target.parent, token)
        note = (lambda final: _write_note(final, display, earlier.quoted)) if rejected else None
        try:
            move = _move(claimed, target.parent, target.name, token, note=note)
        except OSError as err:
            raise _AfterStore(Outcome(display, earlier.status, earlier.form, earlier.quoted, str(target),
                                      public=earlier.problems), err) from err
    return _done(store, token, move, str(target), outcome)


def _reject(workspace, store: Store, claimed: Path, display: str, token: str, sha256, form, problems: list[str], quarter=None,
            public: list[str] | None = None) -> Outcome:
    move = _move(claimed, workspace.rejected, Path(display).name, token, note=lambda final: _write_note(final, display, problems))
    _record(move, lambda: store.log(file=display, claim=token, sha256=sha256, status="rejected", form=form,
                                    quarter=quarter, problems=problems, destination=str(move.path), public=public))
    return _done(store, token, move, str(move.path), Outcome(display, "rejected", form, problems, public=public))


def _move(claimed: Path, folder: Path, name: str, token: str, note=None) -> moves.Move:
    """Make a claimed file ready in *folder* under a free name (a note beside it if *note* gives its text); the claim stays."""
    return moves.Move(claimed, folder, name, token, note).stage()


def _record(move: moves.Move, write):
    """Write the store, which names the move's chosen path; if that fails, the staged move is taken back."""
    try:
        result = write()
    except BaseException:
        move.undo()
        raise
    moves.step("stored", move.path)
    return result


def _done(store: Store, token: str, move: moves.Move, recorded: str, outcome: Outcome) -> Outcome:
    """Commit the move (fixing the store if the name went meanwhile), log the outcome, then remove the claim.

    The log line is written before the claim goes, so a kill cannot lose it (recovery logs again).
    """
    try:
        outcome.destination = str(move.commit())
        if outcome.destination != recorded:
            store.set_destination(token, outcome.destination)
    except (OSError, *STORE_BUSY) as err:
        outcome.destination = recorded
        raise _AfterStore(outcome, err) from err
    _logged(outcome)
    try:
        move.finish()
    except OSError as err:
        raise _AfterStore(outcome, err, placed=True) from err
    return outcome


def note_text(display: str, problems: list[str], kept_as: str | None = None) -> str:
    """The note a QA admin and the form's author read beside a rejected file."""
    kept = f" as '{kept_as}'" if kept_as else ""
    lines = [
        f"The file '{display}' was not accepted on {dt.datetime.now():%d/%m/%Y at %H:%M}.",
        f"It has been kept, unchanged, in this folder{kept}. Please fix the following and drop the corrected file in the inbox again:",
        "",
    ]
    lines += [f"  {number}. {problem}" for number, problem in enumerate(problems, 1)]
    return "\n".join(lines) + "\n"


def _write_note(destination: Path, display: str, problems: list[str]) -> str:
    """The text of the note for the rejected file placed at *destination* (moves.py writes it beside the file)."""
    return note_text(display, problems, destination.name)


def _logged(outcome: Outcome) -> Outcome:
    log.info("%s\t%s\t%s\t%d problem(s)", printable(outcome.file), outcome.status, outcome.form or "-", len(outcome.problems))
    return outcome


__all__ = ["CLAIM_SEPARATOR", "Examined", "FileNotHandled", "HOST", "NOTE_RESERVE", "Outcome", "PipelineError", "examine",
           "held_claims", "identify", "inbox_files", "ingest_file", "ingest_inbox", "note_path", "printable",
           "recover_claims", "scan_inbox"]

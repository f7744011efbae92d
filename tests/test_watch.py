"""The watcher: every completed file in the inbox ingested exactly once, whatever the copy or the crash.

The settle logic runs on a clock the tests step by hand; watchers run in threads (the Watcher class)
or as `qa watch` subprocesses on temporary workspaces. Every wait is for an end state a user would
see (Watcher.wait_idle(), or files moved and notes written), against a deadline; the only sleeps are
a slow copy's own pacing.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from watchdog.observers.polling import PollingObserver

import pipeline.ingest
import pipeline.settle
import pipeline.watch
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.ingest import CLAIM_SEPARATOR, HOST, note_path
from pipeline.settle import STILL_WRITING, Settler, hold_unsettled
from pipeline.store import Store
from pipeline.watch import Watcher
from pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
DEADLINE = 60.0  # seconds: a bound for a loaded CI machine, never a wait; a passing run takes a fraction of it
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GARBAGE = {
    "scan.docx": b"\x00not a zip at all" * 64,
    "notes.txt": b"Notes from the meeting, not a form.\n",
    "old-style.doc": OLE_MAGIC + b"\x00" * 2048,
}


# --- forms and waiting -----------------------------------------------------------------------------


def padded(form: bytes, megabytes: float) -> bytes:
    """*form* with a large stored (uncompressed) part added, as a pasted picture would make it."""
    source = zipfile.ZipFile(io.BytesIO(form))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo("word/media/padding.bin"), os.urandom(int(megabytes * 1024 * 1024)),
                        compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def wait_for(condition, what: str, timeout: float = DEADLINE) -> None:
    """Poll *condition* until it holds; fail naming *what* once *timeout* has passed."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def log_entries(workspace: Workspace):
    with Store(workspace.store_path) as store:
        return store.log_entries()


def statuses(workspace: Workspace) -> dict[str, str]:
    """Each logged file and its outcome; fails if any file was logged twice."""
    entries = log_entries(workspace)
    names = Counter(entry.file for entry in entries)
    assert all(n == 1 for n in names.values()), f"logged more than once: {[f for f, n in names.items() if n > 1]}"
    return {entry.file: entry.status for entry in entries}


def archived(workspace: Workspace) -> list[Path]:
    return sorted(p for p in workspace.archive.rglob("*") if p.is_file())


def rejected_files(workspace: Workspace) -> list[Path]:
    return sorted(p for p in workspace.rejected.iterdir() if p.is_file() and not p.name.endswith("WHY REJECTED.txt")
                  and not p.name.startswith("."))


def inbox_left(workspace: Workspace) -> list[Path]:
    return sorted(p for p in workspace.inbox.rglob("*") if p.is_file())


def drop(workspace: Workspace, name: str, data: bytes) -> Path:
    """Make *data* appear in the inbox as *name* at once, as a finished copy does (written aside, renamed in)."""
    staging = workspace.root / "staging" / name
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.write_bytes(data)
    target = workspace.inbox / name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, target)
    return target


def archived_as(workspace: Workspace, name: str) -> bool:
    return any(p.name == name for p in archived(workspace))


def written(path: Path, data: bytes, mtime: float) -> Path:
    """*data* written at *path* with its modification time set to *mtime*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


class StepClock:
    """A clock the test moves by hand; sleep() moves it on and runs *meanwhile* (what happens during the wait)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self.slept: list[float] = []
        self.meanwhile = lambda: None

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds
        self.meanwhile()


@pytest.fixture
def unreadable(monkeypatch):
    """Names of files the settle check cannot open, as if their permissions denied it (chmod does not stop root)."""
    names: set[str] = set()
    real_open = pipeline.settle._open

    def guarded_open(path: Path):
        if path.name in names:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path)

    monkeypatch.setattr(pipeline.settle, "_open", guarded_open)
    return names


@pytest.fixture
def records():
    """Log records from the pipeline's loggers, whatever handlers the CLI has configured."""
    captured: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = captured.append
    logger = logging.getLogger("pipeline")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield captured
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture
def start_watcher(workspace, catalogue):
    """Start a Watcher in threads; rescans are rare unless asked, so the observer must find files."""
    running: list[Watcher] = []

    def start(**options) -> Watcher:
        options.setdefault("rescan", 300.0)
        watcher = Watcher(workspace, catalogue, **options)
        watcher.start()
        running.append(watcher)
        assert watcher.wait_idle(DEADLINE), "the watcher did not finish its start-up scan"
        return watcher

    yield start
    for watcher in running:
        watcher.stop()


# --- settling, on a clock stepped by hand -----------------------------------------------------------


def test_a_copy_that_pauses_half_way_is_ready_only_once_whole_and_still(tmp_path, make_form):
    clock = StepClock()
    settler = Settler(settle=0.5, give_up=120.0, clock=clock)
    data = padded(make_form(1), 1)
    path = tmp_path / "big observation.docx"
    with open(path, "wb") as copy:
        copy.write(data[:1000])
        copy.flush()
        settler.add(path)
        for chunk in range(1, 5):  # still copying: it changes between every two looks
            clock.advance(0.5)
            copy.write(data[chunk * 1000:(chunk + 1) * 1000])
            copy.flush()
            assert settler.pop_ready() is None
        for _ in range(10):  # the copy stalls: size and mtime hold still, but the zip is not whole yet
            clock.advance(0.5)
            assert settler.pop_ready() is None
        copy.write(data[5000:])
    clock.advance(0.5)
    assert settler.pop_ready() is None, "ready at the first look after the last write"
    clock.advance(0.5)
    assert settler.pop_ready() == (path, "ready")
    assert len(settler) == 0


def test_settling_hands_on_a_zip_that_never_completes_and_lets_go_of_one_that_goes(tmp_path, make_form):
    clock = StepClock()
    settler = Settler(settle=0.5, give_up=10.0, clock=clock)
    stuck = written(tmp_path / "half copied.docx", make_form(2)[:15000], time.time())
    gone = written(tmp_path / "moved away.docx", make_form(3), time.time())
    settler.add(stuck)
    settler.add(gone)
    gone.unlink()
    clock.advance(0.5)
    assert settler.pop_ready() == (gone, "gone")
    clock.advance(9.0)
    assert settler.pop_ready() is None, "handed on before give_up"
    clock.advance(0.5)
    assert settler.pop_ready() == (stuck, "stalled")
    assert len(settler) == 0


def test_an_unreadable_file_is_called_unreadable_at_the_first_look(tmp_path, make_form, unreadable):
    clock = StepClock()
    settler = Settler(settle=0.5, give_up=120.0, clock=clock)
    path = written(tmp_path / "no access.docx", make_form(4), time.time())
    unreadable.add(path.name)
    settler.add(path)
    clock.advance(0.5)
    assert settler.pop_ready() == (path, "unreadable"), "waited on as if it were still being copied"


# --- in-thread watchers ----------------------------------------------------------------------------


def test_slow_partial_copy_is_ingested_once_whole(start_watcher, workspace, make_form):
    watcher = start_watcher(settle=0.2)
    data = padded(make_form(1), 2)
    target = workspace.inbox / "big observation.docx"
    chunks = [data[i:i + 128 * 1024] for i in range(0, len(data), 128 * 1024)]
    with open(target, "wb") as copy:
        for number, chunk in enumerate(chunks):
            copy.write(chunk)
            copy.flush()
            # Half way the copy stalls for four settle periods: size and mtime hold still, but the
            # zip has no central directory yet, so it must not be read.
            time.sleep(0.8 if number == len(chunks) // 2 else 0.02)
            assert target.exists(), f"claimed after {number + 1} of {len(chunks)} chunks, before the copy finished"
    assert watcher.wait_idle(DEADLINE)

    assert statuses(workspace) == {"big observation.docx": "accepted"}
    [stored] = archived(workspace)
    assert stored.read_bytes() == data
    assert rejected_files(workspace) == []


def test_lock_and_temp_files_are_ignored_and_left_in_place(start_watcher, workspace, make_form):
    watcher = start_watcher()
    ignored = {
        "~$servation.docx": b"\x0bJo Bloggs" + b"\x00" * 150,  # Word's owner file while a form is open
        "~WRL0004.tmp": make_form(2)[:5000],  # Word's temp file during a save
        "scratch.tmp": b"partial",
        ".~lock.observation.docx#": b"Jo Bloggs,host,01.11.2022 10:00;",  # LibreOffice's lock file
        "team-a/~$other.docx": b"\x0bSam" + b"\x00" * 150,
    }
    for name, data in ignored.items():
        drop(workspace, name, data)
    drop(workspace, "observation.docx", make_form(3))
    assert watcher.wait_idle(DEADLINE)

    assert statuses(workspace) == {"observation.docx": "accepted"}
    for name, data in ignored.items():
        assert (workspace.inbox / name).read_bytes() == data, name
    assert rejected_files(workspace) == []


def test_file_renamed_or_moved_into_the_inbox_counts(start_watcher, workspace, make_form, tmp_path):
    watcher = start_watcher()
    outside = tmp_path / "desktop"
    outside.mkdir()
    (outside / "moved in.docx").write_bytes(make_form(4))
    os.rename(outside / "moved in.docx", workspace.inbox / "moved in.docx")
    # Word's save: write a temp file next to the document, then rename it to the real name.
    temp = workspace.inbox / "~WRL0001.tmp"
    temp.write_bytes(make_form(5))
    os.rename(temp, workspace.inbox / "saved by word.docx")

    wait_for(lambda: archived_as(workspace, "moved in.docx") and archived_as(workspace, "saved by word.docx"),
             "both renamed files to be archived")
    assert watcher.wait_idle(DEADLINE)
    assert statuses(workspace) == {"moved in.docx": "accepted", "saved by word.docx": "accepted"}


def test_folder_moved_into_the_inbox_counts(start_watcher, workspace, make_form, tmp_path):
    watcher = start_watcher()
    folder = tmp_path / "team-b"
    (folder / "older").mkdir(parents=True)
    (folder / "in a folder.docx").write_bytes(make_form(6))
    (folder / "older" / "deeper.docx").write_bytes(make_form(7))
    os.rename(folder, workspace.inbox / "team-b")

    wait_for(lambda: archived_as(workspace, "in a folder.docx") and archived_as(workspace, "deeper.docx"),
             "both files in the moved folder to be archived")
    assert watcher.wait_idle(DEADLINE)
    assert statuses(workspace) == {"team-b/in a folder.docx": "accepted", "team-b/older/deeper.docx": "accepted"}


def test_a_claim_held_by_a_live_watcher_is_left_alone_until_it_dies(start_watcher, workspace, make_form):
    watcher = start_watcher()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # stands in for another watcher
    try:
        claim = workspace.processing / CLAIM_SEPARATOR.join(("1" * 32, str(other.pid), HOST, "in hand elsewhere.docx"))
        claim.write_bytes(make_form(8))
        drop(workspace, "mine.docx", make_form(9))
        assert watcher.wait_idle(DEADLINE)  # a rescan, which recovers only claims of dead processes
        assert claim.read_bytes() == make_form(8)
        assert statuses(workspace) == {"mine.docx": "accepted"}
    finally:
        other.kill()
        other.wait()
    assert watcher.wait_idle(DEADLINE)  # now its owner is dead: the next rescan finishes its file

    assert statuses(workspace) == {"mine.docx": "accepted", "in hand elsewhere.docx": "accepted"}
    assert list(workspace.processing.iterdir()) == []


def test_files_present_at_start_are_ingested_first(workspace, catalogue, make_form, records):
    # Dropped while the watcher was down, an hour ago, plus a claim stranded by a killed process.
    hour_ago = time.time() - 3600
    for n, name in enumerate(["first.docx", "second.docx", "sub/third.docx"], start=10):
        os.utime(drop(workspace, name, make_form(n)), (hour_ago + n, hour_ago + n))
    os.utime(drop(workspace, "scan.docx", GARBAGE["scan.docx"]), (hour_ago + 20, hour_ago + 20))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    claim = CLAIM_SEPARATOR.join(("0" * 32, str(dead.pid), HOST, "stranded.docx"))
    (workspace.processing / claim).write_bytes(make_form(30))

    watcher = Watcher(workspace, catalogue, rescan=300.0)
    watcher.start()
    try:
        drop(workspace, "after start.docx", make_form(31))
        assert watcher.wait_idle(DEADLINE)
    finally:
        watcher.stop()

    order = [entry.file for entry in log_entries(workspace)]
    assert order == ["stranded.docx", "first.docx", "second.docx", "sub/third.docx", "scan.docx", "after start.docx"]
    assert statuses(workspace)["scan.docx"] == "rejected"
    assert list(workspace.processing.iterdir()) == []
    assert inbox_left(workspace) == []
    assert any("recovering stranded.docx" in r.getMessage() for r in records)


def test_bad_files_are_rejected_with_a_note_and_watching_goes_on(start_watcher, workspace, make_form):
    watcher = start_watcher(give_up=0.5)
    half = make_form(40)[:15000]  # a copy that died half way: a zip with no central directory
    drop(workspace, "half copied.docx", half)
    for name, data in GARBAGE.items():
        drop(workspace, name, data)
    drop(workspace, "good.docx", make_form(41))
    wait_for(lambda: archived_as(workspace, "good.docx"), "the good file to be archived")  # watching went on
    assert watcher.wait_idle(DEADLINE)  # every file moved, every note written

    assert statuses(workspace) == {"half copied.docx": "rejected", "scan.docx": "rejected", "notes.txt": "rejected",
                                   "old-style.doc": "rejected", "good.docx": "accepted"}
    note = note_path(workspace.rejected / "half copied.docx").read_text(encoding="utf-8")
    assert message("corrupt", detail="not a complete zip archive") in note
    assert (workspace.rejected / "half copied.docx").read_bytes() == half
    assert [p.name for p in rejected_files(workspace)] == ["half copied.docx", "notes.txt", "old-style.doc", "scan.docx"]
    for rejected in rejected_files(workspace):
        assert "was not accepted" in note_path(rejected).read_text(encoding="utf-8"), rejected.name
    assert inbox_left(workspace) == []
    assert watcher.counts == Counter(rejected=4, accepted=1)


def test_an_unreadable_file_is_said_so_once_and_left_in_the_inbox(start_watcher, workspace, make_form, records, unreadable):
    watcher = start_watcher()
    name = "no access\nfor qa.docx"  # a newline in its name must not split the log line
    unreadable.add(name)
    drop(workspace, name, make_form(45))
    assert watcher.wait_idle(DEADLINE)
    assert watcher.wait_idle(DEADLINE)  # looked at again: nothing new to say

    assert (workspace.inbox / name).read_bytes() == make_form(45)
    assert log_entries(workspace) == [] and rejected_files(workspace) == []
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == [
        "no access\\nfor qa.docx cannot be read (Permission denied); it is left in the inbox, unchanged. Give the "
        "account that runs qa watch permission to read it: it is taken at the next rescan, within 300 s"]

    unreadable.clear()  # the permission is put right
    assert watcher.wait_idle(DEADLINE)
    assert statuses(workspace) == {name: "accepted"}


def test_polling_mode_finds_files_without_native_events(start_watcher, workspace, make_form):
    watcher = start_watcher(polling=True, interval=0.3)
    assert isinstance(watcher.observer, PollingObserver)
    drop(workspace, "polled.docx", make_form(50))
    (workspace.inbox / "team-c").mkdir()
    (workspace.inbox / "team-c" / "written in place.docx").write_bytes(make_form(51))
    wait_for(lambda: archived_as(workspace, "polled.docx") and archived_as(workspace, "written in place.docx"),
             "both files to be archived by the polling observer")
    assert watcher.wait_idle(DEADLINE)
    assert statuses(workspace) == {"polled.docx": "accepted", "team-c/written in place.docx": "accepted"}


def test_handler_exception_is_logged_and_the_observer_lives_on(start_watcher, workspace, make_form, records, monkeypatch):
    watcher = start_watcher()
    observer = watcher.observer
    original = pipeline.watch._wanted

    def failing_once(inbox, path):
        if path.name == "boom.docx" and not failing_once.failed:
            failing_once.failed = True
            raise RuntimeError("handler failure for the test")
        return original(inbox, path)

    failing_once.failed = False
    monkeypatch.setattr(pipeline.watch, "_wanted", failing_once)
    drop(workspace, "boom.docx", make_form(60))  # one event only, and the handler fails on it
    wait_for(lambda: failing_once.failed, "the handler to fail")
    drop(workspace, "after.docx", make_form(61))
    wait_for(lambda: archived_as(workspace, "after.docx"), "the next file to be archived")
    assert watcher.wait_idle(DEADLINE)  # the rescan finds the file whose event was lost

    assert statuses(workspace) == {"after.docx": "accepted", "boom.docx": "accepted"}
    failure = next(r for r in records if r.levelno == logging.ERROR)
    assert "could not handle a created event" in failure.getMessage() and failure.exc_info is not None
    assert watcher.observer is observer and observer.is_alive() and watcher.observer_restarts == 0


@pytest.mark.parametrize("where", ["before the claim", "after the claim"])
def test_worker_exception_is_logged_and_the_file_is_retried(start_watcher, workspace, make_form, records, monkeypatch, where):
    watcher = start_watcher()
    module, name = (pipeline.watch, "ingest_file") if where == "before the claim" else (pipeline.ingest, "examine")
    original = getattr(module, name)
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("worker failure for the test")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing_once)
    drop(workspace, "first.docx", make_form(70))
    wait_for(lambda: calls, "the first ingest to fail")
    drop(workspace, "second.docx", make_form(71))
    wait_for(lambda: archived_as(workspace, "second.docx"), "the second file to be archived")  # watching went on
    [failure] = [r for r in records if r.levelno >= logging.WARNING]
    assert failure.exc_info is not None
    if where == "before the claim":
        assert (workspace.inbox / "first.docx").read_bytes() == make_form(70)
        assert failure.getMessage() == ("first.docx could not be ingested (RuntimeError: worker failure for the test); "
                                        "it is still in the inbox, unchanged, and is tried again at the next rescan, "
                                        "within 300 s")
    else:
        [claim] = [p for p in workspace.processing.iterdir() if p.name.endswith("first.docx")]
        assert failure.getMessage() == ("first.docx could not be ingested (RuntimeError: worker failure for the test); "
                                        f"it is held in inbox/.processing/{claim.name} and is finished at the next "
                                        "rescan, within 300 s")
    assert watcher.wait_idle(DEADLINE)  # the rescan retries the file (or recovers its claim)

    assert statuses(workspace) == {"first.docx": "accepted", "second.docx": "accepted"}
    assert list(workspace.processing.iterdir()) == []


@pytest.mark.parametrize("death", ["observer thread stopped", "inbox folder recreated"])
def test_dead_observer_is_restarted_and_logged(start_watcher, workspace, make_form, records, death):
    watcher = start_watcher()
    first = watcher.observer
    if death == "observer thread stopped":
        first.stop()
    else:
        shutil.rmtree(workspace.inbox)  # a share that went away and came back
        workspace.inbox.mkdir()
    wait_for(lambda: watcher.observer_restarts == 1, "the observer to be restarted")
    assert watcher.wait_idle(DEADLINE)
    drop(workspace, "after restart.docx", make_form(80))
    wait_for(lambda: archived(workspace), "a file to be found by the restarted observer")
    assert watcher.wait_idle(DEADLINE)

    assert statuses(workspace) == {"after restart.docx": "accepted"}
    assert watcher.observer is not first and watcher.observer.is_alive()
    messages = [r.getMessage() for r in records]
    assert any("folder observer" in m and "stopped; restarting it" in m for m in messages)
    assert any("folder observer restarted" in m for m in messages)


def test_stop_finishes_the_file_in_hand(workspace, catalogue, make_form, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    original = pipeline.watch.ingest_file

    def slow_ingest(*args, **kwargs):
        entered.set()
        release.wait(DEADLINE)
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline.watch, "ingest_file", slow_ingest)
    drop(workspace, "in hand.docx", make_form(90))
    os.utime(workspace.inbox / "in hand.docx", (time.time() - 60, time.time() - 60))
    drop(workspace, "not started.docx", make_form(91))
    watcher = Watcher(workspace, catalogue, rescan=300.0)
    watcher.start()
    wait_for(entered.is_set, "the first file to be in hand")
    stopping = threading.Thread(target=watcher.stop)
    stopping.start()
    stopping.join(0.3)
    assert stopping.is_alive(), "stop() returned while a file was still in hand"
    release.set()
    stopping.join(DEADLINE)
    assert not stopping.is_alive()

    assert statuses(workspace) == {"in hand.docx": "accepted"}
    assert [p.name for p in inbox_left(workspace)] == ["not started.docx"]
    assert list(workspace.processing.iterdir()) == []


# --- `qa watch` in subprocesses ----------------------------------------------------------------------

CRASHING_WATCH = """
import os, signal, sys
import pipeline.ingest as ingest
from pipeline.cli import cli

function, after, workspace = sys.argv[1], int(sys.argv[2]), sys.argv[3]
original = getattr(ingest, function)
calls = 0

def crash(*args, **kwargs):
    global calls
    calls += 1
    if calls > after:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

setattr(ingest, function, crash)
cli(["--workspace", workspace, "watch"])
"""


class WatchProcess:
    """`qa watch` (or a copy primed to SIGKILL itself) running on a workspace, its stderr in a file."""

    def __init__(self, workspace: Workspace, log: Path, *args: str, crash: tuple[str, int] | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        if crash:
            script = log.with_suffix(".py")
            script.write_text(CRASHING_WATCH, encoding="utf-8")
            command = [sys.executable, str(script), crash[0], str(crash[1]), str(workspace.root)]
        else:
            command = [sys.executable, "-m", "pipeline", "--workspace", str(workspace.root), "watch", *args]
        self.log = log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        wait_for(lambda: "watching" in self.stderr() or self.process.poll() is not None, "qa watch to start")

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def outcome_lines(self) -> list[str]:
        return [line for line in self.stderr().splitlines() if line.endswith("problem(s)")]

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        return self.process.wait(DEADLINE)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE)


@pytest.fixture
def watch_processes():
    started: list[WatchProcess] = []

    def start(*args, **kwargs) -> WatchProcess:
        started.append(WatchProcess(*args, **kwargs))
        return started[-1]

    yield start
    for watcher in started:
        watcher.kill()


def burst(workspace: Workspace, make_form, valid: int) -> dict[str, str]:
    """Drop *valid* forms and the garbage files into the inbox at once; returns each file's expected outcome."""
    staging = workspace.root / "burst"
    staging.mkdir()
    expected = {}
    for n in range(valid):
        (staging / f"observation-{n:03d}.docx").write_bytes(make_form(100 + n))
        expected[f"observation-{n:03d}.docx"] = "accepted"
    for name, data in GARBAGE.items():
        (staging / name).write_bytes(data)
        expected[name] = "rejected"
    for path in sorted(staging.iterdir()):
        os.rename(path, workspace.inbox / path.name)
    return expected


def done(workspace: Workspace) -> int:
    """Files at their end state: archived, or rejected with the note beside them."""
    return len(archived(workspace)) + sum(note_path(p).exists() for p in rejected_files(workspace))


def assert_each_file_stored_once(workspace: Workspace, expected: dict[str, str], valid: int) -> None:
    assert statuses(workspace) == expected
    with Store(workspace.store_path) as store:
        every = store.submissions(include_replaced=True)
    assert sorted(s.child_id for s in every) == [f"C{100 + n:05d}" for n in range(valid)]
    assert all(s.status == "current" for s in every)
    assert sorted(p.name for p in archived(workspace)) == sorted(n for n, s in expected.items() if s == "accepted")
    assert sorted(p.name for p in rejected_files(workspace)) == sorted(n for n, s in expected.items() if s == "rejected")
    for rejected in rejected_files(workspace):
        assert "was not accepted" in note_path(rejected).read_text(encoding="utf-8")
    assert list(workspace.processing.iterdir()) == []
    assert inbox_left(workspace) == []
    logged = workspace.log_path.read_text(encoding="utf-8")
    for name, status in expected.items():
        assert f"\t{name}\t{status}\t" in logged, name


CRASH_POINTS = {
    "kill -9 from outside while a file is in hand": None,
    "killed just after claiming a file": ("_process", 5),
    "killed after storing, before the move is committed": ("_done", 5),
    "killed while writing a rejection note": ("_write_note", 0),
}


@pytest.mark.parametrize("crash", CRASH_POINTS, ids=list(CRASH_POINTS))
def test_kill_9_mid_burst_then_restart_stores_every_file_exactly_once(workspace, make_form, watch_processes, tmp_path, crash):
    valid = 30
    first = watch_processes(workspace, tmp_path / "first.log", crash=CRASH_POINTS[crash])
    expected = burst(workspace, make_form, valid)
    if CRASH_POINTS[crash] is None:
        wait_for(lambda: done(workspace) >= 3 and any(workspace.processing.iterdir()), "a file in hand after a few")
        first.kill()
    else:
        wait_for(lambda: first.process.poll() is not None, "the primed watcher to kill itself")
    assert first.process.returncode == -signal.SIGKILL
    assert done(workspace) < len(expected), "the kill came after the whole burst"

    second = watch_processes(workspace, tmp_path / "second.log")
    wait_for(lambda: done(workspace) == len(expected) and not any(workspace.processing.iterdir()), "every file to be dealt with")
    assert second.stop(signal.SIGTERM) == 0  # a graceful stop: the file in hand, if any, is finished and logged
    assert_each_file_stored_once(workspace, expected, valid)


def test_two_watchers_on_one_inbox_never_ingest_a_file_twice(workspace, make_form, watch_processes, tmp_path):
    valid = 40
    native = watch_processes(workspace, tmp_path / "native.log")
    polling = watch_processes(workspace, tmp_path / "polling.log", "--polling", "--interval", "0.3")
    expected = burst(workspace, make_form, valid)
    wait_for(lambda: done(workspace) == len(expected), "every file to be dealt with")
    assert native.stop(signal.SIGINT) == 0
    assert polling.stop(signal.SIGTERM) == 0

    assert_each_file_stored_once(workspace, expected, valid)
    lines = native.outcome_lines() + polling.outcome_lines()
    assert sorted(line.split("\t")[2] for line in lines) == sorted(expected), "one log line per file, across both"
    assert "stopped watching" in native.stderr() and "stopped watching" in polling.stderr()


# --- the command -----------------------------------------------------------------------------------


def test_watch_help_has_an_example_and_interval_needs_polling(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["watch", "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output and "--polling" in result.output and "--interval" in result.output

    result = runner.invoke(cli, ["--workspace", str(tmp_path), "watch", "--interval", "5"])
    assert result.exit_code == 2, result.output
    assert "--interval sets the polling interval: add --polling" in result.output


# --- `qa ingest` applies the same settle check ------------------------------------------------------


def test_qa_ingest_leaves_files_still_being_written_for_the_next_run(workspace, make_form, monkeypatch):
    now = time.time()
    clock = StepClock(start=now)
    monkeypatch.setattr(pipeline.settle, "WALL", clock)
    inbox, hour_ago = workspace.inbox, now - 3600
    written(inbox / "done.docx", make_form(200), hour_ago)
    written(inbox / "abandoned.docx", make_form(201)[:15000], hour_ago + 1)  # a copy that died an hour ago
    written(inbox / "paused.docx", make_form(202)[:15000], now - 30)  # a copy paused half a minute ago
    written(inbox / "just saved.docx", make_form(203), now - 0.5)  # whole, and still after a second look
    written(inbox / "team-a" / "copying.docx", make_form(204)[:15000], now - 0.3)
    growing = written(inbox / "growing.txt", b"The first part.", now - 0.2)

    def the_copy_goes_on() -> None:
        with open(growing, "ab") as copy:
            copy.write(b" More.")

    clock.meanwhile = the_copy_goes_on
    runner = CliRunner()
    result = runner.invoke(cli, ["--workspace", str(workspace.root), "ingest"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "accepted  done.docx (observation)",
        "rejected  abandoned.docx",
        f"          · {message('corrupt', detail='not a complete zip archive')}",
        "accepted  just saved.docx (observation)",
        "left      paused.docx",
        f"          · {STILL_WRITING}",
        "left      team-a/copying.docx",
        f"          · {STILL_WRITING}",
        "left      growing.txt",
        f"          · {STILL_WRITING}",
        "2 accepted, 0 replaced, 0 duplicate, 1 rejected, 3 left (6 file(s))",
    ]
    assert clock.slept == [pytest.approx(0.8, abs=0.01)], "one wait, until the newest file was a second old"
    assert (inbox / "paused.docx").read_bytes() == make_form(202)[:15000]
    assert (inbox / "team-a" / "copying.docx").read_bytes() == make_form(204)[:15000]
    assert growing.read_bytes() == b"The first part. More."

    result = runner.invoke(cli, ["--workspace", str(workspace.root), "ingest", "--settle", "0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "0 accepted, 0 replaced, 0 duplicate, 3 rejected (3 file(s))"
    assert clock.slept == [pytest.approx(0.8, abs=0.01)], "--settle 0 waits for nothing"
    assert inbox_left(workspace) == []
    assert statuses(workspace) == {"done.docx": "accepted", "abandoned.docx": "rejected", "just saved.docx": "accepted",
                                   "paused.docx": "rejected", "team-a/copying.docx": "rejected", "growing.txt": "rejected"}


def test_a_file_another_ingester_claims_during_the_look_is_not_called_still_being_written(tmp_path, make_form, monkeypatch):
    clock = StepClock(start=time.time())
    path = written(tmp_path / "form.docx", make_form(210), clock.now() - 0.5)

    def claimed_meanwhile(opened: Path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(opened))

    monkeypatch.setattr(pipeline.settle, "_open", claimed_meanwhile)  # renamed into .processing between look and open
    assert hold_unsettled([path], 1.0, clock=clock) == ([path], [])

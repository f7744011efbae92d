"""The watcher: every completed file in the inbox ingested exactly once, whatever the copy or the crash.

Watchers run in threads (the Watcher class) or as `qa watch` subprocesses on temporary workspaces.
Every wait polls a condition against a deadline; the only sleeps are the slow copy's own pacing.
"""

from __future__ import annotations

import datetime as dt
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
import pipeline.watch
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.ingest import CLAIM_SEPARATOR, HOST, note_path
from pipeline.store import Store
from pipeline.templates import build_form
from pipeline.templates.docx_fill import fill_docx
from pipeline.watch import Watcher
from pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
DEADLINE = 15.0  # seconds: generous for a loaded CI machine; a passing run takes a fraction of it
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GARBAGE = {
    "scan.docx": b"\x00not a zip at all" * 64,
    "notes.txt": b"Notes from the meeting, not a form.\n",
    "old-style.doc": OLE_MAGIC + b"\x00" * 2048,
}


# --- forms and waiting -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def make_form(catalogue):
    """Observation forms filled in as Word would: form(n) is valid and unique to child C<n>."""
    spec = catalogue.find("observation")
    blank = build_form(spec)
    cache: dict[int, bytes] = {}

    def form(n: int) -> bytes:
        if n not in cache:
            cache[n] = fill_docx(blank, spec, {
                "quarter": "2022-23-Q3", "completed_by": "Jo Bloggs", "completed_on": dt.date(2022, 11, 3),
                "observer": "Jo Bloggs", "practitioner": "Sam Smith", "observation_date": dt.date(2022, 11, 1),
                "child_id": f"C{n:05d}", "nature": "Visit", "strengths": "Warm, curious questions.",
                "areas_for_development": "Record the child's words.", "edi_evaluation": "Interpreter arranged.",
            })
        return cache[n]

    return form


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


# --- in-thread watchers ----------------------------------------------------------------------------


def test_slow_partial_copy_is_ingested_once_whole(start_watcher, workspace, make_form):
    start_watcher()
    data = padded(make_form(1), 5)
    target = workspace.inbox / "big observation.docx"
    chunks = [data[i:i + 160 * 1024] for i in range(0, len(data), 160 * 1024)]
    with open(target, "wb") as copy:
        for number, chunk in enumerate(chunks):
            copy.write(chunk)
            copy.flush()
            # Half way the copy stalls for three settle periods: size and mtime hold still, but the
            # zip has no central directory yet, so it must not be read.
            time.sleep(1.5 if number == len(chunks) // 2 else 0.05)
            assert target.exists(), f"claimed after {number + 1} of {len(chunks)} chunks, before the copy finished"
    wait_for(lambda: archived(workspace), "the big file to be archived")

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
    wait_for(lambda: archived(workspace), "the real form to be archived")
    assert watcher.wait_idle(DEADLINE)

    assert statuses(workspace) == {"observation.docx": "accepted"}
    for name, data in ignored.items():
        assert (workspace.inbox / name).read_bytes() == data, name
    assert rejected_files(workspace) == []


def test_file_renamed_or_moved_into_the_inbox_counts(start_watcher, workspace, make_form, tmp_path):
    start_watcher()
    outside = tmp_path / "desktop"
    outside.mkdir()
    (outside / "moved in.docx").write_bytes(make_form(4))
    os.rename(outside / "moved in.docx", workspace.inbox / "moved in.docx")
    # Word's save: write a temp file next to the document, then rename it to the real name.
    temp = workspace.inbox / "~WRL0001.tmp"
    temp.write_bytes(make_form(5))
    os.rename(temp, workspace.inbox / "saved by word.docx")

    wait_for(lambda: len(archived(workspace)) == 2, "both renamed files to be archived")
    assert statuses(workspace) == {"moved in.docx": "accepted", "saved by word.docx": "accepted"}


def test_folder_moved_into_the_inbox_counts(start_watcher, workspace, make_form, tmp_path):
    start_watcher()
    folder = tmp_path / "team-b"
    (folder / "older").mkdir(parents=True)
    (folder / "in a folder.docx").write_bytes(make_form(6))
    (folder / "older" / "deeper.docx").write_bytes(make_form(7))
    os.rename(folder, workspace.inbox / "team-b")

    wait_for(lambda: len(archived(workspace)) == 2, "both files in the moved folder to be archived")
    assert statuses(workspace) == {"team-b/in a folder.docx": "accepted", "team-b/older/deeper.docx": "accepted"}


def test_a_claim_held_by_a_live_watcher_is_left_alone_until_it_dies(start_watcher, workspace, make_form):
    watcher = start_watcher()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # stands in for another watcher
    try:
        claim = workspace.processing / CLAIM_SEPARATOR.join(("1" * 32, str(other.pid), HOST, "in hand elsewhere.docx"))
        claim.write_bytes(make_form(8))
        drop(workspace, "mine.docx", make_form(9))
        wait_for(lambda: archived(workspace), "this watcher's own file to be archived")
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
        wait_for(lambda: len(log_entries(workspace)) == 6, "six files to be logged")
    finally:
        watcher.stop()

    order = [entry.file for entry in log_entries(workspace)]
    assert order == ["stranded.docx", "first.docx", "second.docx", "sub/third.docx", "scan.docx", "after start.docx"]
    assert statuses(workspace)["scan.docx"] == "rejected"
    assert list(workspace.processing.iterdir()) == []
    assert inbox_left(workspace) == []
    assert any("recovering stranded.docx" in r.getMessage() for r in records)


def test_bad_files_are_rejected_with_a_note_and_watching_goes_on(start_watcher, workspace, make_form):
    watcher = start_watcher(give_up=1.0)
    half = make_form(40)[:15000]  # a copy that died half way: a zip with no central directory
    drop(workspace, "half copied.docx", half)
    for name, data in GARBAGE.items():
        drop(workspace, name, data)
    drop(workspace, "good.docx", make_form(41))
    wait_for(lambda: len(log_entries(workspace)) == 5, "all five files to be logged")

    assert statuses(workspace) == {"half copied.docx": "rejected", "scan.docx": "rejected", "notes.txt": "rejected",
                                   "old-style.doc": "rejected", "good.docx": "accepted"}
    note = note_path(workspace.rejected / "half copied.docx").read_text(encoding="utf-8")
    assert message("corrupt", detail="not a complete zip archive") in note
    assert (workspace.rejected / "half copied.docx").read_bytes() == half
    assert watcher.counts == Counter(rejected=4, accepted=1)


def test_polling_mode_finds_files_without_native_events(start_watcher, workspace, make_form):
    watcher = start_watcher(polling=True, interval=0.3)
    assert isinstance(watcher.observer, PollingObserver)
    drop(workspace, "polled.docx", make_form(50))
    (workspace.inbox / "team-c").mkdir()
    (workspace.inbox / "team-c" / "written in place.docx").write_bytes(make_form(51))
    wait_for(lambda: len(archived(workspace)) == 2, "both files to be archived by the polling observer")
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
    wait_for(lambda: len(archived(workspace)) == 1, "the next file to be archived")
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
    wait_for(lambda: len(archived(workspace)) == 1, "the second file to be archived")
    assert watcher.wait_idle(DEADLINE)  # the rescan retries the file (or recovers its claim)

    assert statuses(workspace) == {"first.docx": "accepted", "second.docx": "accepted"}
    assert list(workspace.processing.iterdir()) == []
    failure = next(r for r in records if r.levelno == logging.ERROR)
    assert "first.docx could not be ingested" in failure.getMessage() and failure.exc_info is not None


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
    return len(archived(workspace)) + len(rejected_files(workspace))


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
    "killed after storing, before the move": ("_move", 5),
    "killed while writing a rejection note": ("_write_note", 0),
}


@pytest.mark.parametrize("crash", CRASH_POINTS, ids=list(CRASH_POINTS))
def test_kill_9_mid_burst_then_restart_stores_every_file_exactly_once(workspace, make_form, watch_processes, tmp_path, crash):
    valid = 60
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
    assert second.stop(signal.SIGTERM) == 0
    assert_each_file_stored_once(workspace, expected, valid)


def test_two_watchers_on_one_inbox_never_ingest_a_file_twice(workspace, make_form, watch_processes, tmp_path):
    valid = 80
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

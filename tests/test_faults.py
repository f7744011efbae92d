"""Every file whole and where the store says it is, whatever fails: full disks, permissions, kills, other ingesters.

Each fault is made to happen at a chosen step of a move (pipeline.moves.STEP_HOOK), in a killed
subprocess, or by real concurrency; after each, `assert_sound` checks what an operator relies on:
every original exists exactly once and whole, in the inbox, archive/ or rejected/ (with its own
note), every path the store names holds the bytes it recorded, and `qa check` says all is in order.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.ingest
from pipeline import host, moves
from pipeline.claims import CLAIM_SEPARATOR, HOST, claim_prefix
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.ingest import note_path
from pipeline.store import Store
from pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2022-23-Q3"


def garbage(n: int) -> bytes:
    """A file that is not a form, unique to *n*: rejected with a note."""
    return f"not a form, number {n}\n".encode() * 40


def drop(workspace: Workspace, files: dict[str, bytes]) -> dict[str, bytes]:
    for name, data in files.items():
        path = workspace.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def qa(workspace: Workspace, *args: str):
    if args[0] == "ingest":
        args = (*args, "--settle", "0")  # the files here are all written whole before the run
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def visible_files(folder: Path) -> list[Path]:
    """Files an operator sees under *folder*: no hidden names (claims, leftovers), no notes."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or path.name.endswith(moves.NOTE_SUFFIX):
            continue
        if path.is_file() or path.is_symlink():
            found.append(path)
    return found


def assert_sound(workspace: Workspace, originals: dict[str, bytes]) -> None:
    """Every original once, whole, in inbox/archive/rejected (rejected with its own note); the store's paths true; qa check clean."""
    where: dict[str, list[Path]] = {}
    for top in (workspace.inbox, workspace.archive, workspace.rejected):
        for path in visible_files(top):
            where.setdefault(sha(path.read_bytes()), []).append(path)
    for name, data in originals.items():
        places = where.get(sha(data), [])
        assert len(places) == 1, f"{name!r} is at {places}, not in exactly one place"
        if places[0].is_relative_to(workspace.rejected):
            note = note_path(places[0]).read_text(encoding="utf-8")
            assert f"The file '{name}' was not accepted" in note, f"the note beside {places[0].name} is not about {name!r}"
            assert f"in this folder as '{places[0].name}'" in note
    assert [p.name for p in workspace.processing.iterdir()] == []
    with Store(workspace.store_path) as store:
        records = store.file_records()
    destinations = [record.destination for record in records]
    assert len(destinations) == len(set(destinations)), "two store rows name one path"
    for record in records:
        if record.sha256:
            assert sha(Path(record.destination).read_bytes()) == record.sha256, record.destination
    check = qa(workspace, "check")
    assert check.exit_code == 0, check.stdout
    assert check.stdout.endswith("everything is in order.\n")


def cross_filesystem(monkeypatch) -> None:
    """Make archive/ and rejected/ behave as another filesystem: hard links from the inbox fail with EXDEV."""
    monkeypatch.setattr(host, "same_filesystem", lambda path, folder: False)
    real_link = host.link

    def link(source: Path, target: Path) -> None:
        if Path(source).parent.name == ".processing":
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(source), None, str(target))
        real_link(source, target)

    monkeypatch.setattr(host, "link", link)


# --- an OS error at each step of a move: that file fails, is kept, and the run goes on -------------------

STEPS_BEFORE_STORE = ["copy", "copy-fsync", "note"]  # staging: the file goes back to the inbox
STEPS_AFTER_STORE = ["note-link", "link", "folder-fsync", "remove-source"]  # the claim waits for the next run
ERRORS = {"ENOSPC": errno.ENOSPC, "EACCES": errno.EACCES, "ENAMETOOLONG": errno.ENAMETOOLONG}


def fail_at(monkeypatch, step: str, code: int, times: int = 1) -> list[Path]:
    failed: list[Path] = []

    def hook(name: str, path: Path) -> None:
        if name == step and len(failed) < times:
            failed.append(path)
            raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(moves, "STEP_HOOK", hook)
    return failed


@pytest.mark.parametrize("code", ERRORS, ids=list(ERRORS))
@pytest.mark.parametrize("step", STEPS_BEFORE_STORE + STEPS_AFTER_STORE)
def test_an_os_error_at_any_step_fails_that_file_alone_and_the_next_run_finishes(workspace, make_form, monkeypatch, step, code):
    cross_filesystem(monkeypatch)
    first = "bad.docx" if step in ("note", "note-link") else "team-a/form.docx"
    originals = drop(workspace, {"team-a/form.docx": make_form(1), "bad.docx": garbage(1), "team-b/form.docx": make_form(2)})
    for n, name in enumerate(["bad.docx", "team-a/form.docx", "team-b/form.docx"]):
        os.utime(workspace.inbox / name, (time.time() - 100 + n, time.time() - 100 + n))
    if first == "team-a/form.docx":
        os.utime(workspace.inbox / first, (time.time() - 200, time.time() - 200))
    failed = fail_at(monkeypatch, step, ERRORS[code])

    result = qa(workspace, "ingest")

    assert result.exit_code == 1, result.stdout
    assert failed, f"the step {step} was never reached"
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"failed    {first}") for line in lines)
    counts = "2 accepted, 0 replaced, 0 duplicate, 0 rejected" if first == "bad.docx" else "1 accepted, 0 replaced, 0 duplicate, 1 rejected"
    assert lines[-1] == f"{counts}, 1 failed (3 file(s))"
    folder = "rejected" if first == "bad.docx" else f"archive/{QUARTER}"
    if step in STEPS_BEFORE_STORE:
        assert (workspace.inbox / first).read_bytes() == originals[first]
        if code == "ENOSPC":
            expected = message("not_handled_space", folder=folder, where=f"in inbox/{first}")
        elif code == "EACCES":
            expected = message("not_handled_permission", path=folder, where=f"in inbox/{first}")
        else:
            expected = message("not_handled_long_name", path=folder, where=f"in inbox/{first}")
        assert f"          · {expected}" in lines
    else:
        [claim] = workspace.processing.glob(f"*{CLAIM_SEPARATOR}{Path(first).name}")
        assert claim.read_bytes() == originals[first]
        assert f"claimed copy inbox/.processing/{claim.name} could not be removed" in result.stdout or \
            f"It is still in inbox/.processing/{claim.name}, unchanged." in result.stdout
    monkeypatch.setattr(moves, "STEP_HOOK", None)

    again = qa(workspace, "ingest")

    assert again.exit_code == 0, again.stdout
    assert_sound(workspace, originals)
    with Store(workspace.store_path) as store:
        assert sorted(s.child_id for s in store.submissions()) == ["C00001", "C00002"]


def test_a_full_disk_message_says_where_the_file_is_and_what_to_do(workspace, make_form, monkeypatch):
    cross_filesystem(monkeypatch)
    originals = drop(workspace, {"obs.docx": make_form(3)})
    fail_at(monkeypatch, "copy", errno.ENOSPC)

    result = qa(workspace, "ingest")

    assert result.exit_code == 1
    assert result.stdout == (
        "failed    obs.docx\n"
        f"          · The disk holding archive/{QUARTER} is full, so the file could not be put there. It is in inbox/obs.docx,"
        " unchanged. Free some space on that disk, then run qa ingest again.\n"
        "0 accepted, 0 replaced, 0 duplicate, 0 rejected, 1 failed (1 file(s))\n"
    )
    assert list((workspace.archive / QUARTER).iterdir()) == []  # no partial file, not even a hidden one
    monkeypatch.setattr(moves, "STEP_HOOK", None)
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, originals)


# --- a kill at each step of a move, then recovery ------------------------------------------------------

KILLING_INGEST = """
import os, sys
from pathlib import Path
from pipeline import host, moves
from pipeline.cli import cli

step, nth, cross, workspace = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "cross", sys.argv[4]
seen = []

def hook(name, path):
    if name == step:
        seen.append(path)
        if len(seen) == nth:
            os._exit(9)

moves.STEP_HOOK = hook
if cross:
    real_link = host.link
    host.same_filesystem = lambda path, folder: False
    def link(source, target):
        if Path(source).parent.name == ".processing":
            raise OSError(18, "Invalid cross-device link", str(source))
        real_link(source, target)
    host.link = link
cli(["--workspace", workspace, "ingest"])
"""

KILL_STEPS = {
    "same": ["note", "note-link", "link", "stored", "remove-source"],
    "cross": ["copy", "copy-fsync", "note", "note-link", "link", "folder-fsync", "stored", "remove-source"],
}


@pytest.mark.parametrize("filesystems,step", [(fs, step) for fs, steps in KILL_STEPS.items() for step in steps])
def test_killed_at_any_step_of_a_move_the_next_run_finishes_without_a_second_copy(workspace, make_form, tmp_path, filesystems, step):
    originals = drop(workspace, {"a/form.docx": make_form(10), "b/form.docx": garbage(10), "c/form.docx": make_form(11),
                                 "d/form.docx": garbage(11)})
    script = tmp_path / "killing.py"
    script.write_text(KILLING_INGEST, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    nth = 2 if step not in ("note", "note-link") else 1  # the second file's move: one file already done

    killed = subprocess.run([sys.executable, str(script), step, str(nth), filesystems, str(workspace.root)],
                            env=env, capture_output=True, timeout=120)

    assert killed.returncode == 9, killed.stderr.decode()
    assert any(workspace.processing.iterdir()), "the kill left no claim behind"
    if step == "remove-source":  # each stored file's log line is written before its claim is released
        logged = workspace.log_path.read_text(encoding="utf-8")
        with Store(workspace.store_path) as store:
            assert all(f"\t{entry.file}\t{entry.status}\t" in logged for entry in store.log_entries())
    result = qa(workspace, "ingest")
    assert result.exit_code == 0, result.stdout
    assert "recovering" in workspace.log_path.read_text(encoding="utf-8")
    assert_sound(workspace, originals)


# --- several ingesters, same-named files --------------------------------------------------------------


def test_three_ingesters_over_same_named_files_never_mix_up_names_notes_or_paths(workspace, make_form, tmp_path):
    originals = {}
    for n in range(120):
        originals[f"team-{n:03d}/form.docx"] = make_form(200 + n) if n % 2 else garbage(200 + n)
    drop(workspace, originals)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-m", "pipeline", "--workspace", str(workspace.root), "ingest", "--settle", "0"]

    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]

    assert [run.returncode for run in runs] == [0, 0, 0], [err.decode()[-2000:] for _, err in outputs]
    handled = [line for out, _ in outputs for line in out.decode().splitlines() if "form.docx" in line]
    assert len(handled) == 120, "each file handled by exactly one ingester"
    assert_sound(workspace, originals)
    numbered = {"form.docx"} | {f"form ({n}).docx" for n in range(2, 61)}  # each name taken once, none skipped
    assert {p.name for p in visible_files(workspace.rejected)} == numbered
    assert {p.name for p in visible_files(workspace.archive / QUARTER)} == numbered


# --- claims by another computer, by a dead process, by a reused pid ------------------------------------


def _claim(workspace: Workspace, name: str, data: bytes, holder: str, host_name: str, display: str, age: float) -> Path:
    token = uuid.uuid4().hex
    claim = workspace.processing / CLAIM_SEPARATOR.join((token, holder, host_name, name))
    claim.write_bytes(data)
    note = workspace.processing / f"{token}.path"
    note.write_text(display, encoding="utf-8")
    os.utime(note, (time.time() - age, time.time() - age))
    return claim


def test_a_claim_by_another_computer_is_reported_with_its_age_and_taken_over_on_request(workspace, make_form):
    originals = {"team-x/form.docx": make_form(30)}
    claim = _claim(workspace, "form.docx", make_form(30), "4242-1700000000000", "OTHER-SERVER", "team-x/form.docx", 2 * 3600 + 300)
    held = (f"inbox/.processing/{claim.name} ('team-x/form.docx'): claimed by the computer OTHER-SERVER 2 h 5 min ago "
            "and not finished. If qa no longer runs there, take it over with: qa recover --force-host OTHER-SERVER")

    ingest = qa(workspace, "ingest")
    check = qa(workspace, "check")

    assert ingest.exit_code == 0
    assert ingest.stdout == f"0 accepted, 0 replaced, 0 duplicate, 0 rejected (0 file(s))\n{held}\n"
    assert claim.read_bytes() == make_form(30)
    assert check.exit_code == 1
    assert check.stdout == f"{held}\nChecked 0 stored file(s), 0 file(s) in archive/ and rejected/: 1 problem(s) above.\n"

    recover = qa(workspace, "recover", "--force-host", "OTHER-SERVER")

    assert recover.exit_code == 0, recover.stdout
    assert recover.stdout == "accepted  team-x/form.docx (observation)\n1 accepted, 0 replaced, 0 duplicate, 0 rejected (1 file(s))\n"
    assert "taking over team-x/form.docx, claimed by OTHER-SERVER" in workspace.log_path.read_text(encoding="utf-8")
    assert_sound(workspace, originals)


def test_a_claim_whose_pid_was_reused_is_recovered_and_a_live_holders_is_not(workspace, make_form):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        started = host.process_started(other.pid)
        reused = _claim(workspace, "reused.docx", make_form(40), f"{other.pid}-{round((started - 3600) * 1000)}", HOST,
                        "reused.docx", 60)
        live = _claim(workspace, "live.docx", make_form(41), f"{other.pid}-{round(started * 1000)}", HOST, "live.docx", 60)

        result = qa(workspace, "ingest")

        assert result.exit_code == 0, result.stdout
        assert result.stdout == "accepted  reused.docx (observation)\n1 accepted, 0 replaced, 0 duplicate, 0 rejected (1 file(s))\n"
        assert not reused.exists() and live.read_bytes() == make_form(41)
    finally:
        other.kill()
        other.wait()
    assert qa(workspace, "ingest").exit_code == 0  # its holder is dead now: recovered
    assert_sound(workspace, {"reused.docx": make_form(40), "live.docx": make_form(41)})


def test_own_claims_carry_this_process_and_its_start_time():
    prefix = claim_prefix("f" * 32)
    assert prefix == f"{'f' * 32}__{os.getpid()}-{round(host.process_started(os.getpid()) * 1000)}__{HOST}__"


def test_liveness_never_sends_a_signal(workspace, make_form, monkeypatch):
    def no_kill(*args):
        raise AssertionError("os.kill called: on Windows it terminates the process")

    monkeypatch.setattr(os, "kill", no_kill)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _claim(workspace, "dead.docx", make_form(42), str(dead.pid), HOST, "dead.docx", 10)
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, {"dead.docx": make_form(42)})


# --- names, unreadable files and folders, a busy store, control characters --------------------------------


def test_rejected_files_with_names_of_225_to_255_bytes_get_their_notes(workspace):
    originals = {}
    for n, size in enumerate([225, 240, 250, 255]):
        stem = "é" * ((size - 5) // 2) + "x" * ((size - 5) % 2)
        originals[stem + ".docx"] = garbage(500 + n)
        assert len((stem + ".docx").encode()) == size
    drop(workspace, originals)

    result = qa(workspace, "ingest")

    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "0 accepted, 0 replaced, 0 duplicate, 4 rejected (4 file(s))"
    assert_sound(workspace, originals)


def test_an_unreadable_subfolder_is_reported_and_the_rest_ingested(workspace, make_form, monkeypatch):
    originals = drop(workspace, {"locked/form.docx": make_form(50), "open/form.docx": make_form(51)})
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = qa(workspace, "ingest")
    monkeypatch.setattr(os, "scandir", real_scandir)

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "failed    inbox/locked",
        "          · " + message("unreadable_folder", folder="inbox/locked", detail="Permission denied"),
        "accepted  open/form.docx (observation)",
        "1 accepted, 0 replaced, 0 duplicate, 0 rejected, 1 failed (2 file(s))",
    ]
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, originals)


def test_an_unreadable_file_is_called_unreadable_and_kept_in_the_inbox(workspace, make_form, monkeypatch):
    originals = drop(workspace, {"private.docx": make_form(60), "fine.docx": make_form(61)})
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name.endswith("private.docx") and path.parent.name == ".processing":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = qa(workspace, "ingest")
    monkeypatch.setattr(Path, "read_bytes", real_read)

    assert result.exit_code == 1
    expected = message("unreadable_file", detail="Permission denied", where="in inbox/private.docx")
    assert f"failed    private.docx\n          · {expected}\n" in result.stdout
    assert "damaged" not in result.stdout
    assert (workspace.inbox / "private.docx").read_bytes() == originals["private.docx"]
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, originals)


def test_a_store_locked_too_long_fails_that_file_and_the_run_goes_on(workspace, make_form, monkeypatch):
    originals = drop(workspace, {"first.docx": make_form(70), "second.docx": make_form(71)})
    os.utime(workspace.inbox / "first.docx", (time.time() - 60, time.time() - 60))
    real_save = Store.save
    calls = []

    def save(self, *args, **kwargs):
        calls.append(kwargs["file"])
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Store, "save", save)
    result = qa(workspace, "ingest")
    monkeypatch.setattr(Store, "save", real_save)

    assert result.exit_code == 1
    expected = message("not_handled_busy", path="qa.sqlite3", where="in inbox/first.docx")
    assert result.stdout == (f"failed    first.docx\n          · {expected}\naccepted  second.docx (observation)\n"
                             "1 accepted, 0 replaced, 0 duplicate, 0 rejected, 1 failed (2 file(s))\n")
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, originals)


def test_a_newline_in_a_file_name_stays_on_one_log_line(workspace):
    originals = drop(workspace, {"two\nlines.docx": garbage(80)})

    result = qa(workspace, "ingest")

    assert result.exit_code == 0
    assert "rejected  two\\nlines.docx\n" in result.stdout
    logged = workspace.log_path.read_text(encoding="utf-8").splitlines()
    assert any(line.endswith("\ttwo\\nlines.docx\trejected\t-\t1 problem(s)") for line in logged)
    assert not any(line.startswith("lines.docx") for line in logged)
    assert_sound(workspace, originals)


# --- a real disk that fills up ---------------------------------------------------------------------------


def small_disk(folder: Path):
    """*folder* on its own 1 MB tmpfs (root only): a disk that fills up, and another filesystem."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def small_archive(workspace):
    yield from small_disk(workspace.archive)


@pytest.fixture
def small_rejected(workspace):
    yield from small_disk(workspace.rejected)


def test_a_real_disk_that_fills_up_keeps_every_file_whole_and_the_rest_for_later(workspace, make_form, small_archive):
    originals = drop(workspace, {f"form-{n:02d}.docx": make_form(100 + n) for n in range(40)})

    full = qa(workspace, "ingest")

    assert full.exit_code == 1
    assert message("not_handled_space", folder=f"archive/{QUARTER}", where="in inbox/form-39.docx") in full.stdout
    accepted = full.stdout.count("\naccepted  ") + full.stdout.startswith("accepted  ")
    assert 0 < accepted < 40
    assert_sound(workspace, originals)

    subprocess.run(["mount", "-o", "remount,size=16m", str(small_archive)], check=True)  # space freed
    again = qa(workspace, "ingest")

    assert again.exit_code == 0, again.stdout
    assert_sound(workspace, originals)
    with Store(workspace.store_path) as store:
        assert len(store.submissions()) == 40


# --- qa check: what it reports when the files and the store disagree -------------------------------------


def test_qa_check_names_every_kind_of_disagreement_in_plain_words(workspace, make_form):
    drop(workspace, {"a.docx": make_form(90), "b.docx": make_form(91), "x.docx": garbage(90), "y.docx": garbage(91)})
    assert qa(workspace, "ingest").exit_code == 0
    archive = workspace.archive / QUARTER
    (archive / "a.docx").write_bytes(make_form(90)[:1000])  # truncated in place
    (archive / "b.docx").unlink()
    (archive / "stray.docx").write_bytes(b"dropped here by hand")
    note_path(workspace.rejected / "y.docx").write_text(note_path(workspace.rejected / "x.docx").read_text(encoding="utf-8"))
    note_path(workspace.rejected / "x.docx").unlink()
    (archive / f".{'e' * 32}.part").write_bytes(b"half a copy")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    claim = _claim(workspace, "c.docx", make_form(92), str(dead.pid), HOST, "team-c/c.docx", 3 * 60 + 5)

    result = qa(workspace, "check")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"archive/{QUARTER}/a.docx: this is not the file the store recorded for 'a.docx' (its contents differ). "
        "Look for the original in archive/ and rejected/, or ask its author for a copy.",
        f"archive/{QUARTER}/b.docx: the store says 'b.docx' (accepted) is here, but nothing is. "
        "Look for it in archive/ and rejected/, or ask its author for a copy.",
        "rejected/x.docx: this rejected file has no note saying why. Run qa ingest on a fresh copy, "
        "or look at the ingest log for its reasons.",
        "rejected/y.docx - WHY REJECTED.txt: this note is about another file, not 'y.docx' beside it. "
        "Look at the ingest log for this file's reasons.",
        f"archive/{QUARTER}/.{'e' * 32}.part: a leftover of a move that was interrupted. Run qa ingest, which clears it.",
        f"archive/{QUARTER}/stray.docx: no store row names this file. Run qa validate on it, or drop it in the inbox again "
        "if it should be stored.",
        f"inbox/.processing/{claim.name} ('team-c/c.docx'): left 3 min ago by a qa process that stopped "
        f"(process {dead.pid}). Run qa ingest, which finishes it.",
        "Checked 4 stored file(s), 6 file(s) in archive/ and rejected/: 7 problem(s) above.",
    ]


# --- the platform module, each branch ----------------------------------------------------------------------


def test_process_liveness_by_pid_and_start_time(monkeypatch):
    me = os.getpid()
    started = host.process_started(me)
    assert host.process_alive(me) and host.process_alive(me, started)
    assert not host.process_alive(me, started - 3600)  # the same pid, a different (earlier) process
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while host.process_started(zombie.pid) is not None and time.monotonic() < deadline:
        time.sleep(0.02)  # exited but not reaped: a zombie, which counts as dead
    assert not host.process_alive(zombie.pid)
    zombie.wait()
    assert not host.process_alive(zombie.pid)

    def denied(pid):
        raise host.psutil.AccessDenied(pid)

    assert host.process_alive(me, 0.0)  # a claim whose start time could not be read: the pid alone decides
    monkeypatch.setattr(host.psutil, "Process", denied)
    assert host.process_alive(1, 12345.0)  # another user's process: alive, start time unknown


@pytest.mark.parametrize("windows", [False, True], ids=["posix", "windows"])
def test_link_failures_that_mean_copy_instead(monkeypatch, windows):
    monkeypatch.setattr(host, "WINDOWS", windows)
    assert host.link_unsupported(OSError(errno.EXDEV, "cross-device"))
    assert host.link_unsupported(OSError(errno.EPERM, "not permitted here"))
    assert not host.link_unsupported(FileExistsError(errno.EEXIST, "exists"))
    assert not host.link_unsupported(OSError(errno.ENOSPC, "full"))
    not_same_device = OSError(errno.EINVAL, "The system cannot move the file to a different disk drive")
    not_same_device.winerror = 17
    assert host.link_unsupported(not_same_device) is windows


@pytest.mark.parametrize("branch", ["windows", "renameat2", "renameat2 unsupported", "other posix"])
def test_rename_never_replaces_an_existing_name(tmp_path, monkeypatch, branch):
    monkeypatch.setattr(host, "WINDOWS", branch == "windows")
    monkeypatch.setattr(host, "LINUX", branch.startswith("renameat2"))
    if branch == "renameat2 unsupported":
        monkeypatch.setattr(host, "_renameat2", lambda source, target: False)
    if branch == "windows":  # Windows' rename fails on an existing name; stand that in on this system
        def windows_rename(source, target):
            if os.path.lexists(target):
                raise FileExistsError(errno.EEXIST, "Cannot create a file when that file already exists", target)
            os.replace(source, target)

        monkeypatch.setattr(host.os, "rename", windows_rename)
    source, taken, free = tmp_path / "source", tmp_path / "taken", tmp_path / "free"
    source.write_bytes(b"mine")
    taken.write_bytes(b"someone else's")

    with pytest.raises(FileExistsError):
        host.rename_noreplace(source, taken)
    host.rename_noreplace(source, free)

    assert taken.read_bytes() == b"someone else's" and free.read_bytes() == b"mine" and not source.exists()


def test_folder_fsync_on_posix_and_windows(tmp_path, monkeypatch):
    host.fsync_folder(tmp_path)  # POSIX: really fsynced
    monkeypatch.setattr(host, "WINDOWS", True)
    monkeypatch.setattr(host.os, "open", lambda *args: pytest.fail("Windows cannot open a folder to fsync it"))
    host.fsync_folder(tmp_path)


@pytest.mark.parametrize("windows", [False, True], ids=["posix", "windows"])
def test_hard_links_never_follow_a_symbolic_link(tmp_path, monkeypatch, windows):
    monkeypatch.setattr(host, "WINDOWS", windows)
    (tmp_path / "target.docx").write_bytes(b"what the link points at")
    (tmp_path / "link.docx").symlink_to(tmp_path / "target.docx")
    calls = []
    real_link = os.link

    def link(source, target, **kwargs):
        calls.append(kwargs)
        return real_link(source, target, follow_symlinks=False)  # what CreateHardLink does on Windows

    monkeypatch.setattr(host.os, "link", link)
    host.link(tmp_path / "link.docx", tmp_path / "second name")
    with pytest.raises(FileExistsError):
        host.link(tmp_path / "link.docx", tmp_path / "target.docx")

    assert (tmp_path / "second name").is_symlink()
    assert calls[0] == ({} if windows else {"follow_symlinks": False})


def test_stop_signals_per_platform(monkeypatch):
    import signal

    assert host.stop_signals() == (signal.SIGINT, signal.SIGTERM)
    monkeypatch.setattr(host, "WINDOWS", True)
    monkeypatch.setattr(signal, "SIGBREAK", 21, raising=False)
    assert host.stop_signals() == (signal.SIGINT, 21)  # Windows has no SIGTERM to send a service


def test_long_paths_on_windows_get_the_extended_prefix(monkeypatch):
    deep = "C:\\QA\\inbox\\" + "a folder name\\" * 20 + "form.docx"
    share = "\\\\server\\qa\\inbox\\" + "a folder name\\" * 20 + "form.docx"
    assert host.long_path(deep) == deep  # not Windows: unchanged
    monkeypatch.setattr(host, "WINDOWS", True)
    assert host.long_path(deep) == "\\\\?\\" + deep
    assert host.long_path(share) == "\\\\?\\UNC\\" + share[2:]
    assert host.long_path("C:\\QA\\inbox\\form.docx") == "C:\\QA\\inbox\\form.docx"
    assert host.long_path("\\\\?\\" + deep) == "\\\\?\\" + deep


def test_a_folder_without_hard_links_still_gets_whole_files_under_free_names(workspace, make_form, monkeypatch):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted", str(source))

    monkeypatch.setattr(host, "link", no_links)  # FAT, some shares: every file is copied and renamed in place
    originals = drop(workspace, {"a/form.docx": make_form(95), "b/form.docx": make_form(96), "c/form.docx": garbage(95),
                                 "d/form.docx": garbage(96)})

    result = qa(workspace, "ingest")

    assert result.exit_code == 0, result.stdout
    assert_sound(workspace, originals)


# --- recovery: one failing claim does not hold up the others; this process's own retry ------------------


def test_recovery_goes_on_past_a_claim_that_fails(workspace, make_form, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _claim(workspace, "a.docx", make_form(110), str(dead.pid), HOST, "a.docx", 60)
    _claim(workspace, "b.docx", make_form(111), str(dead.pid), HOST, "b.docx", 60)
    cross_filesystem(monkeypatch)
    failed = fail_at(monkeypatch, "copy", errno.EACCES)

    result = qa(workspace, "recover")

    assert result.exit_code == 1
    [failed_file] = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("failed")]
    [accepted_file] = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("accepted")]
    assert {failed_file, accepted_file} == {"a.docx", "b.docx"} and failed
    assert (workspace.inbox / failed_file).exists()  # given back to the inbox, where it came from
    monkeypatch.setattr(moves, "STEP_HOOK", None)
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, {"a.docx": make_form(110), "b.docx": make_form(111)})


def test_a_retry_of_this_process_own_claim_is_not_called_an_interrupted_run(workspace, make_form):
    token = uuid.uuid4().hex
    (workspace.processing / (claim_prefix(token) + "mine.docx")).write_bytes(make_form(112))
    (workspace.processing / f"{token}.path").write_text("team/mine.docx", encoding="utf-8")

    result = qa(workspace, "ingest")

    assert result.exit_code == 0
    logged = workspace.log_path.read_text(encoding="utf-8")
    assert "retrying team/mine.docx, which could not be finished a moment ago" in logged
    assert "interrupted run" not in logged
    assert_sound(workspace, {"team/mine.docx": make_form(112)})


def test_a_read_only_inbox_folder_fails_its_files_and_the_rest_are_ingested(workspace, make_form, monkeypatch):
    originals = drop(workspace, {"read-only/form.docx": make_form(113), "fine/form.docx": make_form(114)})
    real_rename = os.rename

    def rename(source, target, *args, **kwargs):
        if "read-only" in os.fspath(source):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(source))
        return real_rename(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    result = qa(workspace, "ingest")
    monkeypatch.setattr(os, "rename", real_rename)

    assert result.exit_code == 1
    expected = message("not_handled_permission", path="inbox/read-only/form.docx", where="in inbox/read-only/form.docx")
    assert f"failed    read-only/form.docx\n          · {expected}\n" in result.stdout
    assert "accepted  fine/form.docx (observation)\n" in result.stdout
    assert qa(workspace, "ingest").exit_code == 0
    assert_sound(workspace, originals)


def test_a_byte_identical_copy_stored_meanwhile_by_another_ingester_goes_to_duplicates(workspace, make_form, monkeypatch):
    drop(workspace, {"first.docx": make_form(115)})
    assert qa(workspace, "ingest").exit_code == 0
    drop(workspace, {"again.docx": make_form(115)})
    real_check, quick_checks = Store.is_known_file, []

    def raced(self, sha256):  # the quick check ran just before the other ingester stored it; save() looks again
        quick_checks.append(sha256)
        return False if len(quick_checks) == 1 else real_check(self, sha256)

    monkeypatch.setattr(Store, "is_known_file", raced)

    result = qa(workspace, "ingest")

    assert result.stdout == "duplicate again.docx (observation)\n0 accepted, 0 replaced, 1 duplicate, 0 rejected (1 file(s))\n"
    assert [p.name for p in visible_files(workspace.archive / QUARTER)] == ["first.docx"]
    assert [p.name for p in visible_files(workspace.archive / "duplicates")] == ["again.docx"]
    monkeypatch.undo()
    check = qa(workspace, "check")
    assert check.exit_code == 0, check.stdout


def test_a_real_rejected_folder_that_fills_up_never_holds_a_partial_file_beside_a_note(workspace, small_rejected):
    originals = drop(workspace, {f"scan-{n:02d}.docx": os.urandom(150_000) for n in range(12)})

    full = qa(workspace, "ingest")

    assert full.exit_code == 1
    assert message("not_handled_space", folder="rejected", where="in inbox/scan-11.docx") in full.stdout
    assert 0 < full.stdout.count("rejected  scan-") < 12
    assert_sound(workspace, originals)

    subprocess.run(["mount", "-o", "remount,size=16m", str(small_rejected)], check=True)
    again = qa(workspace, "ingest")

    assert again.exit_code == 0, again.stdout
    assert_sound(workspace, originals)

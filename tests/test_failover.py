"""Several hosts, one inbox, one PostgreSQL store: a host that dies for good strands nothing.

Two `qa watch` processes with different QA_HOST share an inbox and a PostgreSQL store; one is killed
with SIGKILL in the middle of a burst and never restarted. The other takes over its claimed files once
their leases run out: every file is stored exactly once and nothing is left claimed.
"""

from __future__ import annotations

import os
import signal
import time

from pipeline.ingest import CLAIM_SEPARATOR
from pipeline.store import Store
from test_watch import DEADLINE, archived, inbox_left, statuses, wait_for, watch_processes  # noqa: F401 (a fixture)

LEASE = 3  # seconds: short, so the test is quick; the default is 60
FILES = 300
SLACK = 20  # seconds beyond the lease for the survivor to find and finish the dead host's files on a loaded machine


def claims_of(workspace, host: str) -> list[str]:
    return [p.name for p in workspace.processing.glob(f"*{CLAIM_SEPARATOR}*") if p.name.split(CLAIM_SEPARATOR)[2] == host]


def caught_holding(watcher, workspace) -> bool:
    """Stop *watcher* (SIGSTOP); True, leaving it stopped, if it holds a claim, else let it go on and say False."""
    watcher.process.send_signal(signal.SIGSTOP)
    if claims_of(workspace, "host-a"):
        return True
    watcher.process.send_signal(signal.SIGCONT)  # it runs on while wait_for pauses before the next look
    return False


def test_a_watcher_killed_mid_burst_strands_nothing(workspace, postgres_url, make_form, watch_processes, monkeypatch, tmp_path):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    monkeypatch.setenv("QA_LEASE_SECONDS", str(LEASE))
    forms = {f"observation-{n:03d}.docx": make_form(100 + n) for n in range(FILES)}
    monkeypatch.setenv("QA_HOST", "host-a")
    doomed = watch_processes(workspace, tmp_path / "a.log")
    monkeypatch.setenv("QA_HOST", "host-b")
    survivor = watch_processes(workspace, tmp_path / "b.log")

    staging = workspace.root / "burst"
    staging.mkdir()
    for name, data in forms.items():
        (staging / name).write_bytes(data)
    for name in forms:
        os.rename(staging / name, workspace.inbox / name)

    with Store(workspace.store_path) as store:
        wait_for(lambda: len(archived(workspace)) >= FILES // 10, "the burst to be under way")
        wait_for(lambda: caught_holding(doomed, workspace), "host-a to be caught with a file in hand")
        doomed.process.kill()  # SIGKILL while stopped: no cleanup, its leases stop being renewed
        doomed.process.wait(DEADLINE)
        killed_at = time.monotonic()
        stranded = claims_of(workspace, "host-a")
        assert stranded, "host-a died holding no claim: the test did not test a takeover"

        wait_for(lambda: not claims_of(workspace, "host-a"), "host-b to take over host-a's claims", timeout=LEASE + SLACK)
        taken_over_in = time.monotonic() - killed_at
        wait_for(lambda: len(archived(workspace)) == FILES, "every file to be archived", timeout=3 * DEADLINE)
        wait_for(lambda: store.held_leases() == 0, "the last lease to be released")

        every = store.submissions(include_replaced=True)
    assert sorted(s.child_id for s in every) == [f"C{100 + n:05d}" for n in range(FILES)]
    assert statuses(workspace) == {name: "accepted" for name in forms}  # each file logged exactly once
    assert list(workspace.processing.glob(f"*{CLAIM_SEPARATOR}*")) == []
    assert inbox_left(workspace) == []
    assert survivor.process.poll() is None
    assert "whose lease ran out" in survivor.stderr()
    print(f"\nhost-a killed holding {len(stranded)} claim(s); host-b took them over {taken_over_in:.1f} s later "
          f"(lease {LEASE} s)")

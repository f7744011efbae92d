"""The store's own suite: every behaviour of the store interface, run on each backend (SQLite, PostgreSQL).

The `backend` fixture (conftest.py) runs each test on SQLite in the workspace and on a real PostgreSQL
server the test setup starts itself; where PostgreSQL is not installed its runs are skipped with a message
(CI sets QA_REQUIRE_POSTGRES=1, so there they fail instead).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time

import pytest
from click.testing import CliRunner

from answers import QUARTER, full_answers
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.store import IssuedForm, Store
from pipeline.store.migrations import LATEST
from pipeline.validate import Submission
from pipeline.workspace import Workspace


def submission(catalogue, child: str, author: str = "Ann Worker", issue_id: str | None = None) -> Submission:
    spec = catalogue.find("observation")
    values, groups = full_answers(spec)
    values[spec.role_field("child_id").id] = child
    values[spec.role_field("author").id] = author
    return Submission(spec.id, None, spec.version, values, groups, issue_id=issue_id, spec=spec)


def save(store: Store, item: Submission, sha: str, claim: str | None = None) -> str:
    claim = claim or f"claim-{sha}"
    return store.save(item, file=f"{sha}.docx", sha256=sha, claim=claim, destination=f"archive/{sha}.docx",
                      duplicate_destination=f"archive/duplicates/{sha}.docx")


def test_a_new_store_has_every_schema_step(backend):
    with backend.store() as store:
        assert store.schema_version() == LATEST


def test_a_second_file_of_the_same_work_replaces_the_first_and_keeps_it_as_history(backend, catalogue):
    with backend.store() as store:
        assert save(store, submission(catalogue, "C1"), "a1") == "accepted"
        assert save(store, submission(catalogue, "C1"), "a2") == "replaced"
        assert save(store, submission(catalogue, "C2"), "a3") == "accepted"

        current = store.submissions()
        every = store.submissions(include_replaced=True)
    assert [(s.child_id, s.file) for s in current] == [("C1", "a2.docx"), ("C2", "a3.docx")]
    assert [(s.file, s.status) for s in every] == [("a1.docx", "replaced"), ("a2.docx", "current"), ("a3.docx", "current")]
    assert [s.quarter for s in current] == [QUARTER, QUARTER]


def test_a_byte_identical_file_is_a_duplicate_stored_once_and_logged(backend, catalogue):
    with backend.store() as store:
        assert save(store, submission(catalogue, "C1"), "same", claim="first") == "accepted"
        assert save(store, submission(catalogue, "C1"), "same", claim="second") == "duplicate"

        assert len(store.submissions(include_replaced=True)) == 1
        assert [(e.status, e.destination) for e in store.log_entries()] == [
            ("accepted", "archive/same.docx"), ("duplicate", "archive/duplicates/same.docx")]
        assert store.claimed_outcome("second").status == "duplicate"
        assert store.is_known_file("same") and not store.is_known_file("other")


def test_the_same_file_saved_by_two_processes_at_once_is_stored_once(backend, catalogue):
    # The duplicate check is inside the save transaction: of several savers racing, exactly one stores it.
    item = submission(catalogue, "C1")
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def saver(n: int) -> None:
        with backend.store() as store:
            start.wait(timeout=30)
            outcomes.append(save(store, item, "raced", claim=f"claim-{n}"))

    threads = [threading.Thread(target=saver, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "duplicate", "duplicate", "duplicate"]
    with backend.store() as store:
        assert len(store.submissions(include_replaced=True)) == 1


def test_a_rejection_is_resolved_once_by_the_file_that_corrects_it(backend, catalogue):
    with backend.store() as store:
        store.log(file="bad.docx", claim="c-bad", sha256="bad", status="rejected", form="observation", quarter=QUARTER,
                  problems=["Child ID: 'x' is wrong."], public=["Child ID: not in the expected form."], destination="rejected/bad.docx")
        save(store, submission(catalogue, "C1"), "good")
        rejected, accepted = store.log_entries()
        assert store.unresolved_rejections("observation", before=accepted.id) == [rejected]
        assert store.accepted_between("observation", after=rejected.id, upto=accepted.id)[0].submission_id == accepted.submission_id

        assert store.resolve_rejection(rejected.id, accepted.submission_id, at="2022-11-02T10:00:00") == "2022-11-02T10:00:00"
        assert store.resolve_rejection(rejected.id, accepted.submission_id) is None
        store.remember_match_key(rejected.id, "observation|C1")

        entry = store.log_entries("rejected")[0]
    assert (entry.resolved_by, entry.match_key) == (accepted.submission_id, "observation|C1")
    assert (entry.problems, entry.quoted) == (["Child ID: not in the expected form."], ["Child ID: 'x' is wrong."])


def test_issued_forms_and_which_came_back(backend, catalogue):
    with backend.store() as store:
        for n in (1, 2):
            store.record_issue(IssuedForm(f"I-{n}", "observation", None, QUARTER, "Ann Worker", f"C{n}",
                                          f"2022-10-0{n}T09:00:00", f"outbox/issued/{n}.docx"))
        save(store, submission(catalogue, "C1", issue_id="I-1"), "back")
        assert [i.issue_id for i in store.issued(QUARTER)] == ["I-1", "I-2"]
        assert store.issued("2021-22-Q1") == []
        assert store.returned_issue_ids() == {"I-1"}


def test_a_scheduled_task_is_marked_done_once(backend):
    with backend.store() as store:
        assert store.schedule_done("issue:2022-23-Q3") is None
        assert store.mark_schedule_done("issue:2022-23-Q3", "4 forms") is True
        assert store.mark_schedule_done("issue:2022-23-Q3", "again") is False
        assert store.schedule_done("issue:2022-23-Q3") == "4 forms"


def test_a_store_with_a_newer_schema_is_refused_and_left_alone(backend, workspace):
    with backend.store() as store:
        with store._transaction():
            store._db.execute("INSERT INTO schema_version (version, applied_at, description) VALUES (?,?,?)",
                              (LATEST + 5, "2030-01-01T00:00:00", "from a newer qa"))
        where = store.where

    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "status", "--quarter", QUARTER])

    assert result.exit_code == 1, result.output
    assert result.output == "Error: " + message("store_newer_schema", where=where, found=LATEST + 5, known=LATEST) + "\n"
    with backend.store(upgrade=False) as store:
        assert store.schema_version() == LATEST + 5


def test_a_store_made_before_schema_steps_were_numbered_is_upgraded_in_place(workspace):
    # Version 1 of qa made the tables without the later columns, and no schema_version table.
    from pipeline.store.migrations import MIGRATIONS, statements

    with sqlite3.connect(workspace.store_path) as db:
        for statement in statements(MIGRATIONS[0].sql):
            db.execute(statement)
        db.execute("INSERT INTO issued VALUES ('I-1', 'observation', '', ?, 'Ann Worker', 'C1', '2022-10-01', 'x.docx')",
                   (QUARTER,))
    with Store(workspace.store_path) as store:
        assert store.schema_version() == LATEST
        assert {"resolved_by", "public_json"} <= store.columns("ingest_log")
        assert [i.issue_id for i in store.issued()] == ["I-1"]


def qa(workspace, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args], catch_exceptions=False)


def test_qa_db_upgrade_applies_the_steps_a_store_lacks(backend, workspace):
    with backend.store() as store:
        with store._transaction():
            store._db.execute("DELETE FROM schema_version WHERE version > ?", (LATEST - 1,))
        where = store.where

    first, second = qa(workspace, "db", "upgrade"), qa(workspace, "db", "upgrade")

    assert first.exit_code == 0, first.output
    assert first.output == (f"The store ({where}) was at schema step {LATEST - 1}; applied step(s) {LATEST}. "
                            f"It is now at step {LATEST}.\n")
    assert second.output == f"The store ({where}) is at schema step {LATEST}, the latest: nothing to do.\n"


def test_qa_db_copy_moves_the_sqlite_store_into_postgresql_with_its_numbers(workspace, catalogue, postgres_url, monkeypatch):
    monkeypatch.delenv("QA_DATABASE_URL", raising=False)
    with Store(workspace.store_path) as store:
        save(store, submission(catalogue, "C1"), "a1")
        save(store, submission(catalogue, "C1"), "a2")
        store.log(file="bad.docx", claim="c-bad", sha256="bad", status="rejected", form="observation", quarter=QUARTER,
                  problems=["Child ID: 'x' is wrong."], public=["Child ID: not in the expected form."])
        store.mark_schedule_done("issue:2022-23-Q3")
        before = [(s.id, s.file, s.status) for s in store.submissions(include_replaced=True)]

    result = qa(workspace, "db", "copy", "--to", postgres_url)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (f"Copied into {postgres_url}, schema qa: 2 submission, 3 ingest_log, 0 issued, "
                                             "1 schedule_done, 0 claim_lease, 0 mail_sent. Every count matches.")
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    with Store(workspace.store_path) as store:
        assert store.kind == "postgresql"
        assert [(s.id, s.file, s.status) for s in store.submissions(include_replaced=True)] == before
        assert save(store, submission(catalogue, "C2"), "a3") == "accepted"
        assert store.submissions()[-1].id == 3  # numbering carries on after the copied rows
    monkeypatch.delenv("QA_DATABASE_URL")
    again = qa(workspace, "db", "copy", "--to", postgres_url)
    assert again.exit_code == 1
    assert again.output == "Error: " + message("store_copy_not_empty", where=f"{postgres_url}, schema qa",
                                               held="3 in submission, 4 in ingest_log, 1 in schedule_done") + "\n"


def council_workspace(tmp_path, code: str, extra: str = "") -> Workspace:
    workspace = Workspace(tmp_path / code.lower()).ensure()
    (workspace.root / "qa.yaml").write_text(f"council: {code}\n{extra}", encoding="utf-8")
    return workspace


def test_councils_sharing_one_database_see_nothing_of_each_other(tmp_path, make_form, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    sth, wig = council_workspace(tmp_path, "STH"), council_workspace(tmp_path, "WIG")
    same = make_form(7)
    for workspace in (sth, wig):
        (workspace.inbox / "obs.docx").write_bytes(same)

    first = qa(sth, "ingest", "--json")
    second = qa(wig, "ingest", "--json")

    # The byte-identical file is new to the second council: its store holds nothing of the first's.
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert json.loads(first.stdout)["status"] == json.loads(second.stdout)["status"] == "accepted"
    (sth.inbox / "more.docx").write_bytes(make_form(8))
    assert qa(sth, "ingest").exit_code == 0
    with Store(sth.store_path) as mine, Store(wig.store_path) as theirs:
        assert (mine.schema, theirs.schema) == ("qa_sth", "qa_wig")
        assert [s.child_id for s in mine.submissions()] == ["C00007", "C00008"]
        assert [(s.id, s.child_id) for s in theirs.submissions()] == [(1, "C00007")]
        assert [e.file for e in theirs.log_entries()] == ["obs.docx"]


def test_a_council_code_that_is_not_one_is_refused(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    workspace = council_workspace(tmp_path, "St Helens")

    result = qa(workspace, "db", "upgrade")

    assert result.exit_code == 1
    assert result.output == "Error: " + message("store_bad_council", council="St Helens") + "\n"


def test_a_lease_that_is_not_a_number_of_seconds_is_refused(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    monkeypatch.delenv("QA_LEASE_SECONDS", raising=False)
    workspace = council_workspace(tmp_path, "STH", "lease_seconds: soon\n")

    result = qa(workspace, "db", "upgrade")

    assert result.exit_code == 1
    assert result.output == "Error: " + message("store_bad_lease", source="qa.yaml line 2: lease_seconds", value="soon") + "\n"


def test_an_expired_lease_is_taken_over_by_exactly_one_host(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    workspace = Workspace(tmp_path / "ws").ensure()
    monkeypatch.setenv("QA_HOST", "host-a")
    with Store(workspace.store_path) as holder:
        holder.hold_lease("t1")
    stores = [Store(workspace.store_path) for _ in range(4)]
    try:
        monkeypatch.setenv("QA_HOST", "host-b")
        assert stores[0].take_over_lease("t1", age=3600) is False  # held and not expired: left to host-a
        assert stores[0].take_over_lease("t2", age=0.5) is False  # no lease yet, claimed a moment ago
        with stores[0]._transaction():
            stores[0]._db.execute("UPDATE claim_lease SET expires_at = expires_at - 3600")  # host-a died an hour ago
        won: list[bool] = []
        start = threading.Barrier(len(stores))

        def take(store: Store) -> None:
            start.wait(timeout=30)
            won.append(store.take_over_lease("t1", age=3600))

        threads = [threading.Thread(target=take, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(won) == [False, False, False, True]
        assert stores[0]._db.execute("SELECT host FROM claim_lease WHERE token = ?", ("t1",)).fetchone()[0] == "host-b"
        stores[0].release_lease("t1")
        assert stores[0].held_leases() == 0
    finally:
        for store in stores:
            store.close()


def test_another_hosts_claim_is_reported_with_its_lease(workspace, make_form, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    monkeypatch.setenv("QA_LEASE_SECONDS", "60")
    claim = workspace.processing / f"{'a' * 32}__4242-1700000000000__host-b__obs.docx"
    claim.write_bytes(make_form(1))

    result = qa(workspace, "ingest")

    assert result.exit_code == 0, result.output
    assert claim.exists()  # held by host-b, whose lease has not run out: left to it
    held = re.sub(r"host-b \d+ s ago", "host-b N s ago", result.output.splitlines()[1])
    assert held == (f"inbox/.processing/{claim.name} ('obs.docx'): claimed by the computer host-b N s ago and not finished "
                    "yet. Its lease in the database lasts 60 s from when host-b last renewed it; if that computer has "
                    "stopped, a computer running qa watch (or qa ingest) takes the file over then.")


def test_a_store_whose_database_connection_dropped_reconnects(workspace, catalogue, postgres_server, postgres_url, monkeypatch):
    # A long-running watcher outlives a database restart: the write that meets the dropped connection fails
    # (its file stays where it is, tried again), the next one reconnects.
    import psycopg

    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    with Store(workspace.store_path) as store:
        pid = store._db.execute("SELECT pg_backend_pid()").fetchone()[0]
        with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            deadline = time.monotonic() + 30
            while admin.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
                assert time.monotonic() < deadline, "the server did not drop the connection"
                time.sleep(0.02)
        with pytest.raises(psycopg.OperationalError):
            save(store, submission(catalogue, "C1"), "first")
        assert save(store, submission(catalogue, "C2"), "second") == "accepted"
        assert [s.child_id for s in store.submissions()] == ["C2"]


def test_a_lease_is_renewed_while_its_file_is_in_hand(workspace, postgres_url, monkeypatch):
    monkeypatch.setenv("QA_DATABASE_URL", postgres_url)
    monkeypatch.setenv("QA_LEASE_SECONDS", "3")
    monkeypatch.setenv("QA_HOST", "host-a")

    def expires(store: Store) -> float:
        return store._db.execute("SELECT expires_at FROM claim_lease WHERE token = 't1'").fetchone()[0]

    with Store(workspace.store_path) as holder, Store(workspace.store_path) as other:
        holder.hold_lease("t1")
        first = expires(holder)
        deadline = time.monotonic() + 30
        while expires(holder) <= first:  # renewed every second by the holder's keeper thread
            assert time.monotonic() < deadline, "the lease was never renewed"
            time.sleep(0.05)
        monkeypatch.setenv("QA_HOST", "host-b")
        assert other.take_over_lease("t1", age=3600) is False

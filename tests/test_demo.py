"""The demo quarter goes through the real path and shows what a QA admin meets in a real quarter."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.demo import make_demo
from pipeline.errors import message
from pipeline.ingest import note_path
from pipeline.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("demo") / "ws", render=False)


def test_demo_ingests_three_quarters_with_the_usual_mistakes(demo):
    statuses = Counter(outcome.status for outcome in demo.outcomes)
    assert statuses["rejected"] == 4 and statuses["duplicate"] == 1 and statuses["replaced"] == 1
    assert statuses["accepted"] > 150
    rejected = {o.file.split("/")[-1]: o.problems for o in demo.outcomes if o.status == "rejected"}
    assert rejected["Observation notes (old Word).doc"] == [message("legacy_doc")]
    assert rejected["Audit - password protected.docx"] == [message("encrypted")]
    draft = next(problems for name, problems in rejected.items() if name.startswith("CCR "))
    assert message("required", label="Overall grade") in draft
    for name in rejected:
        assert note_path(demo.workspace.rejected / name).exists()


def test_demo_leaves_some_issued_forms_unreturned_and_the_lock_file_alone(demo):
    with Store(demo.workspace.store_path) as store:
        unreturned = [i for i in store.issued("2022-23-Q3") if i.issue_id not in store.returned_issue_ids()]
    assert {i.form for i in unreturned} >= {"ccr", "hos_summary", "dip_sample"}
    assert (demo.workspace.inbox / "2022-23-Q3" / "~$CCR - draft.docx").exists()


def test_no_child_name_appears_in_status_or_logs(demo):
    with Store(demo.workspace.store_path) as store:
        names = {s.values["child_name"] for s in store.submissions(form="ccr", include_replaced=True) if s.values.get("child_name")}
    assert names
    result = CliRunner().invoke(cli, ["--workspace", str(demo.workspace.root), "status", "--quarter", "2022-23-Q3", "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    outputs = result.output + demo.workspace.log_path.read_text(encoding="utf-8") if demo.workspace.log_path.exists() else result.output
    for name in names:
        assert name not in outputs


def test_demo_runs_the_quarter_through_the_watchers_schedule(demo):
    issued = demo.workspace.outbox / "issued" / "2022-23-Q3"
    notes = sorted(issued.glob("*/* - cover note.txt"))
    assert len(notes) >= 15  # the forms the schedule issued on the plan's dates, one folder per person
    for note in notes:
        form = [p for p in note.parent.glob(note.name.replace(" - cover note.txt", ".*")) if p.suffix != ".txt"]
        assert len(form) == 1 and f"Fill in {form[0].name}" in note.read_text(encoding="utf-8")
    assert all(path.is_dir() for path in issued.iterdir())  # nothing loose: every form is in its person's folder
    with Store(demo.workspace.store_path) as store:
        paths = {issue.path for issue in store.issued("2022-23-Q3")}
    assert {str(note.with_name(note.name.replace(" - cover note.txt", ""))) for note in notes} <= {p.rsplit(".", 1)[0] for p in paths}
    assert (demo.workspace.outbox / "2022-23-Q3" / "tracker.xlsx").is_file()


def test_the_tracker_names_no_child_and_no_file_a_person_typed(demo):
    import openpyxl

    with Store(demo.workspace.store_path) as store:
        names = {s.values["child_name"] for s in store.submissions(form="ccr", include_replaced=True) if s.values.get("child_name")}
        files = {entry.file.rsplit("/", 1)[-1] for entry in store.log_entries()}
    book = openpyxl.load_workbook(demo.workspace.outbox / "2022-23-Q3" / "tracker.xlsx")
    text = "\n".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row if value)
    assert names and files and "R-0" in text and "C" in text
    for typed in names | files:
        assert typed not in text


def test_the_demo_draws_next_quarters_samples_and_writes_reminders_without_names(demo):
    import email
    import email.policy

    with Store(demo.workspace.store_path) as store:
        names = {s.values["child_name"] for s in store.submissions(form="ccr", include_replaced=True) if s.values.get("child_name")}
        issued_q4 = [i for i in store.issued("2022-23-Q4") if i.form == "ccr"]
    samples = demo.workspace.outbox / "samples" / "2022-23-Q4"
    frame = json.loads((samples / "ccr-sample-2022-23-Q4-frame.json").read_text(encoding="utf-8"))
    assert frame["size_drawn"] == 20 and len(issued_q4) == 20
    assert frame["excluded"] and all(e["reason"].startswith(("reviewed (CCR) on", "dip-sampled on", "issued for a CCR on"))
                                     for e in frame["excluded"])
    bordering = frame["bordering_good"]  # judged so on the demo's CCRs, and two listed by the admin
    assert len(bordering["taken"]) == min(bordering["candidates"], bordering["at_most"]) and bordering["candidates"] >= 2
    assert (samples / "dip_sample-sample-2022-23-Q4.xlsx").is_file()
    reminders = sorted((demo.workspace.outbox / "mail" / "reminders" / "2022-23-Q3" / "2023-01-16").glob("*.eml"))
    assert len(reminders) >= 10
    for path in reminders:
        message_ = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert "@example.org" in message_["To"]
        body = message_.get_body(("plain",)).get_content()
        for name in names:
            assert name not in body and name not in json.dumps(frame)


def test_the_demo_gives_every_evidence_section_content(demo):
    from pipeline.compliance import assess_workspace
    from pipeline.quarter import Quarter
    from pipeline.report.model import build_model
    from pipeline.spec import Catalogue

    catalogue = Catalogue.load(demo.workspace.specs)
    with Store(demo.workspace.store_path) as store:
        evidence = build_model(catalogue, assess_workspace(demo.workspace, store, Quarter.from_label("2022-23-Q3"))).evidence
    assert evidence.impact.recorded >= 15 and all(sum(row.counts) for row in evidence.impact.by_team)
    assert evidence.triangulation.themes and evidence.triangulation.unthemed == 0
    assert evidence.assurance.inadequate and evidence.assurance.of_concern >= 2
    assert {r.outcome for r in evidence.assurance.rereviewed} & {"improved", "same", "worse"}
    assert evidence.follow_through.with_overdue and evidence.follow_through.complete
    assert [case.kind for case in evidence.vignettes.cases][:2] == ["strong", "weak"]


def test_demo_spans_a_year_and_each_return_is_received_in_its_quarter(demo):
    from pipeline.quarter import Quarter

    with Store(demo.workspace.store_path) as store:
        reviews = store.submissions(form="ccr")
        received = [(Quarter.from_label(s.quarter), s.received_at[:10]) for s in store.submissions()]
    assert sorted({s.quarter for s in reviews}) == ["2021-22-Q4", "2022-23-Q1", "2022-23-Q2", "2022-23-Q3"]
    outside = [(q.label, day) for q, day in received if not q.start.isoformat() <= day <= q.end.isoformat()]
    assert outside == []


def test_the_demo_report_does_not_contradict_itself(demo):
    import datetime as dt

    from pipeline.admin import read_roster
    from report_checks import contradictions

    result = CliRunner().invoke(cli, ["--workspace", str(demo.workspace.root), "report", "--quarter", "2022-23-Q3"])
    assert result.exit_code == 0, result.output
    report = demo.workspace.outbox / "2022-23-Q3" / "QA-report-2022-23-Q3.docx"
    names = [person.name for person in read_roster(demo.workspace.roster_path)]
    assert contradictions(report, names, (dt.date(2022, 10, 1), dt.date(2022, 12, 31))) == []

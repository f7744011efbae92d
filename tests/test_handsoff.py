"""Hands-off operation: the watcher's schedule moved through a quarter by an injected clock, never by waiting.

The date comes from the config (QA_TODAY / --today), the seconds for the debounce from a clock the
test steps by hand; every assertion is about what lands on the share (outbox/) or in the log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from pipeline.admin import load_targets, read_plan, read_roster, write_plan
from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.roles import Role
from pipeline.schedule import Schedule
from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.workspace import Workspace

from answers import full_answers
from filling import fill

Q3 = "2022-23-Q3"
QUIET = "draft_report: no\nfinal_report: no\n"  # the reports take seconds to render: on only where they are tested


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def now(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path / "ws"), "init"])
    assert result.exit_code == 0, result.output
    return Workspace.at(tmp_path / "ws")


def schedule(ws: Workspace, day: str, settings: str = QUIET, clock: FakeClock | None = None) -> Schedule:
    (ws.root / "qa.yaml").write_text(settings, encoding="utf-8")
    config = load_config(ws.root, environ={"QA_TODAY": day})
    return Schedule(ws, Catalogue.load(ws.specs), config, clock or FakeClock())


def issued(ws: Workspace, form: str) -> list[Path]:
    return sorted((ws.outbox / "issued" / Q3).glob(f"*/{form}*.xlsx")) + sorted((ws.outbox / "issued" / Q3).glob(f"*/{form}*.docx"))


def run(ws: Workspace, plan: Schedule, **options) -> None:
    with Store(ws.store_path) as store:
        plan.run(store, **options)


def with_roles(ws: Workspace, *roles: Role) -> list[str]:
    """The names on the workspace's roster with one of *roles*, sorted."""
    return sorted(person.name for person in read_roster(ws.roster_path) if person.role in roles)


def rule_roles(ws: Workspace, activity: str) -> set[Role]:
    """The roles the workspace's targets say owe *activity* in person (its per-person rules)."""
    return {role for rule in load_targets(ws.targets_path).rules if rule.activity == activity and rule.minimum > 0
            for role in rule.who}


def supervision_auditors(ws: Workspace) -> list[str]:
    """The managers owed a supervision audit of someone: those who manage someone who supervises others (§7.2)."""
    roster = read_roster(ws.roster_path)
    supervisors = {person.line_manager for person in roster if person.line_manager}
    return sorted({person.line_manager for person in roster if person.name in supervisors and person.line_manager})


def test_forms_are_issued_on_the_plans_date_once_and_not_again_after_a_restart(ws):
    run(ws, schedule(ws, "2022-10-09"))
    assert issued(ws, "dip_sample") == []  # the plan's week beginning is 10/10/2022
    assert len(issued(ws, "supervision_audit")) == 6  # no week beginning: the 1st of October

    first = schedule(ws, "2022-10-10")
    run(ws, first)
    dips = issued(ws, "dip_sample")
    # Heads of service, team managers and the PSW (Appendix 6) dip-sample.
    assert len(dips) == 10 and {path.parent.name for path in dips} >= {"Joanne Pike", "Priya Raman", "Sarah Lowe", "Amira Shah"}
    note = dips[0].with_name(f"{dips[0].stem} - cover note.txt").read_text(encoding="utf-8")
    assert "Dip sampling: 10 children by 31/12/2022" in note and f"Fill in {dips[0].name}" in note
    run(ws, first)  # the next pass the same day
    run(ws, schedule(ws, "2022-10-11"))  # a restart, the day after
    assert issued(ws, "dip_sample") == dips
    with Store(ws.store_path) as store:
        assert len(store.issued(Q3)) == 16


def test_issue_days_before_and_every_piece_switched_off(ws):
    run(ws, schedule(ws, "2022-10-07", QUIET + "issue_days_before: 3\n"))
    assert len(issued(ws, "dip_sample")) == 10
    tracker = ws.outbox / Q3 / "tracker.xlsx"
    made = tracker.stat().st_mtime_ns
    other = schedule(ws, "2022-12-05", "issue_forms: no\ntracker: no\ndraft_report: no\nfinal_report: no\n")
    run(ws, other, now_everything=True)
    assert issued(ws, "ccr") == [] and tracker.stat().st_mtime_ns == made


def _sheet(path: Path, name: str) -> list[dict]:
    sheet = openpyxl.load_workbook(path)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_tracker_after_an_ingest_has_the_figures_qa_status_gives_and_waits_for_the_debounce(ws, caplog):
    clock = FakeClock()
    plan = schedule(ws, "2022-11-15", QUIET + "tracker_delay_seconds: 30\n", clock)
    run(ws, plan)
    tracker = ws.outbox / Q3 / "tracker.xlsx"
    before = tracker.stat().st_mtime_ns
    spec = Catalogue.load(ws.specs).find("supervision_audit")
    values, groups = full_answers(spec)
    values.update(quarter=Q3, auditor="Gareth Hughes")
    (ws.inbox / "supervision audit.docx").write_bytes(fill(spec, values, groups))
    assert CliRunner().invoke(cli, ["--workspace", str(ws.root), "ingest", "--settle", "0"]).exit_code == 0
    plan.ingested()
    clock.seconds += 29
    run(ws, plan)
    assert tracker.stat().st_mtime_ns == before  # another file may be on its way
    clock.seconds += 1
    run(ws, plan)
    status = json.loads(CliRunner().invoke(cli, ["--workspace", str(ws.root), "status", "--quarter", Q3, "--json"]).output)
    assert status["returns"] + status["rejected"]["total"] == 1
    activity = _sheet(tracker, "Activity")
    assert [(r["Activity"], r["Minimum"], r["Received"], r["Counted"], r["Rejected"], r["Outstanding"], r["RAG"]) for r in activity] == [
        (a["activity"], a["minimum"], a["received"], a["counted"], a["rejected"], a["outstanding"], a["rag"]) for a in status["activities"]]
    people = _sheet(tracker, "People")
    assert [(r["Person"], r["Owed"], r["Received"], r["Outstanding"], r["RAG"]) for r in people] == [
        (p["person"], p["required"], p["done"], p["outstanding"], p["rag"]) for p in status["people"]]
    assert [r["Issue ID"] for r in _sheet(tracker, "Unreturned")] == [u["issue_id"] for u in status["unreturned"]]
    assert [r["Reference"] for r in _sheet(tracker, "Rejected") if r["Reference"]] == [r["ref"] for r in status["rejections"]]
    text = json.dumps([_sheet(tracker, name) for name in ("People", "Unreturned", "Rejected", "Actions")], default=str)
    assert "supervision audit.docx" not in text  # files by reference only
    forms = {r["Form"] for r in _sheet(tracker, "Unreturned")}
    assert forms == {"Audit of supervision", "Dip sample: Networks and contingency planning",
                     "Thematic audit: Quality of visits / voice of the child"}  # by title, not id


def test_the_tracker_is_laid_out_for_a_laptop(ws):
    run(ws, schedule(ws, "2022-11-15"))
    book = openpyxl.load_workbook(ws.outbox / Q3 / "tracker.xlsx")
    assert book.sheetnames == ["Summary", "Activity", "People", "Unreturned", "Rejected", "Actions", "Plan", "Admin problems"]
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "B2", sheet.title  # headings and the first column stay in view
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
    activity = book["Activity"]
    rag = {row[9].value: row[9].fill.fgColor.rgb[-6:] for row in activity.iter_rows(min_row=2)}
    assert rag == {"Red": "FFC7CE", "Green": "C6EFCE"}  # nothing returned yet: red, but for minimums of 0 (the DCS)
    assert {row[4].alignment.horizontal for row in activity.iter_rows(min_row=2)} == {"center"}  # numbers apart from text
    plan = book["Plan"]
    assert [c.value for c in plan[1]][6:] == ["Issued this quarter (this form)", "Returned this quarter (this form)"]
    assert plan.row_dimensions[1].height >= 44  # three wrapped lines of bold heading are seen whole


def test_a_tracker_open_in_excel_is_left_and_the_next_one_written(ws, caplog):
    plan = schedule(ws, "2022-10-10")
    run(ws, plan)
    folder = ws.outbox / Q3
    (folder / "~$tracker.xlsx").write_bytes(b"owner file Excel leaves beside an open workbook")
    kept = (folder / "tracker.xlsx").read_bytes()
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, schedule(ws, "2022-10-11"))
    assert (folder / "tracker.xlsx").read_bytes() == kept
    assert (folder / "tracker (2).xlsx").is_file()
    assert (f"outbox/{Q3}/tracker.xlsx is open (in Excel?), so the tracker was written to outbox/{Q3}/tracker (2).xlsx "
            "instead; close it and the next update goes back to tracker.xlsx") in caplog.messages


def test_admin_edits_are_picked_up_and_a_bad_plan_row_is_reported_without_stopping(ws, caplog):
    plan = schedule(ws, "2022-10-10")
    run(ws, plan)
    entries = read_plan(ws.plan_path)
    audit = next(e for e in entries if e.activity == "Thematic audit" and e.quarter.label == Q3)
    assert issued(ws, "thematic_audit") == []  # planned for 07/11/2022
    moved = [e if e is not audit else type(e)(**{**e.__dict__, "week_beginning": dt.date(2022, 10, 10)}) for e in entries]
    write_plan(ws.plan_path, moved)
    run(ws, plan)
    # Brought forward to this week: issued at the next pass, to everyone Appendix 6 says owes a thematic audit
    # (the PSW, the improvement team's two APs, five team managers, the AD and the DCS).
    assert len(issued(ws, "thematic_audit")) == 10

    workbook = openpyxl.load_workbook(ws.plan_path)
    workbook["Plan"]["C3"] = "Knitting circle"  # the Q1 supervision audit row
    sheet = workbook["Plan"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 3).value == "Collaborative case review"
               and sheet.cell(r, 2).value and sheet.cell(r, 2).value.date() == dt.date(2022, 12, 5))
    sheet.cell(row, 2).value = dt.datetime(2022, 10, 10)  # and the Q3 CCR brought forward to this week
    workbook.save(ws.plan_path)
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, plan)
    assert any(m.startswith("admin/qa-plan.xlsx: 1 problem(s); the bad rows are left out and the other 23 row(s) used: "
                            "qa-plan.xlsx · sheet 'Plan' row 3: Activity 'Knitting circle' is not a QA activity.")
               for m in caplog.messages)
    # The good rows are used: the moved CCR row is acted on, for everyone who owes a CCR in person (Appendix 6).
    assert len(issued(ws, "ccr")) == len(with_roles(ws, *rule_roles(ws, "ccr"))) == 13
    problems = _sheet(ws.outbox / Q3 / "tracker.xlsx", "Admin problems")
    assert [list(row.values())[1] for row in problems] == ["This row is left out; the file's other rows are used."]
    assert list(problems[0].values())[0].startswith("qa-plan.xlsx · sheet 'Plan' row 3: Activity 'Knitting circle'")
    assert _sheet(ws.outbox / Q3 / "tracker.xlsx", "Activity")  # the figures are still there
    assert [r["Activity"] for r in _sheet(ws.outbox / Q3 / "tracker.xlsx", "Plan")][:2] == ["Dip sampling", "Supervision audit"]


def test_a_bad_roster_row_leaves_that_person_out_and_keeps_everyone_else(ws, caplog):
    samplers = with_roles(ws, *load_targets(ws.targets_path).dip_sample_roles)
    others = len(read_roster(ws.roster_path)) - 1
    workbook = openpyxl.load_workbook(ws.roster_path)
    sheet = workbook["Staff"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "Tom Reilly")
    sheet.cell(row, 2).value = "Wizard"
    workbook.save(ws.roster_path)
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, schedule(ws, "2022-10-10"))
    error = next(m for m in caplog.messages if m.startswith("admin/roster.xlsx"))
    assert error.startswith(f"admin/roster.xlsx: 1 problem(s); the bad rows are left out and the other {others} row(s) used: "
                            f"roster.xlsx · sheet 'Staff' row {row}: Role 'Wizard' is not a role. Use one of: Social worker,")
    dips = issued(ws, "dip_sample")
    # Everyone else who dip-samples (the other managers and the PSW) is still issued one.
    assert sorted(path.parent.name for path in dips) == [name for name in samplers if name != "Tom Reilly"]
    tracker = ws.outbox / Q3 / "tracker.xlsx"
    assert [list(r.values())[1] for r in _sheet(tracker, "Admin problems")] == [
        "This row is left out; the file's other rows are used."]
    assert ("Tom Reilly", "Dip sampling") not in {(r["Person"], r["Activity"]) for r in _sheet(tracker, "People")}
    assert ("Sarah Lowe", "Dip sampling") in {(r["Person"], r["Activity"]) for r in _sheet(tracker, "People")}


def test_a_bad_row_of_performance_data_is_on_the_trackers_admin_problems(ws, caplog):
    from pipeline.performance import Reading, write_performance

    path = ws.root / "admin" / "performance.xlsx"
    write_performance(path, [Reading("Visits within timescale", dt.date(2022, 10, 1), 90, 88, True, "%"),
                             Reading("Visits within timescale", dt.date(2022, 11, 1), 90, 86, True, "%")])
    workbook = openpyxl.load_workbook(path)
    workbook["Indicators"]["D3"] = "lots"
    workbook.save(path)
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, schedule(ws, "2022-11-15"))
    problem = ("performance.xlsx · sheet 'Indicators' row 3: Value 'lots' is not a number. Write the number alone, for "
               "example 85 (put % in the Unit column).")
    assert (f"admin/performance.xlsx: 1 problem(s); the bad rows are left out and the other 1 row(s) used: {problem}"
            in caplog.messages)
    assert [list(r.values()) for r in _sheet(ws.outbox / Q3 / "tracker.xlsx", "Admin problems")] == [
        [problem, "This row is left out; the file's other rows are used."]]


def test_ccrs_are_issued_on_the_plans_date_to_everyone_who_owes_one_in_person(ws):
    run(ws, schedule(ws, "2022-12-04"))
    assert issued(ws, "ccr") == []  # the plan's CCR week begins 05/12/2022
    run(ws, schedule(ws, "2022-12-05"))
    ccrs = issued(ws, "ccr")
    with Store(ws.store_path) as store:
        people = sorted(i.assignee for i in store.issued(Q3) if i.form == "ccr")
    # Appendix 6: the PSW, the improvement team's APs, the IRO / CP chairs and the Heads of Service each owe a CCR
    # every quarter (the targets' per-person CCR rules), whoever the plan's row names (HoS / PSW / Improvement team).
    owe = with_roles(ws, *rule_roles(ws, "ccr"))
    assert {role.value for role in rule_roles(ws, "ccr")} == {"PSW", "Improvement team AP", "IRO", "CP chair", "Head of service"}
    assert len(ccrs) == len(owe) == 13 and people == owe
    note = ccrs[0].with_name(f"{ccrs[0].stem} - cover note.txt").read_text(encoding="utf-8")
    assert ("What is due\n"
            "  - CCRs, by person: 1 child by 31/12/2022\n"  # their own
            f"  - Collaborative case reviews: 20 children still to do this quarter between the {len(owe)} people issued "
            "this form, about 2 each, by 31/12/2022\n") in note  # and the service's minimum (§9), shared between them
    run(ws, schedule(ws, "2022-12-06"))
    assert issued(ws, "ccr") == ccrs


def test_without_per_person_ccr_rules_ccrs_go_to_the_reviewers_the_plan_names(ws):
    targets = yaml.safe_load(ws.targets_path.read_text(encoding="utf-8"))
    for rule in targets["rules"].values():
        if rule["activity"] == "ccr":
            rule["per_quarter"] = 0  # as targets.yaml says: set it to 0 to stop expecting it
    ws.targets_path.write_text(yaml.safe_dump(targets, allow_unicode=True), encoding="utf-8")
    assert rule_roles(ws, "ccr") == set()
    run(ws, schedule(ws, "2022-12-05"))
    ccrs = issued(ws, "ccr")
    with Store(ws.store_path) as store:
        people = sorted(i.assignee for i in store.issued(Q3) if i.form == "ccr")
    named = with_roles(ws, Role.HEAD_OF_SERVICE, Role.PSW, Role.IMPROVEMENT_AP)  # the row's Who: HoS / PSW / Improvement team
    assert len(ccrs) == len(named) == 7 and people == named
    note = ccrs[0].with_name(f"{ccrs[0].stem} - cover note.txt").read_text(encoding="utf-8")
    assert ("What is due\n"
            "  - Collaborative case reviews: 20 children still to do this quarter between the 7 people the QA plan names "
            "(HoS / PSW / Improvement team), about 3 each, by 31/12/2022\n\n") in note


def test_forms_of_a_quarter_not_yet_begun_wait_for_it_unless_the_plan_dates_them_to_its_first_week(ws):
    entries = [e for e in read_plan(ws.plan_path) if e.quarter.label == "2022-23-Q4" and e.activity in ("Dip sampling", "Supervision audit")]
    dip = next(e for e in entries if e.activity == "Dip sampling")
    write_plan(ws.plan_path, [type(dip)(**{**dip.__dict__, "week_beginning": dt.date(2023, 1, 3)}),
                              next(e for e in entries if e.activity == "Supervision audit")])
    settings = QUIET + "issue_days_before: 5\n"
    q4 = ws.outbox / "issued" / "2022-23-Q4"
    run(ws, schedule(ws, "2022-12-28", settings))
    assert not q4.exists()
    run(ws, schedule(ws, "2022-12-29", settings))  # the week of 03/01/2023, less 5 days
    samplers = with_roles(ws, *load_targets(ws.targets_path).dip_sample_roles)  # Heads of service, team managers, the PSW
    assert sorted(path.parent.name for path in q4.glob("*/dip_sample*.xlsx")) == samplers and len(samplers) == 10
    assert list(q4.glob("*/supervision_audit*")) == []  # January's, dated by its month only: not before Q4 begins
    run(ws, schedule(ws, "2022-12-31", settings))
    assert list(q4.glob("*/supervision_audit*")) == []
    run(ws, schedule(ws, "2023-01-01", settings))
    assert len(list(q4.glob("*/supervision_audit*.docx"))) == 6


class Crash(BaseException):
    """The process dying at a step: not an error the schedule catches and logs."""


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.parametrize("step", ["intent", "written", "recorded", "cover-note"])
def test_a_crash_at_any_step_of_issuing_never_issues_a_form_twice(ws, monkeypatch, step):
    import pipeline.schedule as schedule_module

    crashed: list[str] = []

    def crash(name: str, path: Path) -> None:
        if name == step and not crashed:
            crashed.append(path.name)
            raise Crash(name)

    if step == "written":  # the form is on the share, the store has not recorded it
        real = Store.record_issue
        monkeypatch.setattr(Store, "record_issue", lambda self, form: crash("written", Path(form.path)) or real(self, form))
    else:
        monkeypatch.setattr(schedule_module, "STEP_HOOK", crash)
    with pytest.raises(Crash):
        run(ws, schedule(ws, "2022-10-10"))
    monkeypatch.undo()
    run(ws, schedule(ws, "2022-10-10"))  # the watcher started again
    folder = ws.outbox / "issued" / Q3
    forms = [p for p in _visible(folder) if not p.name.endswith(" - cover note.txt")]
    notes = [p for p in _visible(folder) if p.name.endswith(" - cover note.txt")]
    with Store(ws.store_path) as store:
        recorded = sorted(Path(i.path) for i in store.issued(Q3))
    # The dip samples (heads of service, team managers, the PSW) and October's supervision audits, each once, each
    # recorded, the one written before the crash among them.
    due = len(with_roles(ws, *load_targets(ws.targets_path).dip_sample_roles)) + len(supervision_auditors(ws))
    assert len(forms) == due == 16 and recorded == forms
    assert crashed[0] in {p.name for p in forms}
    assert sorted(n.name for n in notes) == sorted(f"{p.stem} - cover note.txt" for p in forms)
    assert [p for p in folder.rglob(".*")] == []  # nothing half-written left behind


def test_draft_is_replaced_and_the_final_written_once_on_the_report_date(ws, caplog):
    settings = "issue_forms: no\nreport_days_before_dlt: 7\n"
    run(ws, schedule(ws, "2022-12-20", settings), now_everything=True)
    draft = ws.outbox / Q3 / f"DRAFT-QA-report-{Q3}.docx"
    first = draft.read_bytes()
    from docx import Document

    header = Document(draft).sections[0].header.paragraphs[0].text
    assert header.startswith("DRAFT — as at ") and header.endswith("the final report is rendered on 18/01/2023.")
    run(ws, schedule(ws, "2023-01-17", settings), now_everything=True)
    assert draft.read_bytes() != first  # replaced, under the same name
    assert not (ws.outbox / Q3 / f"QA-report-{Q3}.docx").exists()

    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, schedule(ws, "2023-01-18", settings), now_everything=True)
    final = ws.outbox / Q3 / f"QA-report-{Q3}.docx"
    assert Document(final).sections[0].header.paragraphs[0].text == f"Final report for {Q3}, rendered 18/01/2023"
    assert not draft.exists() and (ws.outbox / Q3 / "previous" / draft.name).is_file()
    assert any(m.startswith(f"final report for {Q3} rendered: outbox/{Q3}/QA-report-{Q3}.docx") for m in caplog.messages)
    made = final.read_bytes()
    run(ws, schedule(ws, "2023-01-19", settings), now_everything=True)
    assert final.read_bytes() == made and not list((ws.outbox / Q3).glob("QA-report-* (2).docx"))


def test_qa_config_prints_each_setting_and_where_it_came_from(ws):
    (ws.root / "qa.yaml").write_text("# mine\ntracker_delay_seconds: 5\n", encoding="utf-8")
    result = CliRunner(env={"QA_TODAY": "2022-10-10"}).invoke(cli, ["--workspace", str(ws.root), "config"])
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "tracker_delay_seconds 5 (qa.yaml line 2)" in lines
    assert "issue_forms yes (default)" in lines
    assert "today 2022-10-10 (QA_TODAY)" in lines
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), "config", "--today", "2023-01-18"])
    assert "today 2023-01-18 (--today)" in [" ".join(line.split()) for line in result.output.splitlines()]


def test_a_bad_setting_is_reported_with_its_line_and_fix(ws):
    (ws.root / "qa.yaml").write_text("tracker: yes\nisue_forms: no\ntracker_delay_seconds: soon\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), "config"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: qa.yaml line 2: unknown setting 'isue_forms'. Did you mean 'issue_forms'?\n"
        "qa.yaml line 3: tracker_delay_seconds 'soon' is not a number of seconds. Write a whole number of seconds, for example 30.\n")
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), "watch", "--once", "--today", "10/10/2022"])
    assert result.exit_code == 1 and "Error: qa.yaml line 2" in result.output


def test_qa_init_writes_a_commented_config_with_every_default(ws):
    text = (ws.root / "qa.yaml").read_text(encoding="utf-8")
    assert "# Issue each planned activity's forms" in text and "issue_forms: yes" in text
    assert load_config(ws.root, environ={}).tracker_delay_seconds == 30


def test_watch_once_does_one_pass_on_the_date_given(ws):
    (ws.root / "qa.yaml").write_text(QUIET, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), "watch", "--once", "--today", "2022-10-10"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("One pass done for 10/10/2022: 0 file(s) ingested, 16 form(s) issued.")
    assert (ws.outbox / Q3 / "tracker.xlsx").is_file()
    bad = CliRunner().invoke(cli, ["--workspace", str(ws.root), "watch", "--once", "--today", "10/10/2022"])
    assert bad.exit_code == 1
    assert bad.output.endswith("Error: --today '10/10/2022' is not a date. Write it as YYYY-MM-DD, for example 2022-10-10.\n")


def _returns_received(tracker: Path) -> int:
    sheet = openpyxl.load_workbook(tracker)["Summary"]
    return next(row[1] for row in sheet.iter_rows(values_only=True) if row[0] == "Returns received")


def test_the_running_watcher_runs_the_schedule_after_each_ingest(ws):
    from pipeline.watch import Watcher

    clock = FakeClock()
    plan = schedule(ws, "2022-11-15", QUIET + "tracker_delay_seconds: 600\n", clock)
    catalogue = Catalogue.load(ws.specs)
    watcher = Watcher(ws, catalogue, polling=True, interval=0.1, settle=0.05, rescan=300.0, schedule=plan)
    watcher.start()
    try:
        assert watcher.wait_idle(60.0)  # the first pass: forms issued, tracker written
        tracker = ws.outbox / Q3 / "tracker.xlsx"
        assert len(issued(ws, "dip_sample")) == 10 and _returns_received(tracker) == 0
        spec = catalogue.find("supervision_audit")
        values, groups = full_answers(spec)
        values.update(quarter=Q3, auditor="Gareth Hughes")
        (ws.inbox / "audit.docx").write_bytes(fill(spec, values, groups))
        assert watcher.wait_idle(60.0) and watcher.counts == {"accepted": 1}
        assert _returns_received(tracker) == 0  # 600 s have not passed on the watcher's clock
        clock.seconds += 600  # the watcher's next step (within a second) finds the debounce over
        deadline = time.monotonic() + 60.0
        while _returns_received(tracker) == 0 and time.monotonic() < deadline:
            watcher.wait_idle(5.0)
        assert _returns_received(tracker) == 1
    finally:
        watcher.stop()


def test_a_report_already_in_place_on_the_report_date_is_left_as_it_is(ws, caplog):
    mine = ws.outbox / Q3 / f"QA-report-{Q3}.docx"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"the report the admin rendered with qa report and edited")
    with caplog.at_level(logging.INFO, logger="pipeline"):
        run(ws, schedule(ws, "2023-01-18", "issue_forms: no\ndraft_report: no\ntracker: no\n"))
        run(ws, schedule(ws, "2023-01-19", "issue_forms: no\ndraft_report: no\ntracker: no\n"))
    assert mine.read_bytes() == b"the report the admin rendered with qa report and edited"
    assert caplog.messages.count(f"the report date for {Q3} has come, and outbox/{Q3}/QA-report-{Q3}.docx is already "
                                 "there: left as it is (run 'qa report' to render it again)") == 1

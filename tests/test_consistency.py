"""Every figure that appears in more than one place is the same everywhere.

One quarter is built in code and taken through the real path — forms issued, filled in, dropped in
the inbox, ingested by `qa ingest` (a rejected CCR and a rejected dip sample, a CCR corrected and
resubmitted, an unreadable file, an issued form never returned, moderated reviews whose grade the
moderator changed) — then `qa status --json`, `qa report --json`, the rendered .docx (tables and
paragraphs read with python-docx) and the action-ledger workbook are compared figure by figure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.admin import Person, Role, write_roster
from pipeline.cli import cli
from pipeline.ingest import note_path
from pipeline.issue import issue_form
from pipeline.quarter import Quarter
from pipeline.read.package import OLE_MAGIC, open_package
from pipeline.spec import GRADES, Catalogue
from pipeline.store import Store
from pipeline.templates import build_form
from pipeline.templates.docx_fill import fill_docx
from pipeline.workspace import BUILTIN_SPECS, Workspace
from answers import full_answers

Q3, Q2 = Quarter.from_label("2022-23-Q3"), Quarter.from_label("2022-23-Q2")
ROSTER = [
    Person("Dee Director", Role.DCS, "Directorate", None, None),
    Person("Alan Assistant", Role.AD, "Directorate", "Dee Director", None),
    Person("Hana Head", Role.HEAD_OF_SERVICE, "Children in need", "Alan Assistant", None),
    Person("Hugo Head", Role.HEAD_OF_SERVICE, "Protection", "Alan Assistant", None),
    Person("Tara Manager", Role.TEAM_MANAGER, "Assessment", "Hana Head", None),
    Person("Tim Manager", Role.TEAM_MANAGER, "Child protection", "Hugo Head", None),
    Person("Sam Worker", Role.SOCIAL_WORKER, "Assessment", "Tara Manager", None),
    Person("Sid Worker", Role.SOCIAL_WORKER, "Child protection", "Tim Manager", None),
    Person("Pat Principal", Role.PSW, "Quality assurance", "Hana Head", None),
]
# child ID, team, level of need, reviewer's overall grade, moderated grade (None: not moderated)
CCRS_Q3 = [
    ("C3001", "Assessment", "Child in need", "Outstanding", "Good"),  # the moderator lowered it
    ("C3002", "Assessment", "Child protection", "Good", "Good"),
    ("C3003", "Child protection", "Child protection", "Good", "Inadequate"),  # lowered to inadequate
    ("C3004", "Child protection", "Child we look after", "Inadequate", "Requires improvement"),  # raised
    ("C3005", "Assessment", "Early help", "Good", None),
    ("C3006", "Child protection", "Care leaver", "Requires improvement", "Requires improvement"),
]
CCRS_Q2 = [("C2001", "Assessment", "Child in need", "Good", "Requires improvement"), ("C2002", "Assessment", "Child in need", "Good", None)]
TYPED_NAME = "Poppy Evans"  # typed as the child's ID on a first attempt, then corrected
FILE_NAMES = ["CCR first try Tara.docx", "CCR Poppy attempt.docx", "Dip sample Tim - Maybe.xlsx", "Notes 2022-23-Q3.doc"]


def record(reviewer: str, moderated: str | None) -> str:
    return moderated or reviewer


class Quarterly:
    """Issues forms for a quarter and drops them, filled in, into the inbox."""

    def __init__(self, workspace: Workspace, catalogue: Catalogue, store: Store, quarter: Quarter) -> None:
        self.ws, self.catalogue, self.store, self.quarter = workspace, catalogue, store, quarter
        self.day = quarter.start + dt.timedelta(days=40)

    def issue(self, form: str, assignee: str, child_id: str | None = None) -> tuple[object, bytes]:
        path = issue_form(self.catalogue, self.store, form, self.quarter.label, assignee,
                          self.ws.outbox / "issued" / self.quarter.label, None, child_id)
        return self.catalogue.get(form), path.read_bytes()

    def answers(self, spec, person: str, rows: int = 1) -> tuple[dict, dict]:
        values, groups = full_answers(spec, rows)
        dates = {item.id for item in spec.fields() if item.type == "date"}
        values.update({name: self.day for name in dates})
        values.update(quarter=self.quarter.label, completed_by=person)
        for group in spec.groups():
            for row in groups[group.id]:
                row.update({item.id: self.day for item in group.fields if item.type == "date"})
        return values, groups

    def ccr(self, row: tuple, name: str, reviewer: str = "Hana Head", **changes) -> tuple[object, bytes, dict, dict]:
        child, team, level, grade, moderated = row
        spec, issued = self.issue("ccr", reviewer, child)
        values, groups = self.answers(spec, reviewer)
        values.update({f"{d}_grade": "Good" for d in ("assessment", "planning", "multi_agency_review", "voice_of_child",
                                                     "parents_carers_engagement", "management_oversight", "case_recording")})
        values.update(child_id=child, child_name=name, team=team, level_of_need=level, reviewer=reviewer, overall_grade=grade,
                      social_worker="Sam Worker", team_manager="Tara Manager",
                      moderated_grade=moderated, moderator="Pat Principal" if moderated else None)
        values.update(changes)
        return spec, issued, values, groups

    def drop(self, name: str, data: bytes) -> None:
        (self.ws.inbox / name).write_bytes(data)


def ingest(workspace: Workspace) -> str:
    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "ingest"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    """The quarter, ingested; then `qa status --json`, `qa report --json`, the .docx and the ledger read back."""
    root = tmp_path_factory.mktemp("consistency") / "ws"
    runner = CliRunner()
    assert runner.invoke(cli, ["--workspace", str(root), "init"], catch_exceptions=False).exit_code == 0
    workspace = Workspace(root)
    write_roster(workspace.roster_path, ROSTER)
    workspace.targets_path.write_text("ccr: {children_per_quarter: 8}\n", encoding="utf-8")
    catalogue = Catalogue.load(BUILTIN_SPECS)
    dropped: dict[str, bytes] = {}
    with Store(workspace.store_path) as store:
        previous = Quarterly(workspace, catalogue, store, Q2)
        for n, row in enumerate(CCRS_Q2):
            spec, issued, values, groups = previous.ccr(row, f"Earlier Child{n}")
            previous.drop(f"Earlier return {n}.docx", fill_docx(issued, spec, values, groups))
        now = Quarterly(workspace, catalogue, store, Q3)
        corrections = []
        for n, row in enumerate(CCRS_Q3):
            spec, issued, values, groups = now.ccr(row, f"Named Child{n}")
            if n == 0:  # first sent without an overall grade: rejected, then corrected (same issue id)
                dropped[FILE_NAMES[0]] = fill_docx(issued, spec, {**values, "overall_grade": None}, groups)
                corrections.append((f"Return {n} for Hana.docx", fill_docx(issued, spec, values, groups)))
            elif n == 1:  # first sent with the child's name typed as the ID: rejected, then corrected
                dropped[FILE_NAMES[1]] = fill_docx(issued, spec, {**values, "child_id": TYPED_NAME, "child_name": TYPED_NAME}, groups)
                corrections.append((f"Return {n} for Hana.docx", fill_docx(issued, spec, {**values, "child_name": TYPED_NAME}, groups)))
            else:
                now.drop(f"Return {n} for Hana.docx", fill_docx(issued, spec, values, groups))
        now.issue("ccr", "Hugo Head", "C3999")  # issued, never returned
        # Dip samples: Tara 12 children (10 count), Tim 6; Tim's first attempt rejected and never corrected.
        for auditor, count in (("Tara Manager", 12), ("Tim Manager", 6)):
            spec, issued = now.issue("dip_sample", auditor)
            values, groups = now.answers(spec, auditor, count)
            values.update(auditor=auditor, theme="Practice standards")
            for index, child in enumerate(groups["children"]):
                child.update(child_id=f"D{auditor[:2]}{index:02d}", compliant=("Yes", "Partly", "No")[index % 3], team=auditor.split()[0])
            if auditor == "Tim Manager":  # one child entered twice: counted once everywhere
                groups["children"].append(dict(groups["children"][0]))
            issue_id = open_package("issued.xlsx", issued).issue_id
            if auditor == "Tim Manager":
                bad = [dict(row) for row in groups["children"]]
                bad[0]["compliant"] = "Maybe"
                dropped[FILE_NAMES[2]] = build_form(spec, {**values, "completed_by": "Tim Manager (draft)"}, {"children": bad}, issue_id=None)
            now.drop(f"My dip sample {auditor}.xlsx", build_form(spec, values, groups, issue_id=issue_id))
        spec, issued = now.issue("hos_summary", "Hana Head")
        values, groups = now.answers(spec, "Hana Head")
        now.drop("Hana summary final.docx", fill_docx(issued, spec, values, groups))
        now.issue("hos_summary", "Hugo Head")  # never returned
        dropped[FILE_NAMES[3]] = OLE_MAGIC + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(2048)
        for name, data in dropped.items():
            now.drop(name, data)
    first = ingest(workspace)
    for name, data in corrections:
        (workspace.inbox / name).write_bytes(data)
    second = ingest(workspace)
    status = runner.invoke(cli, ["--workspace", str(root), "status", "--quarter", Q3.label, "--json"], catch_exceptions=False)
    assert status.exit_code == 0, status.output
    text = runner.invoke(cli, ["--workspace", str(root), "status", "--quarter", Q3.label], catch_exceptions=False)
    files = runner.invoke(cli, ["--workspace", str(root), "status", "--quarter", Q3.label, "--json", "--files"], catch_exceptions=False)
    report = runner.invoke(cli, ["--workspace", str(root), "report", "--quarter", Q3.label, "--json"], catch_exceptions=False)
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    return {
        "workspace": workspace, "dropped": dropped, "ingest": first + second, "status": json.loads(status.output),
        "status_text": text.output, "files": json.loads(files.output), "report": data, "report_output": report.output,
        "docx": Document(data["files"]["report"]), "ledger": openpyxl.load_workbook(io.BytesIO(Path(data["files"]["ledger"]).read_bytes())),
    }


def table(document, header: list[str]):
    for found in document.tables:
        if [cell.text for cell in found.rows[0].cells] == header:
            texts = [[cell.text for cell in row.cells] for row in found.rows[1:]]
            return [row for row in texts if len(set(row)) > 1 or len(row) == 1]  # not a note row across the table
    raise AssertionError(f"no table headed {header}")


def figure(document, label: str) -> tuple[str, str]:
    rows = table(document, ["", "This quarter", ""])
    value, note = next((row[1], row[2]) for row in rows if row[0] == label)
    return value, note


def paragraphs(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_each_activity_has_the_same_minimum_received_counted_outstanding_and_rag_everywhere(quarter):
    status = {line["activity"]: line for line in quarter["status"]["activities"]}
    report = {line["activity"]: line for line in quarter["report"]["activity"]["lines"]}
    rows = {row[0]: row for row in table(quarter["docx"], ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"])}
    named = {f"{line['activity']} {line['section']}".strip(): name for name, line in status.items()}  # 'Dip sampling §5.1'
    assert list(status) == list(report) and list(named) == list(rows)
    rows = {named[cell]: row for cell, row in rows.items()}
    for name, line in status.items():
        mirrored = report[name]
        keys = ("minimum", "received", "counted", "rejected", "outstanding", "rag")
        assert {k: line[k] for k in keys} == {k: mirrored[k] for k in keys}, name
        assert line["outstanding"] == max(0, line["minimum"] - line["counted"]), name  # the figures add up
        assert rows[name][1:] == [str(line["minimum"]), str(line["received"]), str(line["counted"]), str(line["outstanding"]),
                                  str(line["rejected"]), line["rag"]], name
    assert figure(quarter["docx"], "Dip sampling")[0] == f"{status['Dip sampling']['received']} children"
    assert f"reviewed {status['Dip sampling']['received']} children against practice standards" in paragraphs(quarter["docx"])
    dip = status["Dip sampling"]
    # Tara's 12 children count 10; Tim's 6 count 6; the two Heads and the PSW (Appendix 6) owe 10 each and sampled none.
    assert (dip["minimum"], dip["received"], dip["counted"], dip["outstanding"]) == (50, 18, 16, 34)


def test_rag_counts_on_the_summary_page_match_the_tables(quarter):
    document, status = quarter["docx"], quarter["status"]
    rags = Counter(row[6] for row in table(document, ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"]))
    # The report counts people by team (named who-owes-what lists stay in qa status and the tracker).
    by_team = table(document, ["Team", "Still to do", "Red", "Amber", "Activities"])
    people = Counter({"Red": sum(int(row[2]) for row in by_team), "Amber": sum(int(row[3]) for row in by_team)})
    assert status["activity_rag"] == {"green": rags["Green"], "amber": rags["Amber"], "red": rags["Red"]}
    assert (status["people_rag"]["red"], status["people_rag"]["amber"]) == (people["Red"], people["Amber"])
    activity = quarter["report"]["activity"]
    assert (activity["green"], activity["amber"], activity["red"], activity["people_red"], activity["people_amber"]) == (
        rags["Green"], rags["Amber"], rags["Red"], people["Red"], people["Amber"])
    value, note = figure(document, "Activity against minimums")
    assert value == f"{rags['Green']} of {sum(rags.values())} green"
    assert note == (f"Activities overall: {rags['Amber']} amber, {rags['Red']} red. Still to do by individual people: "
                    f"{sum(int(row[1]) for row in by_team)} obligation(s), {people['Red']} of them red and {people['Amber']} amber (section 2)")
    assert people["Red"] > 0  # the case the demo got wrong: people red while the summary said '0 red'
    assert (f"green, {rags['Amber']} amber and {rags['Red']} red overall." in paragraphs(document))


def test_rejections_resolved_and_outstanding_agree_and_reasons_belong_to_their_file(quarter):
    status, report, document = quarter["status"], quarter["report"], quarter["docx"]
    assert status["rejected"] == report["rejections"] == {"total": 4, "resolved": 2, "outstanding": 2}
    appendix = table(document, ["Ref", "Rejected", "Form", "Reasons", "Resolved by"])
    assert [row[0] for row in appendix] == [r["ref"] for r in status["rejections"]] == [r["ref"] for r in report["rejected"]]
    assert sum(row[4] == "Outstanding" for row in appendix) == 2
    resolved_by = {r["ref"]: r["resolved_by"] for r in status["rejections"] if r["resolved_by"]}
    assert {r["ref"]: r["resolved_by"] for r in report["rejected"] if r["resolved_by"]} == resolved_by
    sources = {row[0] for row in table(document, ["Ref", "Form", "Completed by", "Received", "Child ID"])}
    assert set(resolved_by.values()) <= sources  # each resolving submission is a return this report draws on
    value, note = figure(document, "QA returns received")
    assert note == ("4 file(s) rejected: 2 resolved by a corrected resubmission, 2 outstanding. A note explaining the "
                    "reasons was left beside each file in rejected/ (Appendix C)")
    assert "returned to their authors" not in paragraphs(document) + json.dumps(report)
    # The Rejected column counts the outstanding rejections of identified forms (the dip sample).
    column = sum(int(row[5]) for row in table(document, ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"]))
    assert column == sum(1 for r in report["rejected"] if not r["resolved_by"] and r["form"] != "Not identified") == 1
    # The reason shown for the first attempt at C3002 is that attempt's, not the corrected file's child ID.
    poppy = next(r for r in report["rejected"] if any("ID" in reason for reason in r["reasons"]))
    assert "C3002" not in " ".join(poppy["reasons"]) and TYPED_NAME not in json.dumps(report)
    # The text status says the same.
    for ref, by in resolved_by.items():
        assert re.search(rf"  {ref}  ccr, rejected \d{{4}}-\d\d-\d\d: resolved by {by} on \d{{4}}-\d\d-\d\d", quarter["status_text"])


def test_rejected_files_stay_and_their_notes_say_when_and_by_what_they_were_resolved(quarter):
    workspace, files = quarter["workspace"], quarter["files"]["files"]
    for rejection in quarter["status"]["rejections"]:
        name = files[rejection["ref"]]
        kept = workspace.rejected / name
        assert kept.read_bytes() == quarter["dropped"][name]  # never deleted or rewritten
        note = note_path(kept).read_text(encoding="utf-8")
        if rejection["resolved_by"]:
            last = note.rstrip("\n").splitlines()[-1]
            assert re.fullmatch(rf"Resolved on \d\d/\d\d/\d{{4}} at \d\d:\d\d: the corrected file '{re.escape(files[rejection['resolved_by']])}' "
                                rf"was accepted as submission {rejection['resolved_by']}\. Nothing more is needed for this file\.", last)
        else:
            assert "Resolved on" not in note


def test_grades_of_record_agree_on_the_summary_tables_and_messages(quarter):
    report, document = quarter["report"], quarter["docx"]
    grades = Counter(record(row[3], row[4]) for row in CCRS_Q3)
    overall = {g["grade"]: g["count"] for g in report["practice"]["overall"]["grades"]}
    assert overall == {grade: grades[grade] for grade in GRADES}
    rows = table(document, ["Overall grade", Q3.label, "%", Q2.label, "%"])
    assert {row[0]: int(row[1]) for row in rows} == overall
    before = Counter(record(row[3], row[4]) for row in CCRS_Q2)
    assert {row[0]: int(row[3]) for row in rows} == {grade: before[grade] for grade in GRADES}
    domain = table(document, ["Domain", "Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Good or better"])[0]
    assert domain[:5] == ["Overall grade", *(str(overall[g]) for g in GRADES)]
    good = round(100 * (grades["Outstanding"] + grades["Good"]) / len(CCRS_Q3))
    value, note = figure(document, "Collaborative case reviews")
    assert value == str(len(CCRS_Q3)) and note.startswith(f"{good}% good or better on the moderated grade (")
    assert f"Good or better (overall, moderated): {good}% of {len(CCRS_Q3)} (95% CI" in paragraphs(document)
    trend = table(document, ["Quarter", "Reviews (n)", "Good or better (95% CI)", "Inadequate (95% CI)"])
    assert trend[-1][2].startswith(f"{good}% (") and trend[-2][2].startswith("50% (1 of 2;")  # Q2's moderated grade counts too
    teams = table(document, ["Team", "Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Good or better"])
    assert sum(int(row[5]) for row in teams) == len(CCRS_Q3)
    assert {row[0]: int(row[4]) for row in teams} == {"Assessment": 0, "Child protection": grades["Inadequate"]}
    # Inadequate: the summary figure, the grade table, the list of inadequate reviews and the key message.
    inadequate = overall["Inadequate"]
    listed = table(document, ["Child ID", "Team", "Level of need", "Reviewer", "Grade", "Moderated"])
    assert note.endswith(f"; {inadequate} inadequate (section 3)") and len(listed) == inadequate == 1
    assert listed[0][0] == "C3003" and listed[0][4:] == ["Inadequate", "Yes"]
    assert "Assure DLT that the one child whose practice was graded inadequate was safe at the time" in paragraphs(document)
    assert f"and {inadequate} ({round(100 * inadequate / len(CCRS_Q3))}%) inadequate" in quarter["report"]["front"]["judgement"]
    assert trend[-1][3].startswith(f"{round(100 * inadequate / len(CCRS_Q3))}% ({inadequate} of {len(CCRS_Q3)};")
    # The reviewer's own grade appears only in the moderation section.
    changed = table(document, ["Child ID", "Team", "Reviewer", "Reviewer's grade", "Moderated grade", "Moderator"])
    assert {(row[0], row[3], row[4]) for row in changed} == {(c, g, m) for c, _, _, g, m in CCRS_Q3 if m and m != g}
    drafts = {d["area"]: d["activity"] for d in report["service_areas"]}
    early = [row for row in CCRS_Q3 if row[2] == "Early help"]
    assert (f"Collaborative case reviews of children at early help: {len(early)}; "
            f"{sum(record(r[3], r[4]) in GRADES[:2] for r in early)} good or better") in drafts["Early help"]


def test_returns_unreturned_forms_and_actions_agree(quarter):
    status, report, document = quarter["status"], quarter["report"], quarter["docx"]
    sources = table(document, ["Ref", "Form", "Completed by", "Received", "Child ID"])
    assert status["returns"] == len(report["sources"]) == len(sources) == int(figure(document, "QA returns received")[0])
    unreturned = [row[0] for row in table(document, ["Issue", "Form", "Child ID", "Issued on"])]
    assert [u["issue_id"] for u in status["unreturned"]] == [u["issue_id"] for u in report["activity"]["unreturned"]] == unreturned
    assert len(unreturned) == 2
    actions = report["actions"]
    rows = list(quarter["ledger"]["Actions"].iter_rows(values_only=True))[1:]
    statuses = Counter(row[8] for row in rows)
    assert len(rows) == len(actions["all_actions"]) == actions["raised"] + actions["carried_forward"]
    assert (statuses["Open"] + statuses["Overdue"], statuses["Overdue"], statuses["Completed"]) == (
        actions["open"], actions["overdue"], actions["completed"])
    assert table(document, ["Raised this quarter", "Carried forward", "Completed", "Open", "Overdue"]) == [
        [str(actions[k]) for k in ("raised", "carried_forward", "completed", "open", "overdue")]]


def test_no_file_name_reaches_the_report_or_status_and_the_admin_can_look_each_up(quarter):
    document = quarter["docx"]
    texts = [paragraphs(document), json.dumps(quarter["report"]["practice"]), json.dumps(quarter["status"]),
             quarter["status_text"], "\n".join(cell.text for t in document.tables for row in t.rows for cell in row.cells),
             json.dumps({k: v for k, v in quarter["report"].items() if k != "files"})]
    for name in [*FILE_NAMES, "Return 2 for Hana.docx", "My dip sample Tara Manager.xlsx", "Hana summary final.docx"]:
        assert not [text for text in texts if Path(name).stem in text], name
    mapping = quarter["files"]["files"]
    assert {mapping[r["ref"]] for r in quarter["status"]["rejections"]} == set(FILE_NAMES)
    assert {row[0] for row in table(document, ["Ref", "Form", "Completed by", "Received", "Child ID"])} == {
        ref for ref in mapping if ref.startswith("S-")}
    assert "files" not in quarter["status"]


def test_the_plan_rules_and_deadline_say_the_same_everywhere(quarter):
    status, activity, document = quarter["status"], quarter["report"]["activity"], quarter["docx"]
    plan = table(document, ["Planned", "Activity", "Status", "Theme", "RAG"])
    assert len(status["plan"]) == len(activity["plan"]) == len(plan) == 6  # the example plan's Q3 (Appendix 7)
    assert [(p["status"], p["rag"]) for p in status["plan"]] == [(p["status"], p["rag"]) for p in activity["plan"]] == [
        (row[2], row[4]) for row in plan]
    assert [line for line in quarter["status_text"].splitlines() if line.startswith("Activity against the QA plan")] == [
        "Activity against the QA plan (6 planned this quarter)"]
    assert status["deadline"]["explanation"] == activity["deadline"]
    assert status["deadline"]["explanation"] in paragraphs(document)
    assert [late["ref"] for late in status["deadline"]["late"]] == [late["ref"] for late in activity["late"]]
    assert status["method"] == activity["method"][1:] and status["method"][0] in paragraphs(document)
    # Every person line of an Appendix 6 rule names its rule and reference, in status and (when owed) in the report.
    ruled = [p for p in status["people"] if p["rule"]]
    assert ruled and all(p["reference"].startswith("Appendix 6") for p in ruled)
    owed = {(p["person"], p["activity"]) for p in ruled if p["outstanding"]}
    assert owed <= {(p["name"], p["activity"]) for p in activity["people"]}


def test_the_rendered_report_does_not_contradict_itself(quarter):
    from report_checks import contradictions

    assert contradictions(quarter["report"]["files"]["report"], [p.name for p in ROSTER]) == []

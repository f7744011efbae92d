"""Compliance against the framework's minimums, for a known quarter built in code, and `qa status`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json

import pytest
from click.testing import CliRunner

from pipeline.admin import Person, Role, load_targets, write_roster
from pipeline.cli import cli
from pipeline.compliance import CcrSpread, Tally, UnknownName, assess, assess_quarter
from pipeline.quarter import Quarter
from pipeline.spec import Catalogue
from pipeline.store import IssuedForm
from pipeline.validate import Submission
from pipeline.workspace import BUILTIN_SPECS

Q3 = Quarter.from_label("2022-23-Q3")
SPECS = Catalogue.load(BUILTIN_SPECS)
CHILD_NAME = "Kayleigh Secretname"  # on a CCR; must never appear in status output

ROSTER = [
    Person("Dee Director", Role.DCS, "Directorate", None, dt.date(2019, 1, 7)),
    Person("Alan Assistant", Role.AD, "Directorate", "Dee Director", None),
    Person("Hana Head", Role.HEAD_OF_SERVICE, "Children in need", "Alan Assistant", None),
    Person("Hugo Head", Role.HEAD_OF_SERVICE, "Protection and safeguarding", "Alan Assistant", None),
    Person("Tara Manager", Role.TEAM_MANAGER, "Assessment", "Hana Head", None),
    Person("Tim Manager", Role.TEAM_MANAGER, "Child protection", "Hugo Head", None),
    Person("Sam Worker", Role.SOCIAL_WORKER, "Assessment", "Tara Manager", None),
    Person("Sue Worker", Role.SOCIAL_WORKER, "Assessment", "Tara Manager", None),
    Person("Sid Worker", Role.SOCIAL_WORKER, "Child protection", "Tim Manager", dt.date(2021, 5, 4)),
    Person("Nina New", Role.SOCIAL_WORKER, "Child protection", "Tim Manager", dt.date(2023, 1, 9)),  # starts in Q4
    Person("Ivy Reviewer", Role.IRO, "Safeguarding unit", "Hugo Head", None),
    Person("Pat Principal", Role.PSW, "Quality assurance", "Hana Head", None),
]

_serial = itertools.count(1)


def save(store, form: str, values: dict, groups: dict | None = None, variant: str | None = None, issue_id: str | None = None) -> None:
    """Store an accepted submission the way ingest does."""
    number = next(_serial)
    submission = Submission(form=form, variant=variant, version=1, values=values, groups=groups or {}, issue_id=issue_id,
                            spec=SPECS.get(form, variant))
    store.save(submission, file=f"{form}-{number}.docx", sha256=f"{number:064x}", claim=f"claim-{number}",
               destination=f"archive/{values.get('quarter')}/{form}-{number}.docx")


def children(*ids: str, team: str = "Assessment") -> dict:
    return {"children": [{"child_id": child, "team": team, "level_of_need": "Child in need", "compliant": "Yes",
                          "finding": "Plan is clear."} for child in ids]}


def issue(store, issue_id: str, form: str, quarter: str, assignee: str, child_id: str | None = None) -> None:
    store.record_issue(IssuedForm(issue_id, form, None, quarter, assignee, child_id, f"{quarter[:4]}-11-01T09:00:00",
                                  f"outbox/issued/{issue_id}.docx"))


@pytest.fixture
def quarter(store):
    """2022-23-Q3 with a known mix of returns, gaps, rejections and unreturned issued forms (Q1–Q2 for the year)."""
    q1, q2, q3 = "2022-23-Q1", "2022-23-Q2", "2022-23-Q3"
    # Head of Service summaries: Hana's returned against its issued copy; Hugo's is issued and outstanding.
    issue(store, "Q3-HOS-A", "hos_summary", q3, "Hana Head")
    issue(store, "Q3-HOS-B", "hos_summary", q3, "Hugo Head")
    issue(store, "Q3-CCR-C", "ccr", q3, "Tara Manager", "C999")
    issue(store, "Q2-HOS-D", "hos_summary", q2, "Hugo Head")  # an earlier quarter: not listed for Q3
    save(store, "hos_summary", {"quarter": q3, "completed_by": "Hana Head", "service": "CIN"}, issue_id="Q3-HOS-A")
    # IRO / CP chairs' report, and another area's summary that does not count for it.
    save(store, "service_summary", {"quarter": q3, "completed_by": "Ivy Reviewer", "area_of_service": "Safeguarding unit (IRO / CP chairs)"})
    save(store, "service_summary", {"quarter": q3, "completed_by": "Hana Head", "area_of_service": "Early help"})
    # Dip samples: Tara 10 children; Tim 8 (one child entered twice); the PSW 5; the heads none.
    save(store, "dip_sample", {"quarter": q3, "completed_by": "Tara Manager", "auditor": "Tara Manager"},
         children(*(f"A{n:03d}" for n in range(10))), variant="networks_contingency")
    save(store, "dip_sample", {"quarter": q3, "completed_by": "Tim Manager", "auditor": "Tim Manager"},
         children(*(f"B{n:03d}" for n in range(8)), "B000", team="Child protection"))
    save(store, "dip_sample", {"quarter": q3, "completed_by": "Pat Principal", "auditor": "Pat Principal"},
         children(*(f"P{n:03d}" for n in range(5))))
    # Observations over the year: Sam (Q1), Tara (Q2), Sid (Q3) by their line managers; Sue only by the AD.
    for quarter_label, observer, practitioner, day in [
        (q1, "Tara Manager", "Sam Worker", dt.date(2022, 5, 10)),
        (q2, "Hana Head", "Tara Manager", dt.date(2022, 8, 2)),
        (q3, "Tim Manager", "Sid Worker", dt.date(2022, 11, 14)),
        (q3, "Alan Assistant", "Sue Worker", dt.date(2022, 12, 1)),
        (q3, "Tara Manger", "Sam Worker", dt.date(2022, 12, 5)),  # misspelt: counts for no one
    ]:
        save(store, "observation", {"quarter": quarter_label, "completed_by": observer, "observer": observer,
                                    "practitioner": practitioner, "observation_date": day, "child_id": "C100", "nature": "Visit"})
    # Supervision audits: Hana of Tara's supervision (Q2), Alan of Hana's (Q3).
    save(store, "supervision_audit", {"quarter": q2, "completed_by": "Hana Head", "auditor": "Hana Head",
                                      "supervisor": "Tara Manager", "supervisee": "Sam Worker"})
    save(store, "supervision_audit", {"quarter": q3, "completed_by": "Alan Assistant", "auditor": "Alan Assistant",
                                      "supervisor": "Hana Head", "supervisee": "Tara Manager"})
    # Thematic audits: one in Q2; one theme in Q3 done by two auditors.
    save(store, "thematic_audit", {"quarter": q2, "completed_by": "Pat Principal", "auditor": "Pat Principal",
                                   "theme": "Children missing from home"}, children("M001", "M002"))
    for auditor in ("Tara Manager", "Tim Manager"):
        save(store, "thematic_audit", {"quarter": q3, "completed_by": auditor, "auditor": auditor,
                                       "theme": "Quality of visits / voice of the child"},
             children(f"{auditor[:1]}V1", f"{auditor[:1]}V2", f"{auditor[:1]}V3"), variant="quality_of_visits")
    # CCRs: five children (one reviewed twice), no Early help or Care leaver child; a child's name on one.
    for child, level, team, reviewer in [
        ("C001", "Child in need", "Assessment", "Hana Head"), ("C002", "Child in need", "Assessment", "Pat Principal"),
        ("C003", "Child protection", "Child protection", "Hugo Head"), ("C004", "Child protection", "Child protection", "Hugo Head"),
        ("C005", "Child we look after", "Assessment", "Pat Principal"), ("C005", "Child we look after", "Assessment", "Hana Head"),
    ]:
        save(store, "ccr", {"quarter": q3, "completed_by": reviewer, "reviewer": reviewer, "child_id": child,
                            "child_name": CHILD_NAME, "level_of_need": level, "team": team,
                            "social_worker": "Sam Worker", "team_manager": "Tara Manager"})
    # Feedback: one forum, one individual child (does not count as forum feedback); no staff feedback.
    save(store, "child_family_feedback", {"quarter": q3, "completed_by": "Pat Principal", "source": "Children in care council"})
    save(store, "child_family_feedback", {"quarter": q3, "completed_by": "Ivy Reviewer", "source": "Child or young person", "child_id": "C001"})
    # Rejected files: a CCR whose quarter is only in its name, a dip sample, and an earlier quarter's CCR.
    store.log(file="ccr-2022-23-Q3-Tara.docx", claim="r1", sha256=None, status="rejected", form="ccr", problems=["Overall grade: required"])
    store.log(file="dip.xlsx", claim="r2", sha256=None, status="rejected", form="dip_sample/networks_contingency", quarter=q3)
    store.log(file="ccr-2022-23-Q2-Tara.docx", claim="r3", sha256=None, status="rejected", form="ccr")
    store.log(file="obs.docx", claim="r4", sha256=None, status="rejected", form="observation", quarter=q3)
    return store


@pytest.fixture
def targets():
    # A smaller CCR minimum keeps the fixture readable; everything else is the shipped framework minimums.
    return dataclasses.replace(load_targets(None), ccr_children_per_quarter=5)


def test_activity_lines_count_received_rejected_outstanding_and_rag(quarter, targets):
    result = assess(Q3, quarter, ROSTER, targets, SPECS)
    assert [(a.key, a.minimum, a.received, a.counted, a.rejected, a.outstanding, a.rag) for a in result.activities][:10] == [
        ("hos_summary", 2, 1, 1, 0, 1, "Red"),
        ("safeguarding_report", 1, 1, 1, 0, 0, "Green"),
        # Appendix 6: the PSW dip-samples too (Pat's 5 count); Tim entered one child twice: 23 of 50, 27 outstanding.
        ("dip_sample", 50, 23, 23, 1, 27, "Red"),
        ("line_manager_observation", 3, 3, 3, 1, 0, "Green"),  # the form's rejections are shown once
        ("ad_observation", 1, 1, 1, 0, 0, "Green"),
        ("dcs_observation", 0, 0, 0, 0, 0, "Green"),
        ("supervision_audit", 3, 2, 2, 0, 1, "Red"),
        ("thematic_audit", 1, 1, 1, 0, 0, "Green"),
        ("thematic_audit_year", 3, 2, 2, 0, 1, "Red"),
        ("ccr", 5, 5, 5, 1, 0, "Amber"),
    ]
    assert all(a.outstanding == max(0, a.minimum - a.counted) for a in result.activities)
    lines = {a.key: a for a in result.activities}
    assert lines["hos_summary"].explanation == (
        "1 of 2 Heads of service returned their summary (§4.2: 1 a quarter each). Still to come: Hugo Head.")
    assert lines["dip_sample"].explanation == (
        "1 of 5 auditing managers reached 10 children (§5.1); 23 children sampled in all.")
    assert lines["line_manager_observation"].explanation == (
        "Every practitioner and team manager is observed by their line manager once a year (§6.4). Judged pro rata: "
        "by the end of 2022-23-Q3 (3 of 4 quarters) 3 of the 5 observations of practitioners and team managers by "
        "their line managers are due (rounded down); 3 done in April–December 2022. 2 still to do by 31/03/2023.")
    assert lines["ccr"].explanation == (
        "5 children reviewed (§9: at least 5 a quarter, across levels of need and teams) by 3 reviewer(s). "
        "No review yet for level of need Early help and Care leaver.")
    assert lines["thematic_audit_year"].explanation == (
        "At least 4 thematic audits a year (§8.2), judged pro rata: by the end of 2022-23-Q3 3 are due (rounded down); "
        "2 done in April–December 2022: Q2 'Children missing from home' and Q3 'Quality of visits / voice of the child'.")
    assert (lines["line_manager_observation"].period, lines["line_manager_observation"].span) == ("year to date", "April–December 2022")


def test_person_lines_say_who_owes_what(quarter, targets):
    result = assess(Q3, quarter, ROSTER, targets, SPECS)
    assert [(p.person, p.activity_key, p.subject, p.done, p.required, p.outstanding, p.rag, p.due)
            for p in result.outstanding_people()] == [
        ("Alan Assistant", "supervision_audit", "Hugo Head", 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Alan Assistant", "thematic_by_person", None, 0, 1, 1, "Red", dt.date(2022, 12, 31)),
        ("Dee Director", "dcs_observation", None, 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Dee Director", "supervision_audit", "Alan Assistant", 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Dee Director", "thematic_by_person", None, 0, 1, 1, "Red", dt.date(2022, 12, 31)),
        ("Hana Head", "dip_sample", None, 0, 10, 10, "Red", dt.date(2022, 12, 31)),
        ("Hugo Head", "hos_summary", None, 0, 1, 1, "Red", dt.date(2022, 12, 31)),
        ("Hugo Head", "dip_sample", None, 0, 10, 10, "Red", dt.date(2022, 12, 31)),
        ("Hugo Head", "line_manager_observation", "Tim Manager", 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Hugo Head", "supervision_audit", "Tim Manager", 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Ivy Reviewer", "ccr_by_person", None, 0, 1, 1, "Red", dt.date(2022, 12, 31)),
        ("Pat Principal", "dip_sample", None, 5, 10, 5, "Red", dt.date(2022, 12, 31)),
        ("Pat Principal", "thematic_by_person", None, 0, 1, 1, "Red", dt.date(2022, 12, 31)),
        ("Tara Manager", "line_manager_observation", "Sue Worker", 0, 1, 1, "Amber", dt.date(2023, 3, 31)),
        ("Tim Manager", "dip_sample", None, 8, 10, 2, "Amber", dt.date(2022, 12, 31)),
    ]
    sue = next(p for p in result.people if p.subject == "Sue Worker")
    assert sue.explanation == ("Sue Worker (Social worker, Assessment) not yet observed by their line manager in "
                               "April–December 2022; due by 31/03/2023. Observed this year by Alan Assistant, "
                               "which does not count for the line manager.")
    done = {(p.person, p.activity_key, p.subject): p for p in result.people if not p.outstanding}
    assert done[("Tara Manager", "line_manager_observation", "Sam Worker")].explanation == (
        "Observed Sam Worker (Social worker, Assessment) on 10/05/2022.")
    assert done[("Hugo Head", "safeguarding_report", None)].rag == "Green"
    assert done[("Pat Principal", "thematic_audit", None)].done == 1
    # Nina starts in Q4: nobody owes her an observation in Q3; Pat supervises no one: no audit of Pat is owed.
    assert not [p for p in result.people if p.subject in ("Nina New", "Pat Principal", "Sam Worker") and p.activity_key == "supervision_audit"]
    assert not [p for p in result.people if p.subject == "Nina New"]


def test_ccr_spread_unreturned_forms_and_unknown_names(quarter, targets):
    result = assess(Q3, quarter, ROSTER, targets, SPECS)
    assert result.ccr_spread == CcrSpread(
        by_level_of_need=[Tally("Early help", 0), Tally("Child in need", 2), Tally("Child protection", 2),
                          Tally("Child we look after", 1), Tally("Care leaver", 0)],
        by_team=[Tally("Assessment", 3), Tally("Child protection", 2)],
        missing_levels=["Early help", "Care leaver"], missing_teams=[],
    )
    assert [(i.issue_id, i.assignee, i.child_id) for i in result.unreturned] == [
        ("Q3-HOS-B", "Hugo Head", None), ("Q3-CCR-C", "Tara Manager", "C999"),
    ]
    assert result.unknown_names == [UnknownName("Tara Manger", "observation", "Completed by", 1),
                                    UnknownName("Tara Manger", "observation", "Name of observer", 1)]


def test_supervision_audits_can_be_owed_for_everyone_managed(quarter, targets):
    everyone = dataclasses.replace(targets, supervision_audit_only_supervisors=False)
    result = assess(Q3, quarter, ROSTER, everyone, SPECS)
    audit = next(a for a in result.activities if a.key == "supervision_audit")
    assert (audit.minimum, audit.received, audit.outstanding, audit.rag) == (7, 2, 5, "Red")
    owed = [(p.person, p.subject) for p in result.people if p.activity_key == "supervision_audit" and p.outstanding]
    assert owed == [("Alan Assistant", "Hugo Head"), ("Dee Director", "Alan Assistant"), ("Hana Head", "Pat Principal"),
                    ("Hugo Head", "Ivy Reviewer"), ("Hugo Head", "Tim Manager"), ("Tara Manager", "Sam Worker"),
                    ("Tara Manager", "Sue Worker"), ("Tim Manager", "Sid Worker")]


def test_a_year_end_quarter_turns_unmet_annual_obligations_red(quarter, targets):
    result = assess(Quarter.from_label("2022-23-Q4"), quarter, ROSTER, targets, SPECS)
    observation = next(a for a in result.activities if a.key == "line_manager_observation")
    # Nina has started by Q4, so six people are owed an observation and all six are due by now.
    assert (observation.minimum, observation.received, observation.outstanding, observation.rag) == (6, 3, 3, "Red")
    assert [p.rag for p in result.people if p.activity_key == "line_manager_observation" and p.outstanding] == ["Red", "Red", "Red"]


def test_an_empty_quarter_owes_everything_and_still_reports(store, targets):
    result = assess(Q3, store, ROSTER, targets, SPECS)
    # Nothing owed yet: the DCS's six-monthly observation, and the ASYE supervision dip sample (no ASYE on the roster).
    assert {a.key: a.rag for a in result.activities if a.rag != "Red"} == {"dcs_observation": "Green",
                                                                           "supervision_dip_sample": "Green"}
    assert result.unreturned == [] and result.unknown_names == []


def test_assessment_is_deterministic_and_never_names_a_child(quarter, targets):
    first = assess(Q3, quarter, ROSTER, targets, SPECS).as_dict()
    shuffled = assess(Q3, quarter, list(reversed(ROSTER)), targets, SPECS).as_dict()
    assert first == shuffled
    text = json.dumps(first)
    assert CHILD_NAME not in text and "Kayleigh" not in text
    assert (first["people"][0]["activity_key"], first["people"][0]["due"]) == ("ad_observation", "2022-12-31")


# --- qa status ----------------------------------------------------------------------------------------


def run(workspace, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args], catch_exceptions=False)


def test_status_without_a_roster_tells_the_admin_what_to_do(workspace):
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert result.exit_code == 1, result.output
    assert result.output == ("Error: No staff roster: admin/roster.xlsx does not exist. Run 'qa init' to write an example "
                             "roster to edit, or save your roster there (sheet 'Staff' with the headings Name, Role, Team, "
                             "Line manager, Start date).\n")


def test_status_prints_the_rag_table_who_owes_what_and_unreturned_forms(workspace, quarter):
    write_roster(workspace.roster_path, ROSTER)
    workspace.targets_path.write_text("ccr: {children_per_quarter: 5}\n", encoding="utf-8")
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "QA activity against the framework's minimums: 2022-23-Q3 (October–December 2022)"
    assert "Head of Service summaries        October–December 2022        2        1       1        0           1  Red" in lines
    assert "Dip sampling                     October–December 2022       50       23      23        1          27  Red" in lines
    assert "Collaborative case reviews       October–December 2022        5        5       5        1           0  Amber" in lines
    assert "  Hugo Head (Head of service, Protection and safeguarding)" in lines
    assert "    Red   Head of Service summaries: No summary yet for 2022-23-Q3; due by 31/12/2022." in lines
    assert "  Q3-CCR-C  ccr — Tara Manager, child C999, issued 2022-11-01" in lines
    assert "  'Tara Manger': observation, Name of observer (1)" in lines
    assert ("Rejected files (3: 0 resolved by a corrected resubmission, 3 outstanding; the reasons are in the note "
            "beside each file in rejected/)") in lines
    assert "Kayleigh" not in result.output and "ccr-2022-23-Q3-Tara.docx" not in result.output


def test_status_json_is_the_compliance_data(workspace, quarter):
    write_roster(workspace.roster_path, ROSTER)
    workspace.targets_path.write_text("ccr: {children_per_quarter: 5}\n", encoding="utf-8")
    result = run(workspace, "status", "--quarter", "2022-23-Q3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data.pop("moderation")) == {"as_of", "counts", "items"}  # the moderation queue: test_moderation.py
    targets = dataclasses.replace(load_targets(None), ccr_children_per_quarter=5)
    assert data == assess_quarter(quarter, Q3, ROSTER, targets, SPECS).as_dict()
    assert data["activities"][0] == {
        "key": "hos_summary", "activity": "Head of Service summaries", "section": "§4.2", "form": "hos_summary",
        "period": "quarter", "span": "October–December 2022", "unit": "summaries", "minimum": 2, "received": 1,
        "counted": 1, "rejected": 0, "outstanding": 1, "rag": "Red",
        "explanation": "1 of 2 Heads of service returned their summary (§4.2: 1 a quarter each). Still to come: Hugo Head.",
    }
    assert "Kayleigh" not in result.output


def test_status_reports_a_bad_roster_row_and_a_bad_quarter(workspace):
    write_roster(workspace.roster_path, [*ROSTER, Person("Zed Nobody", Role.SOCIAL_WORKER, "Assessment", "Ghost Manager", None)])
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert result.exit_code == 1
    assert result.output == ("Error: roster.xlsx · sheet 'Staff' row 14: Line manager 'Ghost Manager' is not in the Name "
                             "column. Add them to the roster, or correct the spelling to match their row.\n")
    result = run(workspace, "status", "--quarter", "2022-Q3")
    assert result.exit_code == 2
    assert "'2022-Q3' is not a quarter like 2022-23-Q3. Write it as 2022-23-Q3 (Q1 = April to June)." in result.output


def test_init_then_status_works_on_the_example_workspace(workspace):
    assert run(workspace, "init").exit_code == 0
    result = run(workspace, "status", "--quarter", "2022-23-Q3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # 20 social workers, 2 ASYEs and 5 team managers, less Emily Dunn who starts in January: 26 owed an observation.
    observation = next(a for a in data["activities"] if a["key"] == "line_manager_observation")
    assert (observation["minimum"], observation["received"], observation["rag"]) == (19, 0, "Red")
    dip = next(a for a in data["activities"] if a["key"] == "dip_sample")
    assert dip["minimum"] == 100  # 4 heads of service, 5 team managers and the PSW, 10 children each


# --- rejections: the quarter they count in, and resolution by a corrected resubmission ---------------


@pytest.mark.parametrize(("quarter_read", "file", "at", "counted_in"), [
    ("2022-23-Q2", "inbox-2022-23-Q3/ccr.docx", "2023-01-05T10:00:00", "2022-23-Q2"),  # read from the file: that quarter
    (None, "2022-23-Q3/Old notes.doc", "2023-01-05T10:00:00", "2022-23-Q3"),  # written in its folder or name
    (None, "Old notes.doc", "2023-01-05T10:00:00", "2022-23-Q4"),  # else the quarter it arrived in
])
def test_a_rejection_counts_in_one_quarter(quarter_read, file, at, counted_in):
    from pipeline.compliance import rejection_quarter
    from pipeline.store import LogEntry

    assert rejection_quarter(LogEntry(at, file, "rejected", None, quarter_read, [], None)) == counted_in


def test_a_corrected_resubmission_without_an_issue_id_resolves_its_rejection(workspace, catalogue):
    from filling import fill

    from pipeline.ingest import note_path

    write_roster(workspace.roster_path, ROSTER)
    spec = catalogue.get("hos_summary")
    values = {"quarter": "2022-23-Q3", "completed_by": "Hana Head", "service": "Children in need", "completed_on": dt.date(2022, 11, 1),
              "activity_undertaken": "Panels.", "working_well": "Visits.", "worried_about": "Drift.", "needs_to_happen": "Training.",
              "working_well_theme": "Quality of visits", "worried_about_theme": "Drift and delay",
              "edi_evaluation": "Considered.", "learning": "None."}
    (workspace.inbox / "Hana summary.docx").write_bytes(fill(spec, {**values, "working_well": None}))
    (workspace.inbox / "Hana other service.docx").write_bytes(fill(spec, {**values, "service": "Fostering", "working_well": None}))
    assert run(workspace, "ingest").exit_code == 0
    (workspace.inbox / "Hana summary fixed.docx").write_bytes(fill(spec, values))
    assert run(workspace, "ingest").exit_code == 0
    data = json.loads(run(workspace, "status", "--quarter", "2022-23-Q3", "--json", "--files").output)
    assert data["rejected"] == {"total": 2, "resolved": 1, "outstanding": 1}
    by_file = {data["files"][r["ref"]]: r for r in data["rejections"]}
    fixed = by_file["Hana summary.docx"]["resolved_by"]
    assert data["files"][fixed] == "Hana summary fixed.docx"
    assert by_file["Hana other service.docx"]["resolved_by"] is None  # another service: not the same return
    note = note_path(workspace.rejected / "Hana summary.docx").read_text(encoding="utf-8")
    assert note.endswith(f"was accepted as submission {fixed}. Nothing more is needed for this file.\n")
    assert "Resolved" not in note_path(workspace.rejected / "Hana other service.docx").read_text(encoding="utf-8")
    hos = next(line for line in data["activities"] if line["key"] == "hos_summary")
    assert (hos["received"], hos["rejected"]) == (1, 1)  # the resolved rejection is not counted as outstanding
    text = run(workspace, "status", "--quarter", "2022-23-Q3", "--files").output
    assert f"  {fixed}  Hana summary fixed.docx" in text.splitlines()


def test_a_correction_stored_before_rejections_could_be_resolved_is_found_at_the_next_ingest(workspace, catalogue):
    from filling import fill

    from pipeline.ingest import examine, note_path
    from pipeline.store import Store

    write_roster(workspace.roster_path, ROSTER)
    spec = catalogue.get("hos_summary")
    values = {"quarter": "2022-23-Q3", "completed_by": "Hugo Head", "service": "Protection", "completed_on": dt.date(2022, 11, 1),
              "activity_undertaken": "Panels.", "working_well": "Visits.", "worried_about": "Drift.", "needs_to_happen": "Training.",
              "working_well_theme": "Quality of visits", "worried_about_theme": "Drift and delay",
              "edi_evaluation": "Considered."}
    (workspace.inbox / "Hugo summary.docx").write_bytes(fill(spec, {**values, "working_well": None}))
    assert run(workspace, "ingest").exit_code == 0
    # An older version stored the correction without looking for the rejection it resolves.
    corrected = examine("Hugo summary v2.docx", fill(spec, values), catalogue).submission
    with Store(workspace.store_path) as store:
        store.save(corrected, file="Hugo summary v2.docx", sha256="f" * 64, claim="old-claim", destination="archive/old.docx")
    (workspace.inbox / "Hana summary.docx").write_bytes(fill(spec, {**values, "completed_by": "Hana Head", "service": "CIN"}))
    assert run(workspace, "ingest").exit_code == 0
    data = json.loads(run(workspace, "status", "--quarter", "2022-23-Q3", "--json", "--files").output)
    (rejection,) = data["rejections"]
    assert data["files"][rejection["resolved_by"]] == "Hugo summary v2.docx"
    note = note_path(workspace.rejected / "Hugo summary.docx").read_text(encoding="utf-8")
    assert "the corrected file 'Hugo summary v2.docx' was accepted as submission" in note


def test_a_large_rejected_file_is_matched_by_its_issue_id_alone(workspace, catalogue, monkeypatch):
    from answers import full_answers

    from pipeline import resolution
    from pipeline.issue import issue_form
    from pipeline.store import Store
    from pipeline.templates.docx_fill import fill_docx

    monkeypatch.setattr(resolution, "FULL_READ_LIMIT", 0)  # every rejected file counts as large
    write_roster(workspace.roster_path, ROSTER)
    spec = catalogue.get("ccr")
    with Store(workspace.store_path) as store:
        issued = issue_form(catalogue, store, "ccr", "2022-23-Q3", "Hana Head", workspace.outbox / "issued", None, "C777").read_bytes()
    values, groups = full_answers(spec, 1)
    values.update(quarter="2022-23-Q3", completed_by="Hana Head", reviewer="Hana Head", child_id="C777")
    values.update({item.id: dt.date(2022, 11, 2) for item in spec.fields() if item.type == "date"})
    groups["actions"][0]["due_date"] = dt.date(2022, 12, 2)
    (workspace.inbox / "first.docx").write_bytes(fill_docx(issued, spec, {**values, "overall_grade": None}, groups))
    assert run(workspace, "ingest").exit_code == 0
    (workspace.inbox / "second.docx").write_bytes(fill_docx(issued, spec, values, groups))
    assert run(workspace, "ingest").exit_code == 0
    data = json.loads(run(workspace, "status", "--quarter", "2022-23-Q3", "--json", "--files").output)
    assert [data["files"][r["resolved_by"]] for r in data["rejections"]] == ["second.docx"]

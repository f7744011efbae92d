"""Appendix 6 cell by cell, the QA plan against what happened, and the quarter's deadline — a quarter built in code.

Everything is asserted where a QA lead reads it: `qa status --json`, `qa status`, `qa report --json`
and the text of the rendered .docx.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.store import base as store_base
from pipeline.admin import Person, PlanEntry, Role, write_plan, write_roster
from pipeline.cli import cli
from pipeline.spec import Catalogue
from pipeline.store import IssuedForm, Store
from pipeline.validate import Submission

Q3 = "2022-23-Q3"
ROSTER = [
    Person("Dee Director", Role.DCS, "Directorate", None, None),
    Person("Alan Assistant", Role.AD, "Directorate", "Dee Director", None),
    Person("Hana Head", Role.HEAD_OF_SERVICE, "Children in need", "Alan Assistant", None),
    Person("Tara Manager", Role.TEAM_MANAGER, "Assessment", "Hana Head", None),
    Person("Sam Worker", Role.SOCIAL_WORKER, "Assessment", "Tara Manager", None),
    Person("Ava Newly", Role.ASYE, "Assessment", "Tara Manager", dt.date(2022, 9, 5)),
    Person("Pat Principal", Role.PSW, "Quality assurance", "Hana Head", None),
    Person("Kim Advanced", Role.IMPROVEMENT_AP, "Improvement team", "Pat Principal", None),
    Person("Ivy Reviewer", Role.IRO, "Safeguarding unit", "Hana Head", None),
    Person("Carl Chair", Role.CP_CHAIR, "Safeguarding unit", "Hana Head", None),
]
PLAN = [
    # Done in its week, on the planned theme: Green.
    PlanEntry(dt.date(2022, 10, 1), dt.date(2022, 10, 10), "Dip sampling", "Networks and contingency planning",
              "HoS / TM", None, None),
    # Returned two weeks after its week: late, Amber.
    PlanEntry(dt.date(2022, 11, 1), dt.date(2022, 11, 7), "Thematic audit", "Quality of visits / voice of the child",
              "TM / Improvement team", None, None),
    # No observation returned at all: not done, Red.
    PlanEntry(dt.date(2022, 11, 1), dt.date(2022, 11, 14), "Observation of practice", "", "AD / HoS", None, None),
    # A CCR week with reviews returned in it, but on a theme no form has: did-you-mean when the plan is read.
    PlanEntry(dt.date(2022, 12, 1), dt.date(2022, 12, 5), "Collaborative case review", "", "HoS / PSW", None, None),
    PlanEntry(dt.date(2022, 12, 1), dt.date(2022, 12, 12), "Dip sampling", "Networks and contingncy plans", "TM", None, None),
    # The meetings the quarter reports to (Appendix 8): SLT in the week of 9 January, DLT on 25 January.
    PlanEntry(dt.date(2023, 1, 1), dt.date(2023, 1, 16), "DLT reporting", "", "AD", dt.date(2023, 1, 25), None,
              slt_date=dt.date(2023, 1, 9)),
]
_serial = itertools.count(1)


@pytest.fixture
def quarter(workspace, monkeypatch):
    """2022-23-Q3 with each rule met by someone, short for someone, and missed by someone."""
    specs = Catalogue.load(workspace.specs)
    write_roster(workspace.roster_path, ROSTER)
    write_plan(workspace.plan_path, PLAN)
    workspace.targets_path.write_text('observation: {dcs_follows: "Appendix 6"}\n', encoding="utf-8")
    received = {"at": "2022-12-20T10:00:00"}
    monkeypatch.setattr(store_base.Store, "_now", lambda self: received["at"])

    def save(form: str, answers: dict, groups: dict | None = None, variant: str | None = None) -> None:
        """Store an accepted return the way ingest does; *answers* by field role."""
        number = next(_serial)
        spec = specs.get(form, variant)
        values = {spec.role_field(role).id: value for role, value in {"quarter": Q3, **answers}.items()}
        submission = Submission(form=form, variant=variant, version=1, values=values,
                                groups=groups or {}, issue_id=None, spec=spec)
        store.save(submission, file=f"{form}-{number}.docx", sha256=f"{number:064x}", claim=f"claim-{number}",
                   destination=f"archive/{Q3}/{form}-{number}.docx")

    with Store(workspace.store_path) as store:
        save("dip_sample", {"author": "Tara Manager", "auditor": "Tara Manager", "completed_on": dt.date(2022, 10, 12)},
             {"children": [{"child_id": f"A{n}", "team": "Assessment", "level_of_need": "Child in need"} for n in range(10)]},
             variant="networks_contingency")
        for auditor in ("Pat Principal", "Tara Manager"):  # thematic: met by the PSW and the team manager, late
            save("thematic_audit", {"author": auditor, "auditor": auditor, "completed_on": dt.date(2022, 11, 21),
                                    "theme": "Quality of visits / voice of the child"}, variant="quality_of_visits")
        for reviewer, child in (("Pat Principal", "C1"), ("Ivy Reviewer", "C2"), ("Hana Head", "C3")):  # CCRs
            save("ccr", {"author": reviewer, "reviewer": reviewer, "child_id": child, "level_of_need": "Child in need",
                         "team": "Assessment", "completed_on": dt.date(2022, 12, 6)})
        # ASYE supervision: the PSW 3 each month (met); the AP 3, 3 and 1 (7 of 9: amber).
        for auditor, counts in (("Pat Principal", (3, 3, 3)), ("Kim Advanced", (3, 3, 1))):
            for month, count in zip((10, 11, 12), counts):
                for n in range(count):
                    save("supervision_dip_sample", {"author": auditor, "auditor": auditor, "supervisee": "Ava Newly",
                                                    "session_date": dt.date(2022, month, 3 + n),
                                                    "completed_on": dt.date(2022, 12, 20)})
        save("child_family_feedback", {"author": "Pat Principal", "source": "Children in care council"})
        save("staff_feedback", {"author": "Pat Principal", "source": "Practitioners' forum"})
        save("staff_feedback", {"author": "Pat Principal", "source": "Quarterly QA survey"})
        received["at"] = "2023-01-05T09:30:00"  # after the due date (7 days before SLT on 9 January)
        save("service_summary", {"author": "Hana Head", "area": "Complaints and compliments"})
        store.record_issue(IssuedForm("Q3-HOS-HANA", "hos_summary", None, Q3, "Hana Head", None,
                                      "2022-11-01T09:00:00", "outbox/issued/Q3-HOS-HANA.docx"))
    return workspace


def run(workspace, *args: str):
    result = CliRunner(env={"QA_TODAY": "2023-01-10"}).invoke(cli, ["--workspace", str(workspace.root), *args],
                                                              catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def by_key(data: dict) -> dict:
    return {line["key"]: line for line in data["activities"]}


def test_every_rule_has_a_line_per_person_in_status_json(quarter):
    data = json.loads(run(quarter, "status", "--quarter", Q3, "--json"))
    people = {(p["person"], p["rule"]): (p["done"], p["required"], p["rag"]) for p in data["people"] if p["rule"]}
    assert people == {
        ("Pat Principal", "psw_thematic"): (1, 1, "Green"),
        ("Kim Advanced", "ap_thematic"): (0, 1, "Red"),
        ("Tara Manager", "manager_thematic"): (1, 1, "Green"),
        ("Alan Assistant", "ad_thematic"): (0, 1, "Red"),
        ("Dee Director", "dcs_thematic"): (0, 1, "Red"),
        ("Pat Principal", "psw_ccr"): (1, 1, "Green"),
        ("Kim Advanced", "ap_ccr"): (0, 1, "Red"),
        ("Ivy Reviewer", "chair_ccr"): (1, 1, "Green"),
        ("Carl Chair", "chair_ccr"): (0, 1, "Red"),
        ("Hana Head", "hos_ccr"): (1, 1, "Green"),
        ("Pat Principal", "psw_asye_supervision"): (9, 9, "Green"),
        ("Kim Advanced", "ap_asye_supervision"): (7, 9, "Amber"),
    }
    kim = next(p for p in data["people"] if p["rule"] == "ap_asye_supervision")
    assert kim["explanation"] == ("October 3 of 3, November 3 of 3, December 1 of 3 (3 supervisions a month; Appendix 6: "
                                  "improvement team APs, dip sample the supervision of ASYEs x3 each month; §7).")
    assert kim["reference"] == "Appendix 6: improvement team APs, dip sample the supervision of ASYEs x3 each month; §7"
    lines = by_key(data)
    assert [(lines[k]["minimum"], lines[k]["counted"], lines[k]["rag"]) for k in
            ("thematic_by_person", "ccr_by_person", "supervision_dip_sample")] == [(5, 2, "Red"), (5, 3, "Red"), (18, 16, "Amber")]
    # The DCS observes quarterly here (targets.yaml chose Appendix 6 over §6.5), and the method note says so.
    assert (lines["dcs_observation"]["period"], lines["dcs_observation"]["minimum"]) == ("quarter", 1)
    assert data["method"] == [
        "The framework differs on the DCS's observations of practice: §6.5 says the DCS will undertake one observed "
        "practice every 6 months; Appendix 6 (roles and responsibilities) says observations of social-work practice "
        "once a quarter. This report follows Appendix 6 (once a quarter), as set in admin/targets.yaml "
        "(observation.dcs_follows)."]


def test_each_feedback_stream_and_partner_area_is_its_own_rag_line(quarter):
    lines = by_key(json.loads(run(quarter, "status", "--quarter", Q3, "--json")))
    streams = {key: (line["received"], line["rag"]) for key, line in lines.items() if ":" in key}
    assert streams == {
        "forum_feedback:Children in care council": (1, "Green"), "forum_feedback:Care leavers forum": (0, "Red"),
        "forum_feedback:Corporate parenting": (0, "Red"),
        "staff_feedback:Practitioners' forum": (1, "Green"), "staff_feedback:Quarterly QA survey": (1, "Green"),
        "service_area:Early help": (0, "Red"), "service_area:SEND": (0, "Red"), "service_area:Youth justice": (0, "Red"),
        "service_area:Virtual school": (0, "Red"), "service_area:Safeguarding partnership": (0, "Red"),
        "service_area:Complaints and compliments": (1, "Green"),
    }
    assert lines["forum_feedback:Care leavers forum"]["activity"] == "Children's forum: Care leavers forum"
    assert lines["forum_feedback:Care leavers forum"]["explanation"] == (
        "1 a quarter from Care leavers forum (§10.3–10.4). None received yet for 2022-23-Q3; due by 31/12/2022.")


def test_the_plan_is_checked_against_the_returns(quarter):
    data = json.loads(run(quarter, "status", "--quarter", Q3, "--json"))
    assert [(p["activity"], p["status"], p["theme_as_planned"], p["rag"]) for p in data["plan"]] == [
        ("Dip sampling", "Done in its week", True, "Green"),
        ("Thematic audit", "Late", True, "Amber"),
        ("Observation of practice", "Not done", None, "Red"),
        ("Collaborative case review", "Done in its week", None, "Green"),
        ("Dip sampling", "Done before its week", False, "Amber"),
    ]
    assert data["plan"][1]["explanation"] == (
        "Thematic audit late (2 return(s), first dated 21/11/2022). Theme as planned: Quality of visits / voice of the child.")
    assert data["plan"][4]["explanation"] == (
        "Dip sampling done before the week beginning 12/12/2022 (1 return(s), first dated 12/10/2022). Theme not as "
        "planned: planned Networks and contingncy plans, returned Networks and contingency planning.")
    (problem,) = data["plan_problems"]  # the themed form's theme, then the shared list of practice themes
    assert problem.startswith(
        "qa-plan.xlsx · sheet 'Plan' row 6: Theme 'Networks and contingncy plans' is not a theme of the Dip sampling forms, "
        "so no return can be matched to it as planned. Did you mean 'Networks and contingency planning'? "
        "Themes: Networks and contingency planning; Voice of the child;")


def test_returns_are_due_before_the_first_meeting_and_late_ones_are_marked(quarter):
    data = json.loads(run(quarter, "status", "--quarter", Q3, "--json"))
    deadline = data["deadline"]
    assert (deadline["due"], deadline["meeting"], deadline["days_before"]) == ("2023-01-02", "SLT on 09/01/2023", 7)
    (late,) = deadline["late"]
    assert (late["form"], late["author"], late["received"]) == ("service_summary", "Hana Head", "2023-01-05")
    assert deadline["overdue"] == ["Q3-HOS-HANA"]
    assert deadline["explanation"] == (
        f"Returns for the quarter are due by 02/01/2023, 7 days before SLT on 09/01/2023. 1 arrived late: "
        f"{late['ref']} (service_summary, 05/01/2023). 1 issued form(s) not returned by the due date: Q3-HOS-HANA.")


def test_status_text_shows_the_rules_the_plan_and_the_deadline(quarter):
    text = run(quarter, "status", "--quarter", Q3)
    lines = text.splitlines()
    assert "Supervision dip samples of ASYEs October–December 2022       18       16      16        0           2  Amber" in lines
    at = lines.index("Service area return: Complaints and compliments")  # a long name on a line of its own
    assert lines[at + 1] == " " * 33 + "October–December 2022        1        1       1        0           0  Green"
    assert "  Kim Advanced (Improvement team AP, Improvement team)" in lines
    at = lines.index("    Amber Supervision dip samples of ASYEs: October 3 of 3, November 3 of 3, December 1 of 3 (3 supervisions a")
    assert lines[at + 1] == ("          month; Appendix 6: improvement team APs, dip sample the supervision of ASYEs x3 each "
                             "month; §7).")
    assert "    Red   CCRs, by person: 0 of 1 child in 2022-23-Q3; 1 more by 31/12/2022 (Appendix 6: IRO / CP chairs, CCR" in lines
    assert "  Red   Observation of practice (w/b 14/11/2022): Observation of practice not done." in lines
    assert "  Green Dip sampling (w/b 10/10/2022, Networks and contingency planning): Dip sampling done in the week" in lines
    assert "When the quarter's returns are due" in lines
    assert "  Returns for the quarter are due by 02/01/2023, 7 days before SLT on 09/01/2023. 1 arrived late: S-" in text
    assert "  Plan: qa-plan.xlsx · sheet 'Plan' row 6: Theme 'Networks and contingncy plans' is not a theme" in text
    assert "Method: The framework differs on the DCS's observations of practice" in text


def test_the_report_shows_the_rules_the_plan_and_late_returns(quarter):
    data = json.loads(run(quarter, "report", "--quarter", Q3, "--json"))
    activity = data["activity"]
    assert [(row["activity"], row["status"], row["theme_status"], row["rag"]) for row in activity["plan"]] == [
        ("Dip sampling", "Done in its week", "As planned", "Green"),
        ("Thematic audit", "Late", "As planned", "Amber"),
        ("Observation of practice", "Not done", "", "Red"),
        ("Collaborative case review", "Done in its week", "", "Green"),
        ("Dip sampling", "Done before its week", "Not as planned", "Amber"),
    ]
    assert (activity["plan_green"], activity["plan_amber"], activity["plan_red"]) == (2, 2, 1)
    (late,) = activity["late"]
    assert (late["author"], late["received"]) == ("Hana Head", "2023-01-05")
    document = Document(data["files"]["report"])
    text = "\n".join(p.text for p in document.paragraphs)
    assert "This report follows Appendix 6 (once a quarter), as set in admin/targets.yaml (observation.dcs_follows)." in text
    assert "Activity against the QA plan" in text
    assert "2 green, 2 amber (late, or not on the planned theme) and 1 red (not done)." in text
    assert "Returns for the quarter are due by 02/01/2023, 7 days before SLT on 09/01/2023." in text
    tables = {tuple(cell.text for cell in t.rows[0].cells): [[c.text for c in row.cells] for row in t.rows[1:]]
              for t in document.tables}
    plan = tables[("Planned", "Activity", "Status", "Theme", "RAG")]
    assert [(row[2], row[4]) for row in plan] == [("Done in its week", "Green"), ("Late", "Amber"), ("Not done", "Red"),
                                                  ("Done in its week", "Green"), ("Done before its week", "Amber")]
    (late,) = tables[("Ref", "Form", "Completed by", "Received", "Late")]
    assert late[2:] == ["Hana Head", "5 Jan 2023", "Late"]
    rules = tables[("Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG")]
    asye = next(row for row in rules if row[0].startswith("Supervision dip samples of ASYEs App. 6"))
    assert asye[1:] == ["18", "16", "16", "2", "0", "Amber"]
    # Who owes what is for managers (qa status, the tracker); the DLT report counts it by team (issue 13, item 8).
    teams = tables[("Team", "Still to do", "Red", "Amber", "Activities")]
    improvement = next(row for row in teams if row[0] == "Improvement team")
    assert "Supervision dip samples of ASYEs" in improvement[4]
    assert "Kim Advanced" not in "\n".join(p.text for p in document.paragraphs)


def test_a_rule_in_the_workspace_targets_is_checked_with_the_fix(workspace):
    from pipeline.errors import WorkspaceError
    from pipeline.targets import load_targets

    workspace.targets_path.parent.mkdir(parents=True, exist_ok=True)
    workspace.targets_path.write_text(
        "rules:\n  psw_ccr: {per_quarter: 2}\n  sw_thematic: {activity: thematc_audit, who: [Social worker], per_month: 1}\n"
        "  tm_ccr: {activity: ccr, who: [TM], per_quarter: 1, per_month: 1, reference: x}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        load_targets(workspace.targets_path)
    assert str(caught.value).splitlines() == [
        "targets.yaml · rules.sw_thematic.activity: 'thematc_audit' is not an activity a rule can count. Did you mean "
        "'thematic_audit'? Use one of: thematic_audit, ccr, supervision_dip_sample.",
        "targets.yaml · rules.sw_thematic.reference: 'None' is not text. Write the wording, for example Safeguarding unit (IRO / CP chairs).",
        "targets.yaml · rules.tm_ccr: give either per_quarter or per_month (how many are owed), not both or neither.",
    ]
    workspace.targets_path.write_text("rules:\n  psw_ccr: {per_quarter: 2}\n", encoding="utf-8")
    rule = next(r for r in load_targets(workspace.targets_path).rules if r.id == "psw_ccr")
    assert (rule.minimum, rule.who, rule.reference) == (2, (Role.PSW,), "Appendix 6: PSW, CCR quarterly; §9")


def test_without_a_plan_status_says_how_to_give_the_returns_a_due_date(workspace):
    write_roster(workspace.roster_path, ROSTER)
    data = json.loads(run(workspace, "status", "--quarter", Q3, "--json"))
    assert (data["plan"], data["plan_problems"], data["deadline"]["due"], data["deadline"]["late"]) == ([], [], None, [])
    lines = run(workspace, "status", "--quarter", Q3).splitlines()
    at = lines.index("When the quarter's returns are due")
    said = " ".join(line.strip() for line in itertools.takewhile(bool, lines[at + 1:]))
    assert said == ("No SLT or DLT date after the quarter in the QA plan (admin/qa-plan.xlsx), so no due date for its "
                    "returns: add the meeting dates to the plan's SLT date or DLT date column.")

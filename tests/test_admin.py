"""The QA admin's inputs: example roster, plan and targets; every bad row reported with sheet, row and fix."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipeline.admin import (
    ROLE_ALIASES, Person, PlanEntry, Role, example_plan, example_roster, load_targets, parse_role,
    read_plan, read_roster, write_examples,
)
from pipeline.errors import WorkspaceError
from pipeline.quarter import Quarter
from pipeline.targets import DEFAULT_TARGETS

ROLES = ("Social worker, ASYE, Team manager, Head of service, PSW, Improvement team AP, IRO, CP chair, AD, DCS")
HEADINGS = ["Name", "Role", "Team", "Line manager", "Start date"]


def workbook(path: Path, sheet: str, rows: list[list[object]]) -> Path:
    """An admin's workbook typed by hand: one sheet, headings in the first row."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


# --- examples written by qa init -------------------------------------------------------------------


def test_write_examples_writes_roster_plan_and_targets_and_never_overwrites(workspace):
    written = write_examples(workspace)
    assert written == [workspace.roster_path, workspace.plan_path, workspace.targets_path]
    assert workspace.targets_path.read_text(encoding="utf-8") == DEFAULT_TARGETS.read_text(encoding="utf-8")

    workspace.targets_path.write_text("dip_sample:\n  children_per_auditor_per_quarter: 12\n", encoding="utf-8")
    before = workspace.roster_path.read_bytes()
    assert write_examples(workspace) == []
    assert workspace.roster_path.read_bytes() == before
    assert load_targets(workspace.targets_path).dip_sample_children_per_auditor == 12


def test_example_roster_reads_back_as_forty_two_staff_with_consistent_line_managers(workspace):
    write_examples(workspace)
    roster = read_roster(workspace.roster_path)
    assert roster == example_roster()
    assert len(roster) == 42
    count = {role: sum(p.role is role for p in roster) for role in Role}
    assert count == {Role.SOCIAL_WORKER: 20, Role.ASYE: 2, Role.TEAM_MANAGER: 5, Role.HEAD_OF_SERVICE: 4, Role.PSW: 1,
                     Role.IMPROVEMENT_AP: 2, Role.IRO: 4, Role.CP_CHAIR: 2, Role.AD: 1, Role.DCS: 1}
    by_name = {p.name: p for p in roster}
    assert by_name["Ruth Fenwick"].line_manager is None
    for person in roster:
        if person.role is not Role.DCS:
            manager = by_name[person.line_manager]
            assert manager.role in (Role.DCS, Role.AD, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.PSW), person
    assert {by_name[p.line_manager].role for p in roster if p.role in (Role.SOCIAL_WORKER, Role.ASYE)} == {Role.TEAM_MANAGER}


def test_example_plan_reproduces_appendices_7_and_8(workspace):
    write_examples(workspace)
    plan = read_plan(workspace.plan_path)
    assert plan == example_plan()
    assert {entry.quarter.label for entry in plan} == {"2022-23-Q1", "2022-23-Q2", "2022-23-Q3", "2022-23-Q4"}
    q3 = [(e.month, e.week_beginning, e.activity, e.theme, e.dlt_date) for e in plan if e.quarter == Quarter(2022, 3)]
    assert q3 == [
        (dt.date(2022, 10, 1), dt.date(2022, 10, 10), "Dip sampling", "Networks and contingency planning", dt.date(2022, 10, 19)),
        (dt.date(2022, 10, 1), None, "Supervision audit", "", None),
        (dt.date(2022, 11, 1), dt.date(2022, 11, 7), "Thematic audit", "Quality of visits / voice of the child", None),
        (dt.date(2022, 11, 1), None, "Supervision audit", "", None),
        (dt.date(2022, 12, 1), dt.date(2022, 12, 5), "Collaborative case review", "", None),
        (dt.date(2022, 12, 1), None, "Head of Service summary", "", None),
    ]
    q4 = [e for e in plan if e.quarter == Quarter(2022, 4)]
    assert [(e.activity, e.week_beginning) for e in q4 if e.week_beginning] == [
        ("Dip sampling", dt.date(2023, 1, 16)), ("Thematic audit", dt.date(2023, 2, 20)),
        ("Collaborative case review", dt.date(2023, 3, 20)),
    ]
    assert q4[0].dlt_date == dt.date(2023, 1, 25)
    assert [e.theme for e in q4 if e.theme] == ["Danger/worry statements and safety/success goals"]
    assert [e.form for e in q4] == ["dip_sample", "supervision_audit", "thematic_audit", "supervision_audit", "ccr", "hos_summary"]


def test_example_workbooks_are_pleasant_to_edit(workspace):
    write_examples(workspace)
    book = openpyxl.load_workbook(workspace.roster_path)
    staff = book["Staff"]
    assert [c.value for c in staff[1]] == HEADINGS
    assert staff["A1"].font.b and staff["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert staff.freeze_panes == "A2"
    assert staff.column_dimensions["C"].width > staff.column_dimensions["E"].width
    assert isinstance(staff["E2"].value, dt.datetime) and staff["E2"].number_format == "dd/mm/yyyy"
    rules = {str(rule.sqref): rule for rule in staff.data_validations.dataValidation}
    assert rules["B2:B500"].type == "list" and rules["B2:B500"].formula1 == "='Lists'!$B$1:$B$10"
    assert [c.value for c in book["Lists"]["B"]] == [role.value for role in Role]
    assert book["Lists"].sheet_state == "hidden"
    assert rules["E2:E500"].type == "date"
    plan = openpyxl.load_workbook(workspace.plan_path)["Plan"]
    assert plan["A2"].number_format == "mmmm yyyy" and plan.freeze_panes == "A2"


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, role", [
    ("SW", Role.SOCIAL_WORKER), ("social worker", Role.SOCIAL_WORKER), ("tm", Role.TEAM_MANAGER),
    ("HoS", Role.HEAD_OF_SERVICE), ("H.o.S.", Role.HEAD_OF_SERVICE), ("Principal Social Worker", Role.PSW),
    ("Imp team AP", Role.IMPROVEMENT_AP), ("iro", Role.IRO), ("CP Chair", Role.CP_CHAIR),
    ("Assistant Director", Role.AD), ("Director of Children’s Services", Role.DCS),
])
def test_roles_are_read_from_what_admins_write(written, role):
    assert parse_role(written) is role


def test_every_role_has_one_row_in_the_role_table():
    assert set(ROLE_ALIASES) == set(Role)
    assert parse_role("Sosial worker") is None


# --- bad roster rows --------------------------------------------------------------------------------


def test_a_bad_role_is_reported_with_sheet_row_reason_and_fix(tmp_path):
    path = workbook(tmp_path / "roster.xlsx", "Staff", [
        HEADINGS,
        ["Dee Director", "DCS", "Directorate", None, dt.datetime(2019, 1, 7)],
        ["Alan Assistant", "AD", None, "Dee Director", None],
        ["Hana Head", "HoS", "Assessment", "Alan Assistant", None],
        ["Tara Manager", "TM", "Assessment", "Hana Head", None],
        ["Sam Worker", "SW", "Assessment", "Tara Manager", "03/10/2022"],
        ["Sue Worker", "Sosial worker", "Assessment", "Tara Manager", None],
    ])
    with pytest.raises(WorkspaceError) as caught:
        read_roster(path)
    assert str(caught.value) == (
        f"roster.xlsx · sheet 'Staff' row 7: Role 'Sosial worker' is not a role. Use one of: {ROLES}."
    )


def test_every_bad_roster_row_is_listed_in_row_order(tmp_path):
    path = workbook(tmp_path / "roster.xlsx", "Staff", [
        HEADINGS,
        ["Tara Manager", "TM", "Assessment", "Hana Head", None],  # Hana is listed further down: fine
        ["Sam Worker", "SW", "", "Tara Manager", "31/02/2022"],
        [None, None, None, None, None],
        ["Sue Worker", "SW", "Assessment", "Tara Manger", None],
        ["Sam Worker", "SW", "Assessment", "Tara Manager", None],
        ["Hana Head", "HoS", "Assessment", "Hana Head", None],
        ["Nobody", "", "Assessment", "", None],
    ])
    with pytest.raises(WorkspaceError) as caught:
        read_roster(path)
    where = "roster.xlsx · sheet 'Staff' row"
    assert str(caught.value).splitlines() == [
        f"{where} 3: Team is empty. Enter the team they work in.",
        f"{where} 3: Start date '31/02/2022' is not a date. Enter it as dd/mm/yyyy, for example 05/09/2022.",
        f"{where} 5: Line manager 'Tara Manger' is not in the Name column. Did you mean 'Tara Manager'? Add them to the roster, or correct the spelling to match their row.",
        f"{where} 6: Sam Worker is already listed in row 3. Give each person one row; if two people share a name, add a middle initial to tell them apart.",
        f"{where} 7: Hana Head is entered as their own line manager. Enter the person they report to.",
        f"{where} 8: Role is empty. Use one of: {ROLES}.",
        f"{where} 8: Line manager is empty. Enter their line manager's name as it is written in the Name column (only the DCS has none).",
    ]


def test_a_missing_roster_tells_the_admin_to_run_init(workspace):
    with pytest.raises(WorkspaceError) as caught:
        read_roster(workspace.roster_path)
    assert str(caught.value).startswith("No staff roster: admin/roster.xlsx does not exist. Run 'qa init'")


def test_a_roster_that_is_not_a_workbook_is_reported(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("Name,Role\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        read_roster(path)
    assert str(caught.value) == ("roster.xlsx: cannot be opened as an Excel workbook (it is not in Excel's .xlsx format). Open it in Excel, "
                                 "use File → Save As → Excel Workbook (.xlsx), and try again.")


def test_a_roster_without_a_role_column_names_it(tmp_path):
    path = workbook(tmp_path / "roster.xlsx", "Sheet1", [["Name", "Job", "Team", "Manager"], ["Sam", "SW", "A", "Tara"]])
    with pytest.raises(WorkspaceError) as caught:
        read_roster(path)
    assert str(caught.value) == ("roster.xlsx · sheet 'Sheet1' row 1: no 'Role' column. Put the headings "
                                 "Name, Role, Team, Line manager, Start date in the first row.")


def test_roster_headings_and_roles_may_be_written_loosely(tmp_path):
    path = workbook(tmp_path / "roster.xlsx", "Staff", [
        ["Staff name", "Job role", "Team", "Reports to"],
        ["Dee Director", "director", None, None],
        ["Alan Assistant", "assistant director", None, "dee director"],
    ])
    assert read_roster(path) == [
        Person("Dee Director", Role.DCS, "", None, None),
        Person("Alan Assistant", Role.AD, "", "dee director", None),
    ]


# --- the plan -----------------------------------------------------------------------------------------


def test_plan_rows_follow_the_framework_layout(tmp_path):
    path = workbook(tmp_path / "qa-plan.xlsx", "Plan", [
        ["Month", "Wk beg", "Activity", "Theme", "Who", "DLT date", "Learning event", "Notes"],
        ["OCT", dt.datetime(2022, 10, 10), "Dip sample", "Networks", "HoS / TM", "19/10/2022", "TBC", "Book 11 October"],
        [None, None, "Supervision", None, "AD / HoS", None, None, None],
        ["Nov 2022", "07/11/2022", "thematic", "Visits", None, None, None, None],
    ])
    assert read_plan(path) == [
        PlanEntry(dt.date(2022, 10, 1), dt.date(2022, 10, 10), "Dip sampling", "Networks", "HoS / TM",
                  dt.date(2022, 10, 19), None, "Book 11 October"),
        PlanEntry(dt.date(2022, 10, 1), None, "Supervision audit", "", "AD / HoS", None, None, ""),
        PlanEntry(dt.date(2022, 11, 1), dt.date(2022, 11, 7), "Thematic audit", "Visits", "", None, None, ""),
    ]


def test_every_bad_plan_row_is_listed(tmp_path):
    path = workbook(tmp_path / "qa-plan.xlsx", "Plan", [
        ["Month", "Week beginning", "Activity", "DLT date"],
        ["Oct", None, "Dip sampling", None],
        ["October 2022", "next week", "Observing", "soon"],
    ])
    with pytest.raises(WorkspaceError) as caught:
        read_plan(path)
    where = "qa-plan.xlsx · sheet 'Plan' row"
    activities = ("Dip sampling, Thematic audit, Collaborative case review, Observation of practice, Supervision audit, "
                  "Head of Service summary, Service area summary, Feedback from children and families, "
                  "Feedback from staff, DLT reporting, Learning event")
    assert str(caught.value).splitlines() == [
        f"{where} 2: Month 'Oct' is not a month. Enter the month with its year, for example October 2022.",
        f"{where} 3: Week beginning 'next week' is not a date. Enter it as dd/mm/yyyy, for example 05/09/2022.",
        f"{where} 3: DLT date 'soon' is not a date. Enter it as dd/mm/yyyy, for example 05/09/2022.",
        f"{where} 3: Activity 'Observing' is not a QA activity. Did you mean 'Observation of practice'? Use one of: {activities}.",
    ]


# --- targets ------------------------------------------------------------------------------------------


def test_missing_targets_file_means_the_framework_minimums(tmp_path):
    targets = load_targets(tmp_path / "admin" / "targets.yaml")
    assert targets == load_targets(None)
    assert (targets.dip_sample_children_per_auditor, targets.ccr_children_per_quarter, targets.thematic_audits_per_quarter,
            targets.thematic_audits_per_year, targets.line_manager_observations_per_year, targets.ad_observations_per_quarter,
            targets.dcs_observations_per_half_year, targets.supervision_audits_per_person_per_year,
            targets.hos_summaries_per_quarter, targets.safeguarding_reports_per_quarter,
            targets.forum_feedback_per_quarter, targets.staff_feedback_per_quarter) == (10, 20, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1)
    assert targets.dip_sample_roles == (Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.PSW)
    assert targets.observed_roles == (Role.SOCIAL_WORKER, Role.ASYE, Role.TEAM_MANAGER)
    assert targets.safeguarding_area == "Safeguarding unit (IRO / CP chairs)"
    assert "Children in care council" in targets.forum_sources


@pytest.mark.parametrize("achieved, minimum, rag", [(10, 10, "Green"), (12, 10, "Green"), (9, 12, "Amber"),
                                                     (8, 12, "Red"), (0, 0, "Green"), (0, 1, "Red")])
def test_rag_thresholds_come_from_the_targets(achieved, minimum, rag):
    assert load_targets(None).rag(achieved, minimum) == rag


def test_targets_file_overrides_only_what_it_sets(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("rag: {green_percent: 90, amber_percent: 50}\nccr: {children_per_quarter: 25}\n", encoding="utf-8")
    targets = load_targets(path)
    assert targets == dataclasses.replace(load_targets(None), green_percent=90, amber_percent=50, ccr_children_per_quarter=25)
    assert targets.rag(9, 10) == "Green" and targets.rag(5, 10) == "Amber"


def test_bad_targets_are_each_named_with_the_fix(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("dip_sample:\n  children_per_auditor: 10\n  auditor_roles: [HoS, Tea manager]\n"
                    "ccr: {children_per_quarter: twenty}\nobservations: {}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as caught:
        load_targets(path)
    assert str(caught.value).splitlines() == [
        "targets.yaml · dip_sample.children_per_auditor: not a setting. Settings in dip_sample: auditor_roles, children_per_auditor_per_quarter.",
        "targets.yaml · observations: not a setting. Settings at the top: ccr, deadlines, dip_sample, forum_feedback, "
        "head_of_service_summary, observation, rag, rules, safeguarding_unit_report, service_areas, staff_feedback, "
        "supervision_audit, thematic_audit.",
        f"targets.yaml · dip_sample.auditor_roles: 'Tea manager' is not a role. Use one of: {ROLES}.",
        "targets.yaml · ccr.children_per_quarter: 'twenty' is not a whole number. Write a whole number such as 10.",
    ]


def test_amber_above_green_is_refused(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("rag: {green_percent: 80, amber_percent: 90}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"amber_percent \(90\) is above green_percent \(80\)"):
        load_targets(path)


def test_teams_that_differ_by_a_number_or_a_short_word_are_not_taken_for_misspellings(tmp_path):
    path = workbook(tmp_path / "roster.xlsx", "Staff", [
        HEADINGS,
        ["Dee Director", "DCS", "Directorate", None, None],
        ["Tara Manager", "TM", "Assessment 1", "Dee Director", None],
        ["Sam Worker", "SW", "Assessment 1", "Tara Manager", None],
        ["Sue Worker", "SW", "Assessment 2", "Tara Manager", None],
        ["Ann East", "SW", "Team East", "Tara Manager", None],
        ["Bob East", "SW", "Team East", "Tara Manager", None],
        ["Cat West", "SW", "Team West", "Tara Manager", None],
        ["Dan Care", "SW", "Care leavers", "Tara Manager", None],
        ["Eve Care", "SW", "Care leavers", "Tara Manager", None],
        ["Fay Care", "SW", "Careleavers", "Tara Manager", None],
    ])
    with pytest.raises(WorkspaceError) as caught:
        read_roster(path)
    assert str(caught.value) == (
        "roster.xlsx · sheet 'Staff' row 11: Team 'Careleavers' is on this row only. Did you mean 'Care leavers' (2 people)? "
        "Write the team as the other rows do, or it will be counted as a team of its own.")

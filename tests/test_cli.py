"""The qa command as a QA admin and other tools use it, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from answers import full_answers
from filling import fill
from pipeline import __version__
from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.read.package import open_package


def run(workspace, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args], catch_exceptions=False)


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"qa, version {__version__}"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "qa " in result.output.split("Example:")[1]
    assert ("--workspace" in result.output) == (command != "demo")  # demo makes its own in DIRECTORY


def test_forms_json_lists_every_form_and_field_with_themed_questions(workspace):
    result = run(workspace, "forms", "--json")
    assert result.exit_code == 0, result.output
    forms = {entry["key"]: entry for entry in json.loads(result.output)}
    assert "thematic_audit/quality_of_visits" in forms
    visits = {f["id"]: f for f in forms["thematic_audit/quality_of_visits"]["fields"]}
    assert visits["seen_alone"] == {"id": "seen_alone", "label": "Child seen alone?", "type": "choice", "required": True,
                                    "choices": ["Yes", "No", "Not appropriate"], "group": "children", "role": None, "since": 1}
    grade = {f["id"]: f for f in forms["ccr"]["fields"]}["overall_grade"]
    assert grade["choices"] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert grade["role"] == "overall_grade"
    assert [(g["id"], g["role"]) for g in forms["dip_sample"]["groups"]] == [("children", "children")]


def test_forms_text_lists_fields_with_required_marks(workspace):
    result = run(workspace, "forms")
    assert "ccr (v2, docx; also reads v1): Collaborative case review" in result.output
    assert "    overall_grade *: Overall grade (grade) [Outstanding, Good, Requires improvement, Inadequate] — role: overall_grade" in result.output


def test_templates_writes_blank_forms_for_the_named_forms(workspace, tmp_path):
    result = run(workspace, "templates", "--out", str(tmp_path / "t"), "ccr", "dip_sample/networks_contingency")
    assert result.exit_code == 0, result.output
    paths = result.output.split()
    assert [p.rsplit("/", 1)[1] for p in paths] == ["ccr-v2.docx", "dip_sample-networks_contingency-v2.xlsx"]
    package = open_package("t", Path(paths[1]).read_bytes())
    assert (package.form_id, package.variant) == ("dip_sample", "networks_contingency")


def test_templates_unknown_form_fails_with_the_known_list(workspace):
    result = run(workspace, "templates", "cc")
    assert result.exit_code == 1
    assert "There is no form 'cc'. Known forms: ccr, child_family_feedback," in result.output


def test_issue_prefills_and_the_returned_form_is_matched_to_its_issue(workspace, catalogue):
    write_examples(workspace)
    result = run(workspace, "issue", "dip_sample", "--quarter", "2022-23-Q3", "--assignee", "sarah  lowe", "--theme", "Networks and contingency planning")
    assert result.exit_code == 0, result.output
    path = result.output.strip()
    data = Path(path).read_bytes()
    package = open_package("issued.xlsx", data)
    assert package.variant == "networks_contingency" and package.issue_id.startswith("2022-23-Q3-DIPSAMPLE-")
    workbook = openpyxl.load_workbook(io.BytesIO(data))

    def named(name: str) -> object:
        sheet, ref = next(iter(workbook.defined_names[name].destinations))
        return workbook[sheet][ref.replace("$", "")].value

    assert [named(name) for name in ("quarter", "completed_by", "auditor", "theme")] == [
        "2022-23-Q3", "Sarah Lowe", "Sarah Lowe", "Networks and contingency planning"]  # as the roster writes her


def test_issue_with_a_bad_quarter_says_how_to_write_it(workspace):
    result = run(workspace, "issue", "ccr", "--quarter", "Q3", "--assignee", "Jo Bloggs")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --quarter: 'Q3' is not a quarter like 2022-23-Q3. Write it as 2022-23-Q3 (Q1 = April to June).")


def test_validate_exits_0_when_valid_and_1_naming_file_and_field_when_not(workspace, catalogue, tmp_path):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    good = tmp_path / "good.docx"
    good.write_bytes(fill(spec, values, groups))
    values["overall_grade"] = "Goood"
    bad = tmp_path / "bad.docx"
    bad.write_bytes(fill(spec, values, groups))

    ok = run(workspace, "validate", str(good))
    assert (ok.exit_code, ok.output) == (0, f"{good}: valid (ccr)\n")

    failed = run(workspace, "validate", str(good), str(bad))
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == f"{bad} · {message('grade', label='Overall grade', value='Goood')}"

    as_json = run(workspace, "validate", "--json", str(bad))
    assert json.loads(as_json.output)[0]["problems"] == [message("grade", label="Overall grade", value="Goood")]


def test_ingest_json_prints_one_object_per_file(workspace, catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    (workspace.inbox / "obs.docx").write_bytes(fill(spec, values))
    (workspace.inbox / "junk.docx").write_bytes(b"junk")

    result = run(workspace, "ingest", "--json")

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(lines, key=lambda o: o["file"]) == [
        {"file": "junk.docx", "status": "rejected", "form": None, "problems": [message("not_office")]},
        {"file": "obs.docx", "status": "accepted", "form": "observation", "problems": []},
    ]
    assert "obs.docx\taccepted\tobservation\t0 problem(s)" in workspace.log_path.read_text(encoding="utf-8")


def test_export_json_csv_and_xlsx_give_typed_values(workspace, catalogue, tmp_path):
    spec = catalogue.find("supervision_audit")
    values, groups = full_answers(spec)
    (workspace.inbox / "sup.docx").write_bytes(fill(spec, values, groups))
    run(workspace, "ingest")

    records = json.loads(run(workspace, "export", "--form", "supervision_audit", "--quarter", "2022-23-Q3").output)
    assert records[0]["form"] == "supervision_audit" and records[0]["status"] == "current"
    assert records[0]["values"]["sessions_reviewed"] == values["sessions_reviewed"]
    assert records[0]["values"]["completed_on"] == values["completed_on"].isoformat()
    assert records[0]["values"]["wellbeing_discussed"] is True
    assert len(records[0]["groups"]["actions"]) == 3

    rows = list(csv.DictReader(io.StringIO(run(workspace, "export", "--format", "csv").output)))
    assert rows[0]["supervisee"] == values["supervisee"]

    out = tmp_path / "export.xlsx"
    assert run(workspace, "export", "--format", "xlsx", "--out", str(out)).exit_code == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["supervision_audit", "supervision_audit.actions"]
    header = [c.value for c in workbook["supervision_audit"][1]]
    assert "Person supervised" in header
    assert workbook["supervision_audit.actions"].max_row == 4


def test_export_xlsx_needs_an_output_file(workspace):
    result = run(workspace, "export", "--format", "xlsx")
    assert result.exit_code == 2
    assert "--format xlsx needs --out FILE." in result.output


# --- one error path ---------------------------------------------------------------------------------


BROKEN_SPEC = "form: x\nversion: 1\ntitle: X\nformat: docx\nsections:\n  - title: S\n    fields:\n      - {id: a, lable: A}\n"
BROKEN_MESSAGE = "Error: x.yaml: section 'S', question 1: unknown key 'lable'. Did you mean 'label'?"


@pytest.mark.parametrize("args", [
    ("forms",), ("templates",), ("export", "--format", "xlsx", "--out", "{tmp}/out.xlsx"),
    ("issue", "ccr", "--quarter", "2022-23-Q3", "--assignee", "Sarah Lowe"), ("ingest",), ("status", "--quarter", "2022-23-Q3"),
    ("report", "--quarter", "2022-23-Q3"),
], ids=lambda args: args[0])
def test_a_broken_spec_gives_a_clean_error_from_every_command(workspace, tmp_path, args):
    write_examples(workspace)
    workspace.copy_builtin_specs()
    (workspace.root / "form_templates" / "x.yaml").write_text(BROKEN_SPEC, encoding="utf-8")
    result = run(workspace, *(arg.replace("{tmp}", str(tmp_path)) for arg in args))  # catch_exceptions=False: no traceback
    assert (result.exit_code, result.output.splitlines()[-1]) == (1, BROKEN_MESSAGE), result.output
    assert "Traceback" not in result.output


# --- the workspace is never guessed ------------------------------------------------------------------

NOT_A_WORKSPACE = ("Error: {root} is not a QA workspace ({why}). Looked in {source}. Point at your workspace with "
                   "--workspace DIR (before or after the command name) or QA_WORKSPACE=DIR, or run "
                   "'qa init --workspace {root}' to make a new workspace there.")
NO_MARKER = "it has no .qa-workspace file and no inbox/, archive/ and rejected/ folders"
EVERY_COMMAND = {
    "forms": (), "templates": (), "issue": ("ccr", "--quarter", "2022-23-Q3", "--assignee", "Sarah Lowe"),
    "validate": ("{form}",), "ingest": (), "watch": (), "status": ("--quarter", "2022-23-Q3"),
    "report": ("--quarter", "2022-23-Q3"), "export": (), "check": (), "recover": (), "config": (), "db": ("upgrade",),
    "sample": ("ccr", "--quarter", "2022-23-Q3"), "remind": ("--quarter", "2022-23-Q3"),
    "region": ("report", "--quarter", "2022-23-Q3"),
}


def test_the_list_of_commands_checked_for_a_workspace_is_complete():
    assert sorted(EVERY_COMMAND) == sorted(set(cli.commands) - {"init", "demo"})


@pytest.mark.parametrize("command", sorted(EVERY_COMMAND))
def test_every_command_refuses_a_folder_that_is_not_a_workspace_and_creates_nothing(tmp_path, monkeypatch, command):
    form = tmp_path / "elsewhere" / "form.docx"
    form.parent.mkdir()
    form.write_bytes(b"not a form")
    args = [command, *(arg.replace("{form}", str(form)) for arg in EVERY_COMMAND[command])]
    runner = CliRunner()
    folder = tmp_path / "forgot --workspace"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = runner.invoke(cli, args, env={"QA_WORKSPACE": None}, catch_exceptions=False)
    assert (result.exit_code, result.output) == (2, NOT_A_WORKSPACE.format(
        root=folder.resolve(), why=NO_MARKER,
        source="the current folder, as neither --workspace nor QA_WORKSPACE was given") + "\n")
    assert list(folder.iterdir()) == []

    missing = tmp_path / "no such folder"
    for before, after, env, source in (
        (["--workspace", str(missing)], [], {}, "the folder --workspace names"),
        ([], ["--workspace", str(missing)], {}, "the folder --workspace names"),
        ([], [], {"QA_WORKSPACE": str(missing)}, "the folder QA_WORKSPACE names"),
    ):
        result = runner.invoke(cli, [*before, *args, *after], env=env, catch_exceptions=False)
        assert (result.exit_code, result.output) == (2, NOT_A_WORKSPACE.format(
            root=missing, why="it does not exist", source=source) + "\n")
        assert not missing.exists()


def test_workspace_may_be_named_after_the_command_and_wins_over_qa_workspace(tmp_path):
    runner = CliRunner()
    workspace = tmp_path / "ws"
    assert runner.invoke(cli, ["init", "--workspace", str(workspace)], catch_exceptions=False).exit_code == 0
    assert (workspace / ".qa-workspace").is_file()
    expected = runner.invoke(cli, ["--workspace", str(workspace), "status", "--quarter", "2022-23-Q3", "--json"]).output
    assert json.loads(expected)["quarter"] == "2022-23-Q3"
    for args, env in (
        (["status", "--quarter", "2022-23-Q3", "--json", "--workspace", str(workspace)], {}),
        (["status", "--workspace", str(workspace), "--quarter", "2022-23-Q3", "--json"], {"QA_WORKSPACE": str(tmp_path)}),
        (["--workspace", str(tmp_path), "status", "--quarter", "2022-23-Q3", "--json", "--workspace", str(workspace)], {}),
        (["status", "--quarter", "2022-23-Q3", "--json"], {"QA_WORKSPACE": str(workspace)}),
    ):
        result = runner.invoke(cli, args, env=env, catch_exceptions=False)
        assert (result.exit_code, result.output) == (0, expected), args


def test_workspaces_made_before_the_marker_are_still_recognised(tmp_path):
    old = tmp_path / "old"
    for name in ("inbox", "archive", "rejected"):
        (old / name).mkdir(parents=True)
    result = CliRunner().invoke(cli, ["--workspace", str(old), "ingest"], catch_exceptions=False)
    assert (result.exit_code, result.output) == (0, "0 accepted, 0 replaced, 0 duplicate, 0 rejected (0 file(s))\n")


# --- admin inputs checked where they are typed -------------------------------------------------------


@pytest.mark.parametrize("assignee, expected", [
    ("Dave Smith", "Error: --assignee 'Dave Smith' is not on the staff roster (admin/roster.xlsx). Use the name as written in "
                   "the roster's Name column, or add the person to the roster first."),
    ("Sara Lowe", "Error: --assignee 'Sara Lowe' is not on the staff roster (admin/roster.xlsx). Did you mean 'Sarah Lowe'? "
                  "Use the name as written in the roster's Name column, or add the person to the roster first."),
])
def test_issue_to_someone_not_on_the_roster_is_refused_with_a_did_you_mean(workspace, assignee, expected):
    write_examples(workspace)
    result = run(workspace, "issue", "ccr", "--quarter", "2022-23-Q3", "--assignee", assignee)
    assert (result.exit_code, result.output) == (1, expected + "\n")
    assert not (workspace.outbox / "issued").exists()


def test_issue_with_an_empty_assignee_is_a_usage_error(workspace):
    write_examples(workspace)
    result = run(workspace, "issue", "ccr", "--quarter", "2022-23-Q3", "--assignee", "  ")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --assignee: the name is empty. Give the full name of the person who must complete the "
        "form, as written in the roster's Name column.")


def test_issue_without_a_roster_says_how_to_make_one(workspace):
    result = run(workspace, "issue", "ccr", "--quarter", "2022-23-Q3", "--assignee", "Sarah Lowe")
    assert result.exit_code == 1
    assert result.output.startswith("Error: No staff roster: admin/roster.xlsx does not exist. Run 'qa init'")


def _edit_roster(workspace, edit) -> None:
    book = openpyxl.load_workbook(workspace.roster_path)
    edit(book["Staff"])
    book.save(workspace.roster_path)


def test_status_reports_merged_cells_in_the_roster_as_merged_cells(workspace):
    write_examples(workspace)
    _edit_roster(workspace, lambda sheet: sheet.merge_cells("C13:C17"))
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert (result.exit_code, result.output) == (1, (
        "Error: roster.xlsx · sheet 'Staff' cells C13:C17: these cells are merged, so only the first holds a value and the "
        "rows below read as empty. Select them, choose Home → Merge & Center → Unmerge Cells, and type the value into "
        "every row it applies to.\n"))


def test_status_reports_a_misspelt_team_on_the_roster_with_a_did_you_mean(workspace):
    write_examples(workspace)

    def misspell(sheet):
        assert (sheet["A19"].value, sheet["C19"].value) == ("Daniel Kowalski", "Child protection")
        sheet["C19"] = "Child protecton"
    _edit_roster(workspace, misspell)
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert (result.exit_code, result.output) == (1, (
        "Error: roster.xlsx · sheet 'Staff' row 19: Team 'Child protecton' is on this row only. Did you mean "
        "'Child protection' (5 people)? Write the team as the other rows do, or it will be counted as a team of its own.\n"))


# --- qa report run again --------------------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_report_run_again_replaces_the_set_in_place_and_keeps_the_previous_one(workspace):
    write_examples(workspace)
    folder = workspace.outbox / "2022-23-Q3"
    first = run(workspace, "report", "--quarter", "2022-23-Q3")
    assert first.exit_code == 0, first.output
    made = _listing(folder)
    assert "QA-report-2022-23-Q3.docx" in made and "action-ledger-2022-23-Q3.xlsx" in made
    before = {name: (folder / name).read_bytes() for name in made}

    (folder / "~$-report-2022-23-Q3.docx").write_bytes(b"owner")  # Word has the report open on a PC
    second = run(workspace, "report", "--quarter", "2022-23-Q3", "--json")
    assert second.exit_code == 0, second.output
    files = json.loads(second.output)["files"]
    previous = Path(files["previous"])
    assert previous.parent == folder / "previous"
    assert files["report"] == str(folder / "QA-report-2022-23-Q3.docx")
    assert _listing(folder) == sorted([*made, "~$-report-2022-23-Q3.docx",
                                       *(str(Path("previous", previous.name, name)) for name in made)])
    assert {name: (previous / name).read_bytes() for name in made} == before
    assert not any(path.name.startswith(".report-") for path in folder.iterdir())

    third = run(workspace, "report", "--quarter", "2022-23-Q3")
    assert third.exit_code == 0, third.output
    lines = third.output.splitlines()
    kept = [line for line in lines if line.startswith("Previous version kept in: ")]
    assert len(kept) == 1 and Path(kept[0].split(": ", 1)[1]) != previous
    assert f"Note: {folder / 'QA-report-2022-23-Q3.docx'} was open in Word or Excel on another computer when it was " \
           "replaced: close it there and open it again to see the new version." in lines
    assert not any("(2)" in name for name in _listing(folder))


def test_report_over_a_file_open_in_word_changes_nothing_and_says_so(workspace, monkeypatch):
    from pipeline.report import publish

    write_examples(workspace)
    folder = workspace.outbox / "2022-23-Q3"
    assert run(workspace, "report", "--quarter", "2022-23-Q3").exit_code == 0
    before = {name: (folder / name).read_bytes() for name in _listing(folder)}
    report = folder / "QA-report-2022-23-Q3.docx"
    monkeypatch.setattr(publish, "_locked", lambda path: path == report)  # Windows refuses to open it for writing
    result = run(workspace, "report", "--quarter", "2022-23-Q3")
    assert (result.exit_code, result.output) == (1, (
        f"Error: {report}: cannot be replaced, because another program has it open (Word or Excel?) or it is read-only. "
        "Close it and run qa report again; nothing was changed.\n"))
    assert {name: (folder / name).read_bytes() for name in _listing(folder)} == before


ACTIVITY_NAMES = ("Dip sampling, Thematic audit, Collaborative case review, Observation of practice, Supervision audit, "
                  "Head of Service summary, Service area summary, Feedback from children and families, "
                  "Feedback from staff, DLT reporting, Learning event")


def _misspell_plan(workspace) -> int:
    book = openpyxl.load_workbook(workspace.plan_path)
    sheet = book["Plan"]
    row = next(cell.row for cell in sheet["C"] if cell.value == "Collaborative case review")
    sheet.cell(row=row, column=3, value="Colaborative case review")
    book.save(workspace.plan_path)
    return row


def test_a_misspelt_plan_activity_is_noted_by_status_with_a_did_you_mean(workspace):
    write_examples(workspace)
    row = _misspell_plan(workspace)
    result = run(workspace, "status", "--quarter", "2022-23-Q3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["quarter"] == "2022-23-Q3"
    assert result.stderr == (
        f"Note: the QA plan needs correcting (the report reads its DLT dates): qa-plan.xlsx · sheet 'Plan' row {row}: "
        f"Activity 'Colaborative case review' is not a QA activity. Did you mean 'Collaborative case review'? "
        f"Use one of: {ACTIVITY_NAMES}.\n")


def test_a_misspelt_plan_activity_is_noted_by_the_report_with_a_did_you_mean(workspace):
    write_examples(workspace)
    row = _misspell_plan(workspace)
    result = run(workspace, "report", "--quarter", "2022-23-Q3")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("Note: The QA plan")]
    assert notes == [f"Note: The QA plan could not be read, so the DLT date is not shown: qa-plan.xlsx · sheet 'Plan' "
                     f"row {row}: Activity 'Colaborative case review' is not a QA activity. Did you mean 'Collaborative case "
                     f"review'? Use one of: {ACTIVITY_NAMES}."]


def test_status_reports_a_target_naming_no_choice_on_its_form_with_a_did_you_mean(workspace):
    write_examples(workspace)
    workspace.targets_path.write_text(
        "ccr:\n  levels_of_need: [Early help, Child in need, Child protection, Child we look after, Care leavers]\n"
        "staff_feedback:\n  sources: [Practitioners' forum, Quarterly QA survey, Team meetings]\n", encoding="utf-8")
    result = run(workspace, "status", "--quarter", "2022-23-Q3")
    assert (result.exit_code, result.output.splitlines()) == (1, [
        "Error: targets.yaml · ccr.levels_of_need: 'Care leavers' is not one of the Collaborative case review form's choices "
        "for Level of need, so no return would ever match it. Did you mean 'Care leaver'? Use one of: Early help, "
        "Child in need, Child protection, Child we look after, Care leaver.",
        "targets.yaml · staff_feedback.sources: 'Team meetings' is not one of the Feedback from staff form's choices for "
        "Feedback from, so no return would ever match it. Use one of: Practitioners' forum, Quarterly QA survey, "
        "Annual staff survey, Other.",
    ])


def test_report_meeting_a_lock_midway_says_what_was_replaced_and_where_the_old_ones_are(workspace, monkeypatch):
    from pipeline.report import publish

    write_examples(workspace)
    folder = workspace.outbox / "2022-23-Q3"
    assert run(workspace, "report", "--quarter", "2022-23-Q3").exit_code == 0
    ledger = folder / "action-ledger-2022-23-Q3.xlsx"
    old_ledger = ledger.read_bytes()
    replace = publish.os.replace

    def refuse_the_ledger(source, target):  # Excel took the ledger between the check and the rename
        if Path(target) == ledger:
            raise PermissionError(13, "in use")
        replace(source, target)
    monkeypatch.setattr(publish.os, "replace", refuse_the_ledger)
    result = run(workspace, "report", "--quarter", "2022-23-Q3")
    previous = next((folder / "previous").iterdir())
    total = 2 + len(list((folder / "drafts").iterdir()))
    assert (result.exit_code, result.output) == (1, (
        f"Error: {ledger}: cannot be replaced, because another program has it open (Word or Excel?). 1 of {total} files "
        f"were replaced; the versions they replaced are in {previous}. Close it and run qa report again.\n"))
    assert ledger.read_bytes() == old_ledger
    assert (previous / "QA-report-2022-23-Q3.docx").is_file()
    assert not any(path.name.startswith(".report-") for path in folder.iterdir())

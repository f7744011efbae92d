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


def test_forms_json_lists_every_form_and_field_with_themed_questions(workspace):
    result = run(workspace, "forms", "--json")
    assert result.exit_code == 0, result.output
    forms = {entry["key"]: entry for entry in json.loads(result.output)}
    assert "thematic_audit/quality_of_visits" in forms
    visits = {f["id"]: f for f in forms["thematic_audit/quality_of_visits"]["fields"]}
    assert visits["seen_alone"] == {"id": "seen_alone", "label": "Child seen alone?", "type": "choice", "required": True,
                                    "choices": ["Yes", "No", "Not appropriate"], "group": "children"}
    grade = {f["id"]: f for f in forms["ccr"]["fields"]}["overall_grade"]
    assert grade["choices"] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]


def test_forms_text_lists_fields_with_required_marks(workspace):
    result = run(workspace, "forms")
    assert "ccr (v1, docx): Collaborative case review" in result.output
    assert "    overall_grade *: Overall grade (grade)" in result.output


def test_templates_writes_blank_forms_for_the_named_forms(workspace, tmp_path):
    result = run(workspace, "templates", "--out", str(tmp_path / "t"), "ccr", "dip_sample/networks_contingency")
    assert result.exit_code == 0, result.output
    paths = result.output.split()
    assert [p.rsplit("/", 1)[1] for p in paths] == ["ccr-v1.docx", "dip_sample-networks_contingency-v1.xlsx"]
    package = open_package("t", Path(paths[1]).read_bytes())
    assert (package.form_id, package.variant) == ("dip_sample", "networks_contingency")


def test_templates_unknown_form_fails_with_the_known_list(workspace):
    result = run(workspace, "templates", "cc")
    assert result.exit_code == 1
    assert "There is no form 'cc'. Known forms: ccr, child_family_feedback," in result.output


def test_issue_prefills_and_the_returned_form_is_matched_to_its_issue(workspace, catalogue):
    result = run(workspace, "issue", "dip_sample", "--quarter", "2022-23-Q3", "--assignee", "Jo Bloggs", "--theme", "Networks and contingency planning")
    assert result.exit_code == 0, result.output
    path = result.output.strip()
    data = Path(path).read_bytes()
    package = open_package("issued.xlsx", data)
    assert package.variant == "networks_contingency" and package.issue_id.startswith("2022-23-Q3-DIPSAMPLE-")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert [workbook.defined_names[name].value for name in ("quarter", "completed_by", "auditor", "theme")]
    sheet, ref = next(iter(workbook.defined_names["theme"].destinations))
    assert workbook[sheet][ref.replace("$", "")].value == "Networks and contingency planning"


def test_issue_with_a_bad_quarter_says_how_to_write_it(workspace):
    result = run(workspace, "issue", "ccr", "--quarter", "Q3", "--assignee", "Jo")
    assert result.exit_code == 1
    assert "Write it as 2022-23-Q3 (Q1 = April to June)." in result.output


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

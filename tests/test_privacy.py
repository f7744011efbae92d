"""No child identifiable from a collated output: planted names, IDs that look like IDs, exports, dates in the quarter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from answers import QUARTER, full_answers
from filling import fill
from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.errors import MESSAGES, PUBLIC_MESSAGES, message, public_message
from pipeline.ingest import note_path
from pipeline.pseudonym import KEY_PATH
from pipeline.spec import SETTINGS_FILE
from pipeline.store import LEGACY_REASONS
from pipeline.workspace import Workspace

# Children's names, typed only into the boxes of forms (name, ID, free text, team, a date box).
CHILD_A, CHILD_B = "Zebedee Quibblesworth", "Philomena Gristlethwaite"
FIELD_WORDS = ("zebedee", "quibblesworth", "philomena", "gristlethwaite")
# A child's name typed only into file names.
FILE_WORDS = ("bartholomew", "wigglesworth")


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


def drop(root: Path, catalogue, name: str, form: str, values: dict | None = None, groups: dict | None = None) -> None:
    spec = catalogue.find(form)
    answers, rows = full_answers(spec)
    answers.update(values or {})
    rows.update(groups or {})
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    (root / "inbox" / name).write_bytes(fill(spec, answers, rows))


def ccr(child_id: str, name: str, **more: object) -> dict:
    return {"child_id": child_id, "child_name": name, "team": "Assessment", "completed_by": "Helen Okafor",
            "reviewer": "Helen Okafor", **more}


def dip_rows(*child_ids: str, finding: str = "Plan reviewed on time.") -> dict:
    row = {"team": "Assessment", "level_of_need": "Child in need", "compliant": "Yes", "finding": finding, "finding_theme": "Planning"}
    return {"children": [{**row, "child_id": child_id} for child_id in child_ids]}


def xml_text(data: bytes) -> str:
    """Every XML part of an Office file, as raw XML and as its text with the tags taken out (runs joined)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                raw = package.read(name).decode("utf-8")
                parts += [raw, re.sub(r"<[^>]+>", "", raw)]
    return "\n".join(parts)


def found(words: tuple[str, ...], outputs: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, word) for where, text in outputs.items() for word in words if word in text.casefold()]


@pytest.fixture(scope="module")
def planted(tmp_path_factory, catalogue):
    """A quarter with children's names typed everywhere a person can type one, then every collated output."""
    root = tmp_path_factory.mktemp("privacy") / "ws"
    assert run(root, "init").exit_code == 0
    pen = f"{CHILD_A} is nine and lives with his grandmother."
    drop(root, catalogue, "CCR Bartholomew Wigglesworth.docx", "ccr", ccr(
        "C100201", CHILD_A, pen_picture=pen,
        overall_evaluation="Zebedee said he feels safe at home; the Quibblesworth family engaged well.",
        gone_well=f"{CHILD_A} (C100201) now sees his father weekly; Zebedee chose the venue."))  # drafted into a vignette
    drop(root, catalogue, "CCR Wigglesworth draft.docx", "ccr", ccr(CHILD_B, CHILD_B))  # the name in the ID box
    drop(root, catalogue, "CCR Wigglesworth team.docx", "ccr", ccr("C100203", CHILD_B, team=CHILD_B))  # and in the team box
    drop(root, catalogue, "CCR Wigglesworth date.docx", "ccr", ccr("C100204", CHILD_B, review_date=CHILD_A))  # and in a date box
    drop(root, catalogue, "CCR Wigglesworth worker.docx", "ccr", ccr("C100205", CHILD_B, social_worker=CHILD_B))  # a staff box
    drop(root, catalogue, "Observation Bartholomew.docx", "observation",
         {"child_id": "Philomena", "strengths": f"{CHILD_B} was seen at school."})
    drop(root, catalogue, "Dip sample Wigglesworth.xlsx", "dip_sample", groups=dip_rows("C100201", "Quibblesworth"))
    first = run(root, "ingest")
    # The resubmissions, corrected.
    drop(root, catalogue, "CCR Bartholomew Wigglesworth (corrected).docx", "ccr", ccr(
        "C100202", CHILD_B, pen_picture=f"{CHILD_B} is fourteen.", overall_evaluation="Philomena now attends school daily."))
    # A child's name in a staff box of a form that has no name field: accepted, so outputs must hide it.
    drop(root, catalogue, "Observation Bartholomew (2).docx", "observation", {"practitioner": CHILD_A, "child_id": "C100201"})
    drop(root, catalogue, "Dip sample Wigglesworth v2.xlsx", "dip_sample",
         groups=dip_rows("C100201", "C100202", finding=f"{CHILD_A}'s plan is out of date; Philomena's is current."))
    second = run(root, "ingest")
    commands = {
        "status": run(root, "status", "--quarter", QUARTER),
        "status --json": run(root, "status", "--quarter", QUARTER, "--json"),
        "report": run(root, "report", "--quarter", QUARTER),  # its "Note:" lines are for the admin
        "report --json": run(root, "report", "--quarter", QUARTER, "--json"),
        "export": run(root, "export"),
        "export --format csv": run(root, "export", "--format", "csv"),
        "export --format xlsx": run(root, "export", "--format", "xlsx", "--out", str(root / "export.xlsx")),
    }
    return root, first, second, commands


def test_planted_names_were_typed_where_they_should_be(planted):
    """The check below is not vacuous: the names are in the store and in the notes for the authors."""
    root, first, second, commands = planted
    assert first.stdout.endswith("1 accepted, 0 replaced, 0 duplicate, 6 rejected (7 file(s))\n"), first.stdout
    assert second.stdout.endswith("3 accepted, 0 replaced, 0 duplicate, 0 rejected (3 file(s))\n"), second.stdout
    everything = run(root, "export", "--include-sensitive")
    assert CHILD_A in everything.stdout and CHILD_B in everything.stdout and "Bartholomew Wigglesworth" in everything.stdout
    note = note_path(root / "rejected" / "Observation Bartholomew.docx").read_text(encoding="utf-8")
    assert message("child_id", label="Child ID", value="Philomena", example="C123456") in note
    for name, command in commands.items():
        assert command.exit_code == 0, (name, command.output)


def test_no_child_name_typed_in_a_field_reaches_any_collated_output(planted):
    root, first, second, commands = planted
    outputs = {name: result.stdout + result.stderr for name, result in commands.items()}
    outputs["ingest output"] = first.stdout + first.stderr + second.stdout + second.stderr
    outputs["ingest log"] = (root / "logs" / "ingest.log").read_text(encoding="utf-8")
    outputs["export.xlsx"] = xml_text((root / "export.xlsx").read_bytes())
    for path in sorted((root / "outbox" / QUARTER).rglob("*")):
        if path.suffix in (".docx", ".xlsx"):
            outputs[str(path.relative_to(root))] = xml_text(path.read_bytes())
    assert any(path.endswith(".docx") for path in outputs) and any("drafts" in path for path in outputs)
    assert found(FIELD_WORDS, outputs) == []


def test_the_draft_vignettes_carry_no_name_and_no_child_id(planted):
    root, _, _, commands = planted
    vignettes = json.loads(commands["report --json"].stdout)["evidence"]["vignettes"]
    path = root / "outbox" / QUARTER / vignettes["file"]
    outputs = {"report --json vignettes": json.dumps(vignettes), vignettes["file"]: xml_text(path.read_bytes())}
    assert any("sees his father weekly" in case["difference"] for case in vignettes["cases"])  # the text was drafted
    assert found(FIELD_WORDS, outputs) == []
    assert [(where, id_) for where, text in outputs.items() for id_ in ("C100201", "C100202") if id_ in text] == []


def test_no_file_name_reaches_status_export_or_the_ledger(planted):
    root, _, _, commands = planted
    outputs = {name: result.stdout + result.stderr for name, result in commands.items()}
    outputs["export.xlsx"] = xml_text((root / "export.xlsx").read_bytes())
    for path in (root / "outbox" / QUARTER).glob("*.xlsx"):
        outputs[path.name] = xml_text(path.read_bytes())
    outputs.pop("report --json")  # the report's own check is below
    outputs.pop("report")  # it prints the paths of the files it wrote
    assert found(FILE_WORDS, outputs) == []


def test_no_file_name_reaches_the_report_or_its_drafts(planted):
    root, _, _, commands = planted
    outputs = {"report --json": commands["report --json"].stdout, "report notes": commands["report"].stderr + "\n".join(
        line for line in commands["report"].stdout.splitlines() if line.startswith("Note:"))}
    for path in (root / "outbox" / QUARTER).rglob("*.docx"):
        outputs[str(path.relative_to(root))] = xml_text(path.read_bytes())
    assert found(FILE_WORDS, outputs) == []


# --- the rules, message by message ---------------------------------------------------------------


@pytest.fixture
def root(tmp_path):
    workspace = Workspace(tmp_path / "ws").ensure()
    return workspace.root


def ingest_one(root: Path, catalogue, name: str, form: str, values: dict | None = None, groups: dict | None = None):
    drop(root, catalogue, name, form, values, groups)
    result = run(root, "ingest", "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout.splitlines()[-1])
    note = note_path(root / "rejected" / name)
    return outcome, note.read_text(encoding="utf-8") if note.exists() else ""


def test_a_name_in_the_ccr_id_box_is_rejected_without_repeating_it(root, catalogue):
    outcome, note = ingest_one(root, catalogue, "ccr.docx", "ccr", ccr("Poppy Evans", "Poppy Evans"))
    expected = ("Child / young person's ID: what was typed here is the same as, or close to, the name typed in "
                "Child / young person's name. Enter the child's ID from the case record, for example C123456, never their name.")
    assert outcome["problems"] == [expected]
    assert f"  1. {expected}" in note.splitlines()
    assert "Poppy" not in note


def test_the_note_quotes_what_was_typed_and_collated_outputs_do_not(root, catalogue):
    outcome, note = ingest_one(root, catalogue, "ccr.docx", "ccr", ccr("C100201", "Tyler Jones", review_date="Tyler Jones"))
    assert outcome["problems"] == [
        "When was the review?: the value typed (not shown here) is not a date. Enter the date as dd/mm/yyyy, for example 03/11/2022.",
    ]
    assert "  1. When was the review?: 'Tyler Jones' is not a date. Enter the date as dd/mm/yyyy, for example 03/11/2022." in note.splitlines()


@pytest.mark.parametrize("typed", ["PEvans1", "evans", "Poppy"])
def test_an_id_close_to_the_childs_name_is_rejected(root, catalogue, typed):
    outcome, _ = ingest_one(root, catalogue, "ccr.docx", "ccr", ccr(typed, "Poppy Evans"))
    assert outcome["problems"] == [message("child_id_is_name", label="Child / young person's ID",
                                           name_label="Child / young person's name", example="C123456")]


def test_a_first_name_as_a_dip_sample_id_is_rejected_for_having_no_digit(root, catalogue):
    outcome, note = ingest_one(root, catalogue, "dip.xlsx", "dip_sample", groups=dip_rows("C1", "Jayden", "C100204"))
    assert outcome["status"] == "rejected"
    assert outcome["problems"] == [
        message("child_id", label="Child ID (row 1)", value="C1", example="C123456").public,
        "Child ID (row 2): the value typed (not shown here) does not look like a child's ID. Enter the ID from the "
        "case record, for example C123456, never the child's name.",
    ]
    assert "Child ID (row 2): 'Jayden' does not look like a child's ID." in note


def test_the_childs_name_in_the_team_box_is_rejected(root, catalogue):
    outcome, note = ingest_one(root, catalogue, "ccr.docx", "ccr", ccr("C100201", "Poppy Evans", team="poppy  evans"))
    expected = ("Team: what was typed here is the child's name, as typed in Child / young person's name. "
                "The name belongs only there: enter what this box asks for.")
    assert outcome["problems"] == [expected]
    assert f"  1. {expected}" in note.splitlines() and "poppy" not in note.casefold()


def test_a_workspace_sets_its_own_child_id_format(root, catalogue):
    (root / SETTINGS_FILE).write_text("child_id_pattern: '[A-Z]{3}-[A-Z]{3}'\nchild_id_example: ABC-DEF\n", encoding="utf-8")
    outcome, _ = ingest_one(root, catalogue, "obs.docx", "observation", {"child_id": "C100201"})
    assert outcome["problems"] == [public_message("child_id", label="Child ID", example="ABC-DEF")]
    outcome, _ = ingest_one(root, catalogue, "obs2.docx", "observation", {"child_id": "XYZ-QRS"})
    assert outcome["status"] == "accepted"


@pytest.mark.parametrize("content, expected", [
    ("child_id_patern: 'x'\n", "qa.yaml line 1: unknown setting 'child_id_patern'. Did you mean 'child_id_pattern'?"),
    ("child_id_pattern: '[A-Z'\n", "qa.yaml line 1: child_id_pattern '[A-Z' is not a valid regular expression "
     "(unterminated character set at position 0). Write it as in the comments of a new qa.yaml "
     "(run 'qa init' in an empty folder to see one)."),
    ("child_id_example: Jayden\n", "qa.yaml line 1: child_id_example 'Jayden' does not match child_id_pattern. Give an ID in your "
     "case system's format, so the example in messages is one that would be accepted."),
    ("completion_grace_days: -3\n", "qa.yaml line 1: completion_grace_days '-3' is not a number of days from 0 to 366. "
     "Write a whole number, for example 31."),
])
def test_a_broken_settings_file_is_reported_before_anything_is_ingested(root, catalogue, content, expected):
    (root / SETTINGS_FILE).write_text(content, encoding="utf-8")
    drop(root, catalogue, "obs.docx", "observation")
    result = run(root, "ingest")
    assert (result.exit_code, result.stderr) == (1, f"Error: {expected}\n")
    assert (root / "inbox" / "obs.docx").exists()


def test_init_writes_the_settings_file_with_the_defaults(tmp_path, catalogue):
    root = tmp_path / "ws"
    assert run(root, "init").exit_code == 0
    text = (root / SETTINGS_FILE).read_text(encoding="utf-8")
    assert "child_id_pattern: '(?=.*\\d)[A-Za-z0-9][A-Za-z0-9/-]{2,19}'" in text and "completion_grace_days: 31" in text
    outcome, _ = ingest_one(root, catalogue, "obs.docx", "observation", {"child_id": "Jayden"})
    assert outcome["problems"] == [public_message("child_id", label="Child ID", example="C123456")]


def test_rejection_reasons_in_status_and_report_never_quote_what_was_typed(root, catalogue):
    assert run(root, "init").exit_code == 0  # the report needs a roster
    ingest_one(root, catalogue, "ccr.docx", "ccr", ccr("C100201", "Poppy Evans", overall_grade="Poppy Evans"))
    report = run(root, "report", "--quarter", QUARTER, "--json")
    assert report.exit_code == 0, report.output
    assert "Poppy" not in report.stdout
    assert public_message("grade", label="Overall grade") in report.stdout
    status = run(root, "status", "--quarter", QUARTER, "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["rejections"][0]["reasons"] == [public_message("grade", label="Overall grade")]


# --- dates that fit the quarter ------------------------------------------------------------------


def test_a_review_before_the_quarter_is_rejected_naming_the_dates(root, catalogue):
    outcome, note = ingest_one(root, catalogue, "ccr.docx", "ccr", ccr(
        "C100201", "Poppy Evans", review_date=dt.date(2022, 7, 14), completed_on=dt.date(2022, 7, 20)))
    assert outcome["problems"] == [
        "Date completed: 20/07/2022 is outside the dates a 2022-23-Q3 form is completed on (01/10/2022 to 31/01/2023: "
        "the quarter and the 31 days after it). Enter the date it was completed, or correct Quarter if the form belongs "
        "to another quarter.",
        "When was the review?: 14/07/2022 is outside the quarter 2022-23-Q3 (01/10/2022 to 31/12/2022). Enter the date "
        "it took place, or correct Quarter if the form belongs to another quarter.",
    ]
    assert outcome["problems"][1] in note


@pytest.mark.parametrize("completed, accepted", [
    (dt.date(2023, 1, 31), True), (dt.date(2023, 2, 1), False), (dt.date(2022, 10, 1), True), (dt.date(2022, 9, 30), False),
])
def test_a_form_may_be_completed_up_to_31_days_after_its_quarter(root, catalogue, completed, accepted):
    outcome, _ = ingest_one(root, catalogue, "obs.docx", "observation", {"completed_on": completed})
    assert outcome["status"] == ("accepted" if accepted else "rejected"), outcome


def test_the_grace_for_completion_dates_is_set_per_workspace(root, catalogue):
    (root / SETTINGS_FILE).write_text("completion_grace_days: 0\n", encoding="utf-8")
    outcome, _ = ingest_one(root, catalogue, "obs.docx", "observation", {"completed_on": dt.date(2023, 1, 1)})
    assert outcome["problems"] == [message(
        "completed_outside_quarter", label="Date completed", date="01/01/2023", quarter=QUARTER, start="01/10/2022",
        end="31/12/2022", grace=0, quarter_label="Quarter")]


def test_an_activity_date_after_the_quarter_has_no_grace(root, catalogue):
    outcome, _ = ingest_one(root, catalogue, "obs.docx", "observation", {"observation_date": dt.date(2023, 1, 2)})
    assert outcome["problems"] == [message(
        "outside_quarter", label="Date of observation", date="02/01/2023", quarter=QUARTER, start="01/10/2022",
        end="31/12/2022", quarter_label="Quarter")]


# --- qa export -----------------------------------------------------------------------------------


@pytest.fixture
def exported(root, catalogue):
    ingest_one(root, catalogue, "CCR Poppy Evans.docx", "ccr", ccr(
        "C100201", "Poppy Evans", pen_picture="Poppy is six.", overall_evaluation="Poppy Evans said she feels safe."))
    ingest_one(root, catalogue, "dip.xlsx", "dip_sample", groups=dip_rows("C100201", "C100202"))
    return root


def test_export_leaves_out_sensitive_fields_and_file_names_by_default(exported):
    result = run(exported, "export", "--form", "ccr")
    assert result.exit_code == 0 and result.stderr == ""
    record = json.loads(result.stdout)[0]
    assert "file" not in record and record["submission"] == 1
    assert "child_name" not in record["values"] and "pen_picture" not in record["values"]
    assert record["values"]["overall_evaluation"] == "C100201 said she feels safe."
    assert "Poppy" not in result.stdout

    rows = list(csv.DictReader(io.StringIO(run(exported, "export", "--format", "csv").stdout)))
    assert "child_name" not in rows[0] and "file" not in rows[0] and rows[0]["child_id"] == "C100201"

    out = exported / "all.xlsx"
    assert run(exported, "export", "--format", "xlsx", "--out", str(out)).exit_code == 0
    header = [cell.value for cell in openpyxl.load_workbook(out)["ccr"][1]]
    assert header[:3] == ["Submission", "Status", "Quarter"]
    assert "Child / young person's name" not in header and "Pen picture" not in header and "File" not in header


def test_include_sensitive_exports_everything_and_says_so_on_stderr(exported):
    result = run(exported, "export", "--form", "ccr", "--include-sensitive")
    assert result.exit_code == 0
    assert result.stderr == (
        "This export includes the fields marked sensitive (children's names and free text about them) and file names. "
        "Keep it where only people entitled to see them can open it.\n"
    )
    record = json.loads(result.stdout)[0]
    assert record["file"] == "CCR Poppy Evans.docx"
    assert record["values"]["child_name"] == "Poppy Evans" and record["values"]["pen_picture"] == "Poppy is six."


def test_pseudonymise_gives_stable_pseudonyms_kept_in_the_workspace(exported, catalogue, tmp_path):
    first = json.loads(run(exported, "export", "--pseudonymise").stdout)
    key = exported / KEY_PATH
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    ccr_record = next(r for r in first if r["form"] == "ccr")
    dip_record = next(r for r in first if r["form"] == "dip_sample")
    pseudonym = ccr_record["values"]["child_id"]
    assert re.fullmatch(r"P-[0-9A-F]{12}", pseudonym)
    assert dip_record["groups"]["children"][0]["child_id"] == pseudonym  # the same child joins across forms
    assert ccr_record["values"]["overall_evaluation"] == f"{pseudonym} said she feels safe."
    assert "C100201" not in json.dumps(first) and "C100202" not in json.dumps(first)
    assert json.loads(run(exported, "export", "--pseudonymise").stdout) == first  # stable across runs

    csv_rows = list(csv.DictReader(io.StringIO(run(exported, "export", "--pseudonymise", "--format", "csv", "--form", "ccr").stdout)))
    assert csv_rows[0]["child_id"] == pseudonym
    out = tmp_path / "p.xlsx"
    run(exported, "export", "--pseudonymise", "--format", "xlsx", "--out", str(out))
    sheet = openpyxl.load_workbook(out)["dip_sample.children"]
    assert sheet.cell(2, 3).value == pseudonym

    other = Workspace(tmp_path / "other").ensure().root  # qa never guesses a workspace: this one is made
    ingest_one(other, catalogue, "dip.xlsx", "dip_sample", groups=dip_rows("C100201", "C100202"))
    elsewhere = json.loads(run(other, "export", "--pseudonymise").stdout)[0]["groups"]["children"][0]["child_id"]
    assert elsewhere != pseudonym  # another workspace, another key


def test_a_damaged_pseudonym_key_is_never_replaced(exported):
    key = exported / KEY_PATH
    key.parent.mkdir(parents=True)
    key.write_text("not a key\n", encoding="utf-8")
    result = run(exported, "export", "--pseudonymise")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message('pseudonym_key', path=key)}\n"
    assert key.read_text(encoding="utf-8") == "not a key\n"


# --- where the public wording comes from ---------------------------------------------------------


def test_every_message_that_quotes_a_typed_answer_has_a_public_wording():
    quotes = re.compile(r"\{(value|preview|examples|formula)\}")
    # A number that broke a minimum or maximum passed the number check first; settings and --child-id
    # are the admin's own file and command line, answered on their own screen.
    exempt = {"minimum", "maximum", "child_id_option"} | {key for key in MESSAGES if key.startswith("settings_")}
    quoting = {key for key, text in MESSAGES.items() if quotes.search(text)} - exempt
    assert quoting <= set(PUBLIC_MESSAGES)
    assert [key for key, text in PUBLIC_MESSAGES.items() if quotes.search(text)] == []


def test_reasons_logged_by_an_older_store_are_not_shown(root):
    assert run(root, "init").exit_code == 0 and not (root / "qa.sqlite3").exists()
    # A store made before reasons had a public wording: no public_json column, reasons that quote.
    with sqlite3.connect(root / "qa.sqlite3") as db:
        db.execute("CREATE TABLE ingest_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, file TEXT NOT NULL, claim TEXT,"
                   " sha256 TEXT, status TEXT NOT NULL, form TEXT, quarter TEXT, problems_json TEXT NOT NULL DEFAULT '[]',"
                   " destination TEXT, submission_id INTEGER)")
        db.execute("INSERT INTO ingest_log (at, file, status, form, quarter, problems_json) VALUES (?,?,?,?,?,?)",
                   ("2022-11-01T10:00:00", "ccr.docx", "rejected", "ccr", QUARTER,
                    json.dumps(["Child / young person's ID: 'Poppy Evans' is not in the expected form."])))
    report = run(root, "report", "--quarter", QUARTER, "--json")
    assert report.exit_code == 0, report.output
    assert "Poppy" not in report.stdout
    assert LEGACY_REASONS in report.stdout


@pytest.mark.parametrize("line, expected", [
    ("- {id: child, label: Child, type: number, identifying: child_id}",
     "x.yaml: field 'child': 'identifying: child_id' must be one of name, child_id, text, on a text field."),
    ("- {id: child, label: Child, identifying: yes}",
     "x.yaml: field 'child': 'identifying: True' must be one of name, child_id, text, on a text field."),
    ("- {id: seen, label: Seen, within_quarter: activity}",
     "x.yaml: field 'seen': 'within_quarter: activity' must be activity or completion, on a date field."),
    ("- {id: seen, label: Seen, type: date, within_quarter: during}",
     "x.yaml: field 'seen': 'within_quarter: during' must be activity or completion, on a date field."),
])
def test_a_privacy_or_date_flag_in_the_wrong_place_is_a_spec_error(root, line, expected):
    (root / "form_templates").mkdir()
    (root / "form_templates" / "x.yaml").write_text(
        "form: x\nversion: 1\ntitle: X\nformat: docx\nabout: service\nsections:\n  - title: S\n    fields:\n"
        "      - {id: quarter, label: Quarter, type: quarter}\n      - {id: completed_by, label: By}\n"
        "      - {id: completed_on, label: On, type: date}\n      " + line + "\n", encoding="utf-8")
    result = run(root, "forms")
    assert (result.exit_code, result.stderr) == (1, f"Error: {expected}\n")


def test_a_form_is_not_issued_with_a_name_for_its_child_id(root):
    result = run(root, "issue", "ccr", "--quarter", QUARTER, "--assignee", "Helen Okafor", "--child-id", "Poppy Evans")
    assert (result.exit_code, result.stderr) == (1, "Error: " + message("child_id_option", value="Poppy Evans", example="C123456") + "\n")
    assert not (root / "outbox" / "issued").exists()
    write_examples(Workspace(root))  # the assignee must be on the roster
    assert run(root, "issue", "ccr", "--quarter", QUARTER, "--assignee", "Helen Okafor", "--child-id", "C100201").exit_code == 0


def test_a_child_keeps_their_pseudonym_from_quarter_to_quarter(exported, catalogue):
    q2 = {"quarter": "2022-23-Q2", "completed_on": dt.date(2022, 9, 30)}
    outcome, _ = ingest_one(exported, catalogue, "dip-q2.xlsx", "dip_sample", q2, dip_rows("C100201"))
    assert outcome["status"] == "accepted", outcome
    ids = [json.loads(run(exported, "export", "--pseudonymise", "--form", "dip_sample", "--quarter", quarter).stdout)[0]
           ["groups"]["children"][0]["child_id"] for quarter in ("2022-23-Q2", QUARTER)]
    assert ids[0] == ids[1] and ids[0].startswith("P-")


def test_answers_of_a_form_gone_from_the_catalogue_are_left_out(tmp_path, catalogue):
    root = tmp_path / "ws"
    assert run(root, "init").exit_code == 0
    ingest_one(root, catalogue, "obs.docx", "observation")
    (root / "form_templates" / "observation.yaml").unlink()
    result = run(root, "export")
    assert result.exit_code == 0
    assert result.stderr == (
        "Left out the answers of 1 submission(s) whose form is no longer in form_templates/, since which of their "
        "fields are sensitive is not known. Add --include-sensitive to export them.\n"
    )
    assert json.loads(result.stdout)[0]["values"] == {}

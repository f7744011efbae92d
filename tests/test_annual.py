"""`qa report --year`: the Principal Social Worker's annual report, from the quarters' own report models."""

from __future__ import annotations

import json

from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli

from test_report import build_known_quarter

YEAR = "2022-23"


def qa(workspace, *args, today="2023-01-10"):
    return CliRunner(env={"QA_TODAY": today}).invoke(cli, ["--workspace", str(workspace.root), *args])


def test_the_annual_report_gives_each_quarters_figures_and_the_years(workspace, catalogue):
    build_known_quarter(workspace, catalogue).close()
    result = qa(workspace, "report", "--year", YEAR, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["quarters"] == ["2022-23-Q1", "2022-23-Q2", "2022-23-Q3"]
    assert data["not_included"] == ["2022-23-Q4"]  # begun on 01/01/2023, nothing returned yet
    # CCR grades of record (the moderated grade where there is one): Outstanding, Good, RI, Inadequate.
    assert [(g["quarter"], g["reviews"], g["counts"], g["good_or_better"]) for g in data["grades"]] == [
        ("2022-23-Q1", 0, [0, 0, 0, 0], "—"),
        ("2022-23-Q2", 4, [0, 2, 1, 1], "50%"),
        ("2022-23-Q3", 6, [0, 3, 2, 1], "50%"),
    ]
    assert data["year_grades"]["good_or_better"] == "50%" and data["year_grades"]["reviews"] == 10
    assert [(m["quarter"], m["moderated"], m["agreed"], m["higher"], m["lower"], m["agreed_percent"]) for m in data["moderation"]] == [
        ("2022-23-Q1", 0, 0, 0, 0, "—"), ("2022-23-Q2", 0, 0, 0, 0, "—"), ("2022-23-Q3", 5, 2, 1, 2, "40%")]
    assert data["messages"][-2] == ("Moderators agreed with the reviewer's grade in 2 of 5 moderated reviews (40%); "
                                    "they graded higher in 1 and lower in 2.")
    # The same figures the quarter's own report gives.
    quarter = json.loads(qa(workspace, "report", "--quarter", "2022-23-Q3", "--json").output)
    q3_activity = {line["activity"]: f"{line['counted']} of {line['minimum']}" for line in quarter["activity"]["lines"]}
    assert {line["activity"]: line["cells"][2]["text"] for line in data["activity"]} == q3_activity
    assert [line["cells"][3]["text"] for line in data["activity"]] == ["—"] * len(q3_activity)
    assert data["actions"][2] == {"quarter": "2022-23-Q3", "raised": quarter["actions"]["raised"],
                                  "completed": sum(a["status"] == "completed" for a in quarter["actions"]["raised_this_quarter"])}
    assert data["learning_events"][0] == {"date": "2022-05-25", "activity": "Thematic audit",
                                          "theme": "Neglect and the graded care profile",
                                          "notes": "Managers to book 10 May. Learning event: learning from Q4 2021-22."}

    report = workspace.outbox / YEAR / f"PSW-annual-QA-report-{YEAR}.docx"
    document = Document(report)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Moderators agreed with the reviewer's grade in 2 of 5 moderated reviews (40%)" in text
    grades = next(t for t in document.tables if t.rows[0].cells[0].text == "Quarter" and t.rows[0].cells[2].text == "Outstanding")
    assert [[c.text for c in row.cells] for row in grades.rows[1:]] == [
        ["2022-23-Q1", "0", "0", "0", "0", "0", "—"], ["2022-23-Q2", "4", "0", "2", "1", "1", "50%"],
        ["2022-23-Q3", "6", "0", "3", "2", "1", "50%"]]
    assert "Amelia" not in text and "Hartley" not in text
    assert len(document.inline_shapes) == 1  # the grades-by-quarter chart


def test_the_annual_report_is_replaced_in_place_and_the_previous_kept(workspace, catalogue):
    build_known_quarter(workspace, catalogue).close()
    first = qa(workspace, "report", "--year", YEAR)
    assert first.exit_code == 0, first.output
    report = workspace.outbox / YEAR / f"PSW-annual-QA-report-{YEAR}.docx"
    assert first.output.splitlines()[:2] == [f"PSW annual report for {YEAR}: {report}",
                                             "Quarters included: 2022-23-Q1, 2022-23-Q2, 2022-23-Q3"]
    again = qa(workspace, "report", "--year", YEAR)
    kept = [line for line in again.output.splitlines() if line.startswith("Previous version kept in: ")]
    assert len(kept) == 1 and (workspace.outbox / YEAR / "previous").is_dir()
    assert list((workspace.outbox / YEAR / "previous").rglob(report.name))


def test_a_quarter_still_running_with_returns_is_included_as_in_progress(workspace, catalogue):
    build_known_quarter(workspace, catalogue).close()
    data = json.loads(qa(workspace, "report", "--year", YEAR, "--json", today="2022-11-30").output)
    assert data["quarters"] == ["2022-23-Q1", "2022-23-Q2", "2022-23-Q3"]
    assert data["quarter_status"] == ["Ended", "Ended", "In progress"]
    assert data["notes"] == ["2022-23-Q3 is still in progress: its figures are as at 30/11/2022."]


def test_bad_year_options_say_how_to_write_them(workspace):
    result = qa(workspace, "report", "--year", "2022")
    assert result.exit_code == 1
    assert result.output == "Error: --year: '2022' is not a financial year. Write it as 2022-23 (April 2022 to March 2023).\n"
    both = qa(workspace, "report", "--year", YEAR, "--quarter", "2022-23-Q3")
    assert both.exit_code == 2
    assert both.output.endswith("Error: Give --quarter for a quarter's DLT report or --year for the annual report, not both.\n")
    neither = qa(workspace, "report")
    assert neither.exit_code == 2
    assert neither.output.endswith("Error: Missing option '--quarter' (or '--year' for the annual report).\n")

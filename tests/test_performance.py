"""Performance data (admin/performance.xlsx) and the Heads of Service's QA activity in the quarterly report."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from click.testing import CliRunner
from docx import Document

from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.performance import Reading, write_performance

from answers import full_answers
from filling import fill

Q3 = "2022-23-Q3"


def qa(workspace, *args):
    return CliRunner().invoke(cli, ["--workspace", str(workspace.root), *args])


def _months(*values):
    return zip([dt.date(2022, month, 1) for month in (8, 9, 10, 11, 12)], values)


def write_sheet(workspace) -> None:
    readings = [
        *[Reading("Visits within timescale", m, 90, v, True, "%", "Quality of visits") for m, v in _months(91, 92, 91, 87, 86)],
        *[Reading("Average caseload", m, 18, v, False, "children") for m, v in _months(19, 18, 17.5, 17.9, 18.4)],
        *[Reading("Assessments in timescale", m, 85, v, True, "%", "Assessment") for m, v in _months(70, 84, 80, 83, 91)],
        *[Reading("Supervision in timescale", m, 95, v, True, "%", "Supervision") for m, v in _months(90, 90, 80, 99, 99)],
    ]
    path = workspace.root / "admin" / "performance.xlsx"
    write_performance(path, readings)
    book = openpyxl.load_workbook(path)
    sheet = book["Indicators"]
    bad = [["Visits within timescale", "Smarch 2022", 90, 80, "Yes"], ["Caseload of doom", "December 2022", 10, "lots", "Yes"],
           ["", "December 2022", 10, 5, "Maybe"], ["Average caseload", "December 2022", 18, 18.1, "No"]]
    for number, row in enumerate(bad, start=22):  # below the 20 good rows and their heading
        for column, value in enumerate(row, start=1):
            sheet.cell(number, column, value)
    book.save(path)


def test_the_report_summarises_the_months_indicators_and_suggests_themes(workspace):
    write_examples(workspace)
    write_sheet(workspace)
    result = qa(workspace, "report", "--quarter", Q3, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["performance"]
    assert data["file"] == "admin/performance.xlsx"
    assert [(i["line"]["indicator"], i["line"]["value"], i["line"]["target"], i["line"]["rag"], i["line"]["direction"],
             i["line"]["months"]) for i in data["indicators"]] == [
        ("Average caseload", "18.4 children", "18 children", "Amber", "Worsening",
         "Oct 17.5 children · Nov 17.9 children · Dec 18.4 children"),
        ("Visits within timescale", "86%", "90%", "Amber", "Worsening", "Oct 91% · Nov 87% · Dec 86%"),
        ("Assessments in timescale", "91%", "85%", "Green", "Improving", "Oct 80% · Nov 83% · Dec 91%"),
        ("Supervision in timescale", "99%", "95%", "Green", "No change", "Oct 80% · Nov 99% · Dec 99%"),
    ]
    assert (data["red"], data["amber"], data["green"]) == (0, 2, 2)
    # Red, then Amber, then Green, by name. Off target two months running (Nov and Dec) suggests a theme; off target one month (the caseload) does not.
    assert data["suggestions"] == ["Visits within timescale has been off target for 2 months running (86% against 90% in "
                                   "December 2022): consider a thematic audit of Quality of visits."]
    assert data["problems"] == [
        "performance.xlsx · sheet 'Indicators' row 22: Month 'Smarch 2022' is not a month. Write the month and year, "
        "for example October 2022.",
        "performance.xlsx · sheet 'Indicators' row 23: Value 'lots' is not a number. Write the number alone, for example "
        "85 (put % in the Unit column).",
        "performance.xlsx · sheet 'Indicators' row 24: Indicator is empty. Fill it in, or delete the row.",
        "performance.xlsx · sheet 'Indicators' row 24: Higher is better 'Maybe' is not Yes or No. Write Yes when a higher "
        "value is better (visits in timescale), No when lower is better (caseloads).",
        "performance.xlsx · sheet 'Indicators' row 25: 'Average caseload' for December 2022 is also on row 11. Keep one "
        "row per indicator per month.",
    ]
    document = Document(workspace.outbox / Q3 / f"QA-report-{Q3}.docx")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Indicator")
    assert [c.text for c in table.rows[2].cells] == ["Visits within timescale\nQuality of visits", "December 2022", "86%",
                                                     "90%\nHigher is better", "Amber", "Worsening",
                                                     "Oct 91% · Nov 87% · Dec 86%"]
    text = [p.text for p in document.paragraphs]
    assert data["suggestions"][0] in text
    assert data["problems"][0] in text


def test_without_a_performance_sheet_the_section_is_left_out(workspace):
    write_examples(workspace)
    result = qa(workspace, "report", "--quarter", Q3, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["performance"]["indicators"] == []
    text = [p.text for p in Document(workspace.outbox / Q3 / f"QA-report-{Q3}.docx").paragraphs]
    assert "Performance data beside the audit findings" not in text


def test_the_heads_of_services_qa_activity_is_in_the_report(workspace, catalogue):
    write_examples(workspace)
    workspace.copy_builtin_specs()
    spec = catalogue.find("hos_summary")
    values, groups = full_answers(spec)
    values.update(quarter=Q3, completed_by="Priya Raman", service="Assessment and child protection",
                  activity_undertaken="- Chaired two legal gateway panels\n- Reviewed 12 case decisions\n")
    (workspace.inbox / "summary.docx").write_bytes(fill(spec, values, groups))
    assert qa(workspace, "ingest", "--settle", "0").exit_code == 0
    data = json.loads(qa(workspace, "report", "--quarter", Q3, "--json").output)
    assert data["hos_activity"] == [{"service": "Assessment and child protection", "author": "Priya Raman", "file": "S-0001",
                                     "points": ["Chaired two legal gateway panels", "Reviewed 12 case decisions"]}]
    document = Document(workspace.outbox / Q3 / f"QA-report-{Q3}.docx")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Service" and len(t.columns) == 4)
    assert [c.text for c in table.rows[1].cells] == ["Assessment and child protection", "Priya Raman",
                                                     "Chaired two legal gateway panels\nReviewed 12 case decisions", "S-0001"]

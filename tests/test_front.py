"""Page one, honest trends, learning followed through and staff named as the framework asks — read from the report.

Quarters are built in code (returns saved to the store as ingest saves them), the report is rendered
with `qa report` and read back: its JSON and the paragraphs and tables of the .docx.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.admin import Person, Role, write_roster
from pipeline.cli import cli
from pipeline.quarter import Quarter
from pipeline.report.actions import REGISTER_NAME
from pipeline.report.carried import KINDS, learning_ref
from pipeline.report.trends import change_between, trend_line, wilson
from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.validate import Submission
from pipeline.workspace import BUILTIN_SPECS
from report_checks import contradictions, rows, section, table

SPECS = Catalogue.load(BUILTIN_SPECS)
Q1, Q2, Q3 = (Quarter.from_label(label) for label in ("2022-23-Q1", "2022-23-Q2", "2022-23-Q3"))
DOMAINS = ("assessment", "planning", "multi_agency_review", "voice_of_child", "parents_carers_engagement",
           "management_oversight", "case_recording")
ROSTER = [
    Person("Dee Director", Role.DCS, "Directorate", None, None),
    Person("Hana Head", Role.HEAD_OF_SERVICE, "Children in need", "Dee Director", None),
    Person("Hugo Head", Role.HEAD_OF_SERVICE, "Protection", "Dee Director", None),
    Person("Tara Manager", Role.TEAM_MANAGER, "Assessment", "Hana Head", None),
    Person("Sam Worker", Role.SOCIAL_WORKER, "Assessment", "Tara Manager", None),
    Person("Pat Principal", Role.PSW, "Quality assurance", "Hana Head", None),
]
CHILD_NAME = "Amelia Hartley"


def _save(store: Store, form: str, values: dict, groups: dict | None = None) -> None:
    tag = uuid.uuid4().hex
    store.save(Submission(form, None, 1, values, groups or {}, spec=SPECS.get(form)),
               file=f"{form}-{tag[:6]}.docx", sha256=tag, claim=tag, destination="archive")


def _ccrs(store: Store, quarter: Quarter, grades: list[str], voice_good: int) -> None:
    """One CCR per grade (moderated as given); the voice-of-the-child domain good in the first *voice_good*."""
    for number, grade in enumerate(grades):
        values = {f"{d}_grade": "Good" for d in DOMAINS}
        values["voice_of_child_grade"] = "Good" if number < voice_good else "Requires improvement"
        values.update(quarter=quarter.label, completed_by="Pat Principal", completed_on=quarter.start.isoformat(),
                      child_id=f"C{quarter.number}{number:03d}", child_name=CHILD_NAME, team="Assessment",
                      level_of_need="Child in need", reviewer="Pat Principal", overall_grade=grade, moderated_grade=grade,
                      moderator="Hugo Head")
        _save(store, "ccr", values)


def _summary(store: Store, quarter: Quarter, head: str, needs: str) -> None:
    _save(store, "hos_summary", {"quarter": quarter.label, "completed_by": head, "completed_on": quarter.start.isoformat(),
                                 "service": "Children in need" if head == "Hana Head" else "Protection",
                                 "working_well": "Visits are purposeful.", "worried_about": "Drift after step-down.",
                                 "needs_to_happen": needs})


@pytest.fixture
def quarters(workspace):
    write_roster(workspace.roster_path, ROSTER)
    with Store(workspace.store_path) as store:
        yield store


def _report(workspace, quarter: Quarter) -> tuple[dict, Document]:
    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", quarter.label, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data, Document(str(workspace.outbox / quarter.label / f"QA-report-{quarter.label}.docx"))


def _numbered(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style and p.text]


def test_page_one_says_what_we_know_how_we_know_it_and_what_we_will_do(workspace, quarters):
    _ccrs(quarters, Q2, ["Good"] * 4 + ["Requires improvement"] * 6, voice_good=3)
    _ccrs(quarters, Q3, ["Outstanding", "Good", "Good", "Good", "Requires improvement", "Requires improvement",
                         "Requires improvement", "Requires improvement", "Inadequate", "Inadequate"], voice_good=2)
    _summary(quarters, Q3, "Hana Head", "Fathers' engagement to be audited.\nRecording audit in every team.")
    _summary(quarters, Q3, "Hugo Head", "Fathers' engagement to be audited.")
    (workspace.root / "admin" / "psw-commentary-2022-23-Q3.txt").write_text(
        f"Practice is steadier.\n\nWe met {CHILD_NAME}'s family to hear how the plan felt.\n", encoding="utf-8")
    data, document = _report(workspace, Q3)

    judgement = ("The quality of practice in 2022-23-Q3 is below our standard: 4 of 10 children's practice reviewed (40%) was "
                 "good or better (target at least 40%) and 2 (20%) inadequate (target no more than 10%), on the moderated "
                 "grade where there is one. That is no clear change from 40% of 10 in 2022-23-Q2.")
    assert data["front"]["judgement"] == judgement
    assert document.tables[2].rows[0].cells[0].text == judgement + " (10 collaborative case reviews, 10 of them moderated)"
    know = section(document, "What we know")
    assert ("Of the 7 domains, assessment was strongest (100% good or better) and voice of the child weakest (20%). "
            "(10 reviews, reviewers' domain grades)") in know
    assert ("Collaborative case reviews of 10 children, across 1 team(s) and 1 of 5 levels of need; 10 were moderated and the "
            "moderator agreed with the reviewer's grade in 10 (100%). (section 3)") in section(document, "How we know it")
    assert _numbered(document, "List Number") == [
        "Assure DLT that each of the 2 children whose practice was graded inadequate was safe at the time, and that their "
        "plan has been acted on and a re-review date set. (section 3)",
        "Improve voice of the child: 20% good or better against a target of at least 40%. (10 reviews)",
        "Fathers' engagement to be audited. (raised by 2 people)",
        "Recording audit in every team. (raised by 1 person)",
    ]
    commentary = next(t for t in document.tables if "Practice is steadier." in t.rows[0].cells[0].text).rows[0].cells[0].text
    assert commentary.strip() == "Practice is steadier.\nWe met [child]'s family to hear how the plan felt."  # as written, but the name
    assert CHILD_NAME not in "\n".join(p.text for p in document.paragraphs) + commentary
    assert contradictions(workspace.outbox / Q3.label / "QA-report-2022-23-Q3.docx", [p.name for p in ROSTER]) == []


def test_without_commentary_page_one_says_where_to_write_it_and_the_cover_says_no_previous_quarter(workspace, quarters):
    _ccrs(quarters, Q3, ["Good", "Requires improvement"], voice_good=1)
    data, document = _report(workspace, Q3)
    box = next(t for t in document.tables if "To be written by the Principal Social Worker" in t.rows[0].cells[0].text)
    assert "admin/psw-commentary-2022-23-Q3.docx (or a .txt file of that name)" in box.rows[0].cells[0].text
    cover = {r[0]: r[1] for r in rows(document.tables[1])}
    assert cover["Compared with"] == "no previous quarter (no collaborative case reviews for 2022-23-Q2)"
    assert data["front"]["judgement"].endswith("There is no previous quarter to compare with.")
    measures = table(document, ["Measure", "2022-23-Q3", "This quarter", "Change from last quarter", "Target",
                                "Against target"])
    assert rows(measures)[0] == ["Good or better (overall, moderated)", "50%", "50% (n=2)", "no previous quarter", "at least 40%", "met"]


@pytest.mark.parametrize(
    ("before", "after", "verdict", "points"),
    [((7, 20), (8, 21), "no clear change", 3.1),  # +3 points on ~20 reviews is sampling noise
     ((4, 20), (15, 21), "clear rise", 51.4),  # the demo's '+51 points' is a real change
     ((15, 20), (5, 21), "clear fall", -51.2),
     ((0, 0), (5, 21), "no previous quarter", None)],
)
def test_a_change_is_clear_only_outside_sampling_noise(before, after, verdict, points):
    assert change_between(*before, *after)[:2] == (verdict, points)


def test_a_trend_line_states_n_the_interval_and_the_target():
    assert wilson(8, 21) == (20.8, 59.1)
    line = trend_line("Good or better", "good or better", [("2022-23-Q2", 7, 20), ("2022-23-Q3", 8, 21)], 40, True)
    assert line.sentence == ("Good or better: 38% of 21 (95% CI 21–59%), no clear change from 35% of 20 in 2022-23-Q2; "
                             "target at least 40%: not met, within noise.")
    low = trend_line("Good or better", "good or better", [("2022-23-Q2", 2, 20), ("2022-23-Q3", 3, 21)], 40, True)
    assert low.versus_target == "not met"  # the whole interval (5–35%) is under the target
    inadequate = trend_line("Inadequate", "inadequate", [("2022-23-Q3", 1, 21)], 10, False)
    assert (inadequate.change, inadequate.versus_target) == ("no previous quarter", "met")


def test_four_quarters_show_a_trend_with_a_clear_change_over_the_year(workspace, quarters):
    for quarter, good in zip((Q1.previous(), Q1, Q2, Q3), (2, 5, 6, 16)):
        _ccrs(quarters, quarter, ["Good"] * good + ["Requires improvement"] * (20 - good), voice_good=10)
    data, document = _report(workspace, Q3)
    by_quarter = rows(table(document, ["Quarter", "Reviews (n)", "Good or better (95% CI)", "Inadequate (95% CI)"]))
    assert [r[:3] for r in by_quarter] == [
        ["2021-22-Q4", "20", "10% (2 of 20; 3–30%)"], ["2022-23-Q1", "20", "25% (5 of 20; 11–47%)"],
        ["2022-23-Q2", "20", "30% (6 of 20; 14–52%)"], ["2022-23-Q3", "20", "80% (16 of 20; 58–92%)"]]
    assert data["trends"]["lines"][0]["change"] == "clear rise" and data["trends"]["few_quarters"] == ""
    assert "Good or better (overall, moderated): 80% of 20 (95% CI 58–92%), clear rise from 30% of 20 in 2022-23-Q2; " \
           "target at least 40%: met." in "\n".join(p.text for p in document.paragraphs)


def test_learning_is_carried_forward_with_a_status_until_closed(workspace, quarters):
    _ccrs(quarters, Q1, ["Good"] * 5, voice_good=1)  # voice of the child 20%: a priority
    _summary(quarters, Q1, "Hana Head", "Fathers' engagement to be audited.\nRecording audit in every team.")
    _ccrs(quarters, Q2, ["Good"] * 5, voice_good=4)  # voice of the child 80%: target met
    _summary(quarters, Q2, "Hana Head", "Recording audit in every team.")
    closed = learning_ref(Q1.label, KINDS["hos_summary"], "Fathers' engagement to be audited.")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Ref", "Completed on"])
    workbook.active.append([closed, dt.datetime(2022, 8, 20)])
    workbook.save(workspace.root / "admin" / REGISTER_NAME)

    data, document = _report(workspace, Q2)
    said = {p["text"]: (p["said_in"], p["status"], p["happened"]) for p in data["carried"]["points"]}
    assert said == {
        "Fathers' engagement to be audited.": ("2022-23-Q1", "Closed", "Recorded as done on 20 August 2022 in the action register."),
        "Recording audit in every team.": ("2022-23-Q1", "Open", "Raised again in 2022-23-Q2."),
        "Improve voice of the child: 20% good or better against a target of at least 40%.":
            ("2022-23-Q1", "Closed", "Target met in 2022-23-Q2 (no clear change since 2022-23-Q1)."),  # 1 of 5 → 4 of 5
    }
    carried = rows(table(document, ["We said", "Since", "What happened", "Evidence", "Status"]))
    assert [(r[0].splitlines()[0], r[4]) for r in carried] == [
        ("Recording audit in every team.", "Open"),
        ("Improve voice of the child: 20% good or better against a target of at least 40%.", "Closed"),
        ("Fathers' engagement to be audited.", "Closed"),
    ]

    _ccrs(quarters, Q3, ["Good"] * 5, voice_good=4)
    data, _ = _report(workspace, Q3)
    said = {p["text"]: (p["said_in"], p["status"], p["happened"]) for p in data["carried"]["points"]}
    assert said == {  # closed last quarter: no longer shown; the open point is still followed, from when it was first said
        "Recording audit in every team.": ("2022-23-Q1", "Open", "Not raised again in 2022-23-Q3; no completion recorded."),
        "Improve voice of the child: 20% good or better against a target of at least 40%.":
            ("2022-23-Q1", "Closed", "Target met in 2022-23-Q3 (no clear change since 2022-23-Q1)."),
    }


def test_no_practitioner_is_named_beside_an_area_for_development(workspace, quarters):
    _ccrs(quarters, Q3, ["Good"], voice_good=1)
    _save(quarters, "observation", {"quarter": Q3.label, "completed_by": "Tara Manager", "completed_on": "2022-11-01",
                                    "observer": "Tara Manager", "practitioner": "Sam Worker", "observation_date": "2022-11-01",
                                    "nature": "Visit", "level_of_need": "Child in need", "strengths": "Warm and direct.",
                                    "areas_for_development": "Plan the visit with the child's wishes in mind."})
    _save(quarters, "supervision_audit", {"quarter": Q3.label, "completed_by": "Hana Head", "completed_on": "2022-11-02",
                                          "auditor": "Hana Head", "supervisor": "Tara Manager", "supervisee": "Sam Worker",
                                          "supervisee_role": "Social worker", "team": "Assessment", "overall_grade": "Good",
                                          "strengths": "Regular.", "areas_for_development": "Little reflection on impact."})
    _, document = _report(workspace, Q3)
    development = section(document, "Areas for development")
    assert len(development) == 1 and development[0].startswith(
        "Plan the visit with the child's wishes in mind. — Social worker, Assessment (S-")
    worries = section(document, "What we are worried about")
    assert worries[0].startswith("Little reflection on impact. — Social worker, Assessment (S-")
    names = [p.name for p in ROSTER]
    assert contradictions(workspace.outbox / Q3.label / "QA-report-2022-23-Q3.docx", names) == []
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Sam Worker" not in body and "Tara Manager" not in body


def test_every_table_heading_fits_its_column_without_breaking_a_word():
    from docx.shared import Cm

    from pipeline.report.template import build_template

    document = Document(io.BytesIO(build_template()))
    broken = []
    for found in document.tables[1:]:
        header = found.rows[0]
        total = sum(cell.width for cell in header.cells if cell.width) / Cm(1)
        if total > 17.05:  # wider than the page's text: the reader's Word or LibreOffice squeezes every column
            broken.append(f"{[c.text for c in header.cells]} is {total:.1f} cm wide")
        for cell in header.cells:
            width = cell.width / Cm(1) if cell.width else 17.0
            for word in [] if "{{" in cell.text else cell.text.split():  # a tag's value is a quarter, '2022-23-Q3'
                needed = 0.2 * len(word) + 0.35  # 8.5 pt bold (DejaVu where Arial is missing): ~0.2 cm a character, plus margins
                if needed > width:
                    broken.append(f"'{word}' ({needed:.1f} cm) in a {width:.1f} cm column of {[c.text for c in header.cells]}")
    assert broken == []

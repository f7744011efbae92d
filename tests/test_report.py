"""The quarterly DLT report: numbers in the model, --json and the Word document; privacy; exact free text."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from pipeline.admin import read_roster, write_examples
from pipeline.cli import cli
from pipeline.compliance import assess, assess_workspace
from pipeline.formfile.oxml import element_of
from pipeline.ingest import examine, ingest_inbox
from pipeline.quarter import Quarter
from pipeline.report import build_report
from pipeline.report.actions import REGISTER_NAME, read_register
from pipeline.report.activity import RAG_COLOURS
from pipeline.report.model import build_model
from pipeline.report.redact import Redactor
from pipeline.report.template import template_path
from pipeline.spec import Catalogue
from pipeline.store import Store
from pipeline.targets import load_targets
from pipeline.validate import Submission
from pipeline.workspace import BUILTIN_SPECS

SPECS = Catalogue.load(BUILTIN_SPECS)

Q3, Q2 = Quarter.from_label("2022-23-Q3"), Quarter.from_label("2022-23-Q2")
DOMAINS = (
    "assessment",
    "planning",
    "multi_agency_review",
    "voice_of_child",
    "parents_carers_engagement",
    "management_oversight",
    "case_recording",
)
# child ID, name, team, level of need, reviewer's overall grade, moderated grade
CCRS_Q3 = [
    ("C1001", "Amelia Hartley", "Assessment", "Child in need", "Good", "Good"),
    ("C1002", "Noah Brennan", "Assessment", "Child protection", "Outstanding", "Good"),
    ("C1003", "Lily-Mae Ockenden", "Child protection", "Child protection", "Requires improvement", "Requires improvement"),
    ("C1004", "Tyler Quist", "Child protection", "Child we look after", "Inadequate", "Requires improvement"),
    ("C1005", "Freya Thistlewood", "Care leavers", "Care leaver", "Good", None),
    ("C1006", "Oscar Pembleton", "Care leavers", "Care leaver", "Good", "Inadequate"),
]
CCRS_Q2 = [
    ("C2001", "Isla Fenwright", "Assessment", "Child in need", "Good", None),
    ("C2002", "Jude Marchbank", "Assessment", "Child in need", "Good", None),
    ("C2003", "Esme Rookwood", "Child protection", "Child protection", "Requires improvement", None),
    ("C2004", "Arlo Stannard", "Care leavers", "Care leaver", "Inadequate", None),
]
CHILD_NAMES = [row[1] for row in CCRS_Q3 + CCRS_Q2]
EXACT = 'A <b>bold</b> claim & "quoted" words\nsecond line, with <tags> & ampersands'


def _save(store: Store, form: str, values: dict, groups: dict | None = None, variant: str | None = None, file: str | None = None) -> None:
    tag = uuid.uuid4().hex
    store.save(
        Submission(form, variant, 1, values, groups or {}, spec=SPECS.get(form, variant)),
        file=file or f"{form}-{tag[:6]}.docx",
        sha256=tag,
        claim=tag,
        destination="archive",
    )


def _ccr(store: Store, quarter: Quarter, row: tuple, actions: list[dict]) -> None:
    child_id, name, team, level, grade, moderated = row
    values = {f"{d}_grade": grade for d in DOMAINS}
    values["voice_of_child_grade"] = "Requires improvement"  # the weakest domain everywhere
    values.update(
        quarter=quarter.label,
        completed_by="Helen Okafor",
        completed_on=quarter.start.isoformat(),
        child_id=child_id,
        child_name=name,
        team=team,
        level_of_need=level,
        reviewer="Helen Okafor",
        overall_grade=grade,
        moderated_grade=moderated,
        moderator="Amira Shah" if moderated else None,
        edi_evaluation=f"{name.split()[0]}'s heritage was understood.",
        pen_picture=f"{name} is nine.",
    )
    _save(store, "ccr", values, {"actions": actions}, file=f"CCR - {child_id}.docx")


def build_known_quarter(workspace, catalogue) -> Store:
    """Two quarters of returns with known numbers, a rejected file named after a child, a completion register."""
    write_examples(workspace)  # roster, plan and targets: the report's RAG table needs them
    store = Store(workspace.store_path)
    _ccr(store, Q2, CCRS_Q2[0], [{"action": "Old action completed in Q3", "owner": "Old Owner", "due_date": "2022-09-30"}])
    _ccr(store, Q2, CCRS_Q2[1], [{"action": "Old action closed in Q2", "owner": "Old Owner", "due_date": "2022-08-30"}])
    _ccr(store, Q2, CCRS_Q2[2], [{"action": "Old action still open", "owner": "Old Owner", "due_date": "2022-09-01"}])
    _ccr(store, Q2, CCRS_Q2[3], [])
    actions = {
        "C1001": [{"action": "Update the chronology for Amelia", "owner": "Ann Owner", "due_date": "2022-12-01"}],
        "C1002": [{"action": "Network meeting", "owner": "Ann Owner", "due_date": "2023-01-31"}],
    }
    for row in CCRS_Q3:
        _ccr(store, Q3, row, actions.get(row[0], []))
    common = {"quarter": Q3.label, "completed_on": "2022-11-20"}
    _save(
        store,
        "dip_sample",
        {
            **common,
            "completed_by": "Sarah Lowe",
            "auditor": "Sarah Lowe",
            "theme": "Networks and contingency planning",
            "edi_evaluation": EXACT,
        },
        {
            "children": [
                {
                    "child_id": "C3001",
                    "team": "Assessment",
                    "level_of_need": "Early help",
                    "compliant": "Yes",
                    "finding": "Good network.",
                    "network_identified": "Yes",
                },
                {
                    "child_id": "C3002",
                    "team": "Assessment",
                    "level_of_need": "Child in need",
                    "compliant": "Yes",
                    "finding": "Fine.",
                    "network_identified": "Yes",
                },
                {
                    "child_id": "C3003",
                    "team": "Child protection",
                    "level_of_need": "Child protection",
                    "compliant": "Partly",
                    "finding": "Network named but not in the plan.",
                    "network_identified": "Partly",
                },
                {
                    "child_id": "C3004",
                    "team": "Child protection",
                    "level_of_need": "Child protection",
                    "compliant": "No",
                    "finding": "No contingency plan.",
                    "network_identified": "No",
                    "action": "Hold a network meeting",
                    "owner": "Sam Team",
                    "due_date": "2022-11-15",
                },
            ]
        },
        variant="networks_contingency",
    )
    _save(
        store,
        "thematic_audit",
        {
            **common,
            "completed_by": "Amira Shah",
            "auditor": "Amira Shah",
            "theme": "Quality of visits / voice of the child",
            "edi_evaluation": "Identity explored.",
        },
        {
            "children": [
                {
                    "child_id": f"C400{n}",
                    "team": "Assessment",
                    "level_of_need": "Child in need",
                    "grade": grade,
                    "visits_in_timescale": "Yes",
                    "worries": "Visits late." if grade != "Outstanding" else None,
                }
                for n, grade in enumerate(("Good", "Requires improvement", "Outstanding"), 1)
            ]
        },
        variant="quality_of_visits",
    )
    for nature, practitioner in (("Visit", "Ben Carter"), ("Meeting", "Aisha Begum")):
        _save(
            store,
            "observation",
            {
                **common,
                "completed_by": "Sarah Lowe",
                "observer": "Sarah Lowe",
                "practitioner": practitioner,
                "nature": nature,
                "strengths": "Warm and direct.",
                "areas_for_development": "Record sooner.",
                "edi_evaluation": "Interpreter used.",
            },
        )
    _save(
        store,
        "supervision_audit",
        {
            **common,
            "completed_by": "Priya Raman",
            "auditor": "Priya Raman",
            "supervisor": "Sarah Lowe",
            "supervisee": "Ben Carter",
            "supervisee_role": "Social worker",
            "team": "Assessment",
            "frequency_met": "Yes",
            "reflective": "Partly",
            "case_direction": "No",
            "overall_grade": "Good",
            "strengths": "Regular.",
            "areas_for_development": "Little reflection.",
            "edi_evaluation": "Discussed.",
        },
        {"actions": [{"action": "Reflective supervision training", "owner": "Sarah Lowe", "due_date": "2023-02-01"}]},
    )
    for service, author in (("Assessment and child protection", "Priya Raman"), ("Early help", "Dawn Whitley")):
        _save(
            store,
            "hos_summary",
            {
                **common,
                "completed_by": author,
                "service": service,
                "activity_undertaken": "Dip samples.",
                "working_well": "- Visits are purposeful\n• Plans use the family's words & <voice>",
                "worried_about": "Drift after step-down",
                "needs_to_happen": "1. Workshop on networks",
                "edi_evaluation": "Good.",
                "learning": "Training on danger statements",
            },
        )
    _save(
        store,
        "service_summary",
        {
            **common,
            "completed_by": "Diane Foster",
            "area_of_service": "Early help",
            "activity_undertaken": "Audits.",
            "working_well": "Visits are purposeful",
            "worried_about": "Waiting lists",
            "needs_to_happen": "More staff",
        },
    )
    _save(
        store,
        "child_family_feedback",
        {
            **common,
            "completed_by": "Amira Shah",
            "source": "Child or young person",
            "child_id": "C1001",
            "how_gathered": "Visit",
            "feedback_date": "2022-11-01",
            "participants": 1,
            "working_well": "Amelia said she feels listened to.",
            "worried_about": "Meetings in school time.",
            "response": "Meet after school.",
            "edi_evaluation": "Felt respected.",
        },
    )
    _save(
        store,
        "staff_feedback",
        {
            **common,
            "completed_by": "Amira Shah",
            "source": "Practitioners' forum",
            "respondents": 40,
            "involved_in_qa": 30,
            "topics": ["Workload"],
            "working_well": "Supervision.",
            "worried_about": "Caseloads.",
            "needs_to_happen": "Recruit.",
            "edi_evaluation": "Fine.",
        },
    )
    # A file named after a child, rejected through the real ingest path.
    (workspace.inbox / "CCR Amelia Hartley 2022-23-Q3.docx").write_bytes(b"")
    ingest_inbox(workspace, catalogue, store)
    _register(workspace, store, catalogue)
    return store


def _register(workspace, store, catalogue) -> None:
    # The admin's completion register: one Q2 action completed in Q3, one completed back in Q2.
    refs = {a.action: a.ref for a in build_model(catalogue, assess_workspace(workspace, store, Q3)).actions.all_actions}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Action", "Completed on"])
    sheet.append([refs["Old action completed in Q3"], "", dt.datetime(2022, 10, 15)])
    sheet.append([refs["Old action closed in Q2"], "", "01/08/2022"])
    (workspace.root / "admin" / REGISTER_NAME).parent.mkdir(exist_ok=True)
    workbook.save(workspace.root / "admin" / REGISTER_NAME)


@pytest.fixture
def known(workspace, catalogue):
    store = build_known_quarter(workspace, catalogue)
    yield store
    store.close()


@pytest.fixture
def rendered(workspace, catalogue, known):
    return build_report(workspace, catalogue, known, Q3, today=dt.date(2023, 1, 10))


def _grades(distribution: dict) -> dict[str, int]:
    return {g["grade"]: g["count"] for g in distribution["grades"]}


def assert_known_numbers(data: dict) -> None:
    """The numbers every output of the known quarter must show."""
    practice = data["practice"]
    assert practice["reviews"] == 6 and practice["previous_reviews"] == 4
    # The grade of record: the moderated grade where there is one (Outstanding → Good, Inadequate → RI, Good → Inadequate).
    assert _grades(practice["overall"]) == {"Outstanding": 0, "Good": 3, "Requires improvement": 2, "Inadequate": 1}
    assert practice["overall"]["good_or_better_percent"] == 50.0
    voice = next(d for d in practice["domains"] if d["label"] == "Voice of the child")
    assert _grades(voice) == {"Outstanding": 0, "Good": 0, "Requires improvement": 6, "Inadequate": 0}
    teams = {d["label"]: (d["total"], d["good_or_better_percent"]) for d in practice["by_team"]}
    assert teams == {"Assessment": (2, 100.0), "Care leavers": (2, 50.0), "Child protection": (2, 0.0)}
    levels = {d["label"]: d["total"] for d in practice["by_level"]}
    assert levels == {"Early help": 0, "Child in need": 1, "Child protection": 2, "Child we look after": 1, "Care leaver": 2}
    moderation = practice["moderation"]
    assert (moderation["moderated"], moderation["agreed"], moderation["higher"], moderation["lower"], moderation["not_moderated"]) == (
        5,
        2,
        1,
        2,
        1,
    )
    assert (moderation["agreed_percent"], moderation["higher_percent"], moderation["lower_percent"]) == (40.0, 20.0, 40.0)
    overall_change = practice["changes"][0]
    assert (overall_change["previous_percent"], overall_change["current_percent"], overall_change["change_points"]) == (50.0, 50.0, 0.0)
    assert [(c["child_id"], c["grade"], c["moderated"]) for c in practice["concerns"]] == [("C1006", "Inadequate", True)]
    dips = data["dip_samples"]
    assert (dips["samples"], dips["children"], dips["overall"]["yes"], dips["overall"]["partly"], dips["overall"]["no"]) == (1, 4, 2, 1, 1)
    assert dips["overall"]["yes_percent"] == 50.0
    question = dips["by_theme"][0]["questions"][0]
    assert question["question"] == "Safety network identified?"
    assert {a["answer"]: a["count"] for a in question["answers"]} == {"Yes": 2, "Partly": 1, "No": 1}
    assert _grades(data["thematic"]["overall"]) == {"Outstanding": 1, "Good": 1, "Requires improvement": 1, "Inadequate": 0}
    assert data["observations"]["count"] == 2 and data["supervision"]["count"] == 1
    actions = data["actions"]
    assert actions["as_of"] == "2022-12-31"
    assert (actions["raised"], actions["carried_forward"], actions["completed"], actions["open"], actions["overdue"]) == (4, 2, 1, 5, 3)
    overdue = {(a["action"], a["owner"], a["due"]) for a in actions["overdue_actions"]}
    assert overdue == {
        ("Update the chronology for C1001", "Ann Owner", "2022-12-01"),
        ("Hold a network meeting", "Sam Team", "2022-11-15"),
        ("Old action still open", "Old Owner", "2022-09-01"),
    }
    assert [a["action"] for a in actions["completed_actions"]] == ["Old action completed in Q3"]
    assert len(data["sources"]) == 16
    assert [r["quarter"] for r in data["rejected"]] == ["2022-23-Q3 (not read from the file)"]
    assert data["rejections"] == {"total": 1, "resolved": 0, "outstanding": 1}


def test_model_has_the_known_numbers(known, catalogue, workspace):
    completions = read_register(workspace.root / "admin" / REGISTER_NAME)
    model = build_model(catalogue, assess_workspace(workspace, known, Q3), completions=completions, today=dt.date(2023, 1, 10))
    assert_known_numbers(model.to_json())


def test_collated_points_keep_every_source(known, catalogue, workspace):
    collated = build_model(catalogue, assess_workspace(workspace, known, Q3)).collated
    purposeful = collated.working_well[0]
    assert purposeful.text == "Visits are purposeful" and purposeful.count == 3
    assert sorted((s.form, s.author, s.area) for s in purposeful.sources) == [
        ("Children's services summary of quality assurance", "Diane Foster", "Early help"),
        ("Head of Service summary of routine quality assurance", "Dawn Whitley", "Early help"),
        ("Head of Service summary of routine quality assurance", "Priya Raman", "Assessment and child protection"),
    ]
    assert all(s.file.startswith("S-") for s in purposeful.sources)  # the return's reference, never its file name
    assert [p.text for p in collated.working_well] == ["Visits are purposeful", "Plans use the family's words & <voice>"]
    assert [p.text for p in collated.needs_to_happen] == ["Workshop on networks", "More staff"]


def test_rag_ratings_come_from_compliance(known, catalogue, workspace, rendered):
    expected = assess(Q3, known, read_roster(workspace.roster_path), load_targets(workspace.targets_path), catalogue)
    lines = {line["activity"]: line for line in rendered.data["activity"]["lines"]}
    assert rendered.data["activity"]["rated"] is True
    assert {name: line["rag"] for name, line in lines.items()} == {line.activity: line.rag for line in expected.activities}
    assert (
        lines["Collaborative case reviews"]["minimum"],
        lines["Collaborative case reviews"]["received"],
        lines["Collaborative case reviews"]["rag"],
    ) == (20, 6, "Red")
    assert lines["Thematic audits this quarter"]["rag"] == "Green"
    table = _table(Document(str(rendered.report)), ["Activity", "Minimum", "Received", "Counted", "Outstanding", "Rejected", "RAG"])
    rows = {row.cells[0].text.split(" §")[0]: row for row in table.rows[1:]}
    ccr = rows["Collaborative case reviews"]
    assert [c.text for c in ccr.cells[1:]] == ["20", "6", "6", "14", "0", "Red"]
    assert _fill(ccr.cells[6]) == RAG_COLOURS["Red"]
    assert _fill(rows["Thematic audits this quarter"].cells[6]) == RAG_COLOURS["Green"]


def _table(document, header: list[str]):
    for table in document.tables:
        if [cell.text for cell in table.rows[0].cells] == header:
            return table
    raise AssertionError(f"no table headed {header}: {[[c.text for c in t.rows[0].cells] for t in document.tables]}")


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


def _fill(cell) -> str:
    return element_of(cell).tcPr.find(qn("w:shd")).get(qn("w:fill"))


def test_word_report_shows_the_known_numbers(rendered):
    document = Document(str(rendered.report))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "6 collaborative case reviews were returned for 2022-23-Q3 (4 for 2022-23-Q2)" in text
    assert ("Good or better (overall, moderated): 50% of 6 (95% CI 19–81%), no clear change from 50% of 4 in 2022-23-Q2; "
            "target at least 40%: met.") in text
    assert _rows(_table(document, ["Overall grade", "2022-23-Q3", "%", "2022-23-Q2", "%"])) == [
        ["Outstanding", "0", "0%", "0", "0%"],
        ["Good", "3", "50%", "2", "50%"],
        ["Requires improvement", "2", "33%", "1", "25%"],
        ["Inadequate", "1", "17%", "1", "25%"],
    ]
    domains = _rows(_table(document, ["Domain", "Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Good or better"]))
    assert ["Voice of the child", "0", "0", "6", "0", "6", "0%"] in domains
    assert domains[0] == ["Overall grade", "0", "3", "2", "1", "6", "50%"]
    assert _rows(_table(document, ["Team", "Outstanding", "Good", "Requires improvement", "Inadequate", "Total", "Good or better"])) == [
        ["Assessment", "0", "2", "0", "0", "2", "100%"],
        ["Care leavers", "0", "1", "0", "1", "2", "50%"],
        ["Child protection", "0", "0", "2", "0", "2", "0%"],
    ]
    assert _rows(_table(document, ["Agreed", "Moderator graded higher", "Moderator graded lower", "Not moderated"])) == [
        ["2 (40%)", "1 (20%)", "2 (40%)", "1"]
    ]
    assert _rows(_table(document, ["Raised this quarter", "Carried forward", "Completed", "Open", "Overdue"])) == [
        ["4", "2", "1", "5", "3"]
    ]
    overdue = _rows(_table(document, ["Ref", "Action", "Team", "Owner", "Due", "Days over", "Child ID"]))
    assert [(r[1], r[3], r[4], r[5]) for r in overdue] == [
        ("Old action still open", "Old Owner", "1 Sep 2022", "121"),
        ("Hold a network meeting", "Sam Team", "15 Nov 2022", "46"),
        ("Update the chronology for C1001", "Ann Owner", "1 Dec 2022", "30"),
    ]
    dips = _rows(_table(document, ["Theme", "Samples", "Children", "Yes", "Partly", "No"]))
    assert dips == [["Networks and contingency planning", "1", "4", "2 (50%)", "1", "1"]]
    sources = _rows(_table(document, ["Ref", "Form", "Completed by", "Received", "Child ID"]))
    assert len(sources) == 16
    c1004 = next(row for row in sources if row[4] == "C1004")
    assert c1004[1:3] == ["Collaborative case review", "Helen Okafor"] and c1004[0].startswith("S-")


def test_json_from_the_cli_has_the_numbers_and_the_files(workspace, known):
    known.close()
    result = CliRunner().invoke(
        cli, ["--workspace", str(workspace.root), "report", "--quarter", "2022-23-Q3", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert_known_numbers(data)
    assert Path(data["files"]["report"]).is_file() and Path(data["files"]["ledger"]).is_file()
    assert len(data["files"]["drafts"]) == 9
    assert data["files"]["report"] == str(workspace.outbox / "2022-23-Q3" / "QA-report-2022-23-Q3.docx")


def test_cli_rejects_a_bad_quarter(workspace):
    result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", "2022-23-Q5"])
    assert result.exit_code == 2
    assert "'2022-23-Q5' is not a quarter like 2022-23-Q3. Write it as 2022-23-Q3 (Q1 = April to June)." in result.output


def _package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        # Charts are PNG pixels: their compressed bytes can spell anything ('Mae') by chance.
        return "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist() if not name.endswith(".png"))


def test_no_child_name_appears_in_any_output(workspace, known):
    known.close()
    runner = CliRunner()
    outputs = [
        runner.invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", q, *flags], catch_exceptions=False).output
        for q in ("2022-23-Q3", "2022-23-Q2")
        for flags in ((), ("--json",))
    ]
    files = [p for p in (workspace.outbox).rglob("*") if p.suffix in (".docx", ".xlsx")]
    assert len(files) == 4 * (1 + 1 + 9)  # two quarters, each rendered twice: report, ledger, nine drafts
    texts = outputs + [_package_text(path) for path in files] + [str(path) for path in files]
    for name in CHILD_NAMES:
        for part in [name, *name.replace("-", " ").split()]:
            offenders = [text[max(0, text.find(part) - 60) : text.find(part) + 60] for text in texts if part in text]
            assert not offenders, f"{part!r} found: {offenders[:2]}"
    # Where a name was written, the child's ID stands in its place.
    data = json.loads(outputs[1])
    assert data["children_families"]["working_well"][0]["text"] == "C1001 said she feels listened to."
    rejected = data["rejected"][0]
    assert rejected["ref"].startswith("R-") and rejected["resolved_by"] == "" and "file" not in rejected
    everything = "\n".join(texts)
    assert "CCR - C1004" not in everything and "CCR C1001 2022-23-Q3" not in everything  # no file name a person typed


def test_free_text_renders_exactly(rendered):
    document = Document(str(rendered.report))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(text.startswith(EXACT + " — ") for text in paragraphs), [p for p in paragraphs if "bold" in p]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(cell.startswith("Plans use the family's words & <voice>\n(raised by ") and cell.endswith(" in 2 returns)")
               for cell in cells), [cell for cell in cells if "Plans use" in cell]


def test_restyled_template_is_kept_and_used(workspace, catalogue, known):
    path = template_path(workspace.root)
    build_report(workspace, catalogue, known, Q3)
    template = Document(str(path))
    template.paragraphs[0].insert_paragraph_before("Restyled by the QA admin for {{ quarter }}")
    template.save(str(path))
    before = path.read_bytes()
    result = build_report(workspace, catalogue, known, Q3)
    assert path.read_bytes() == before
    assert Document(str(result.report)).paragraphs[0].text == "Restyled by the QA admin for 2022-23-Q3"


def test_service_area_drafts_are_prefilled_forms(rendered, catalogue):
    names = sorted(path.name for path in rendered.drafts)
    assert len(names) == 9 and "service_summary-2022-23-Q3-Early-help-draft.docx" in names
    early = next(p for p in rendered.drafts if p.name == "service_summary-2022-23-Q3-Early-help-draft.docx")
    examined = examine(early.name, early.read_bytes(), catalogue)
    values = examined.submission.values
    assert values["area_of_service"] == "Early help" and values["quarter"] == "2022-23-Q3"
    assert "Dip sampling: 1 children at early help; 1 fully compliant (100%)." in values["activity_undertaken"]
    assert values["working_well"] is None  # left for the Head of Service
    draft = next(d for d in rendered.data["service_areas"] if d["area"] == "Early help")
    assert draft["returned"] is True and draft["returned_by"] == "Diane Foster" and draft["file"] == early.name


def test_ledger_workbook_round_trips_as_the_register(rendered):
    workbook = openpyxl.load_workbook(io.BytesIO(rendered.ledger.read_bytes()))
    rows = list(workbook["Actions"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Ref", "Raised in", "Source") and "Completed on" in rows[0]
    done = {row[5]: row[9] for row in rows[1:]}
    assert done["Old action completed in Q3"] == dt.datetime(2022, 10, 15)
    assert "Old action closed in Q2" not in done  # completed before the quarter: off the ledger
    assert len(rows) == 1 + 2 + 4


def test_without_a_roster_status_and_report_fail_with_the_same_message(workspace, catalogue):
    with Store(workspace.store_path) as store:
        _ccr(store, Q3, CCRS_Q3[0], [])
    runner = CliRunner()
    status = runner.invoke(cli, ["--workspace", str(workspace.root), "status", "--quarter", Q3.label])
    report = runner.invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", Q3.label])
    message = (
        "Error: No staff roster: admin/roster.xlsx does not exist. Run 'qa init' to write an example roster to edit, "
        "or save your roster there (sheet 'Staff' with the headings Name, Role, Team, Line manager, Start date).\n"
    )
    assert (status.exit_code, status.output) == (1, message)
    assert (report.exit_code, report.output) == (1, message)
    assert not (workspace.outbox / Q3.label).exists()


@pytest.mark.parametrize(
    ("text", "redacted", "as_name"),
    [
        ("Amelia Hartley's plan", "C1's plan", "C1's plan"),
        ("ccr-amelia_hartley.docx", "ccr-C1.docx", "ccr-C1.docx"),
        ("AMELIA HARTLEY", "C1", "C1"),
        ("We will ask Will.", "We will ask C2.", "We will ask Will."),
        ("Hartley Smith, team manager", "[child] Smith, team manager", "Hartley Smith, team manager"),
        ("Ameliana", "Ameliana", "Ameliana"),
    ],
)
def test_redactor_replaces_names_with_ids(text, redacted, as_name):
    redactor = Redactor()
    redactor.add("Amelia Hartley", "C1")
    redactor.add("Will Jones", "C2")
    redactor.add("Kim Hartley", "C3")  # two children share a surname: it alone maps to no one ID
    assert redactor.text(text) == redacted
    assert redactor.name(text) == as_name


def test_a_broken_tag_in_the_template_is_reported_and_nothing_is_written(workspace, catalogue):
    path = template_path(workspace.root)
    write_examples(workspace)
    with Store(workspace.store_path) as store:
        build_report(workspace, catalogue, store, Q3)
        template = Document(str(path))
        template.paragraphs[0].insert_paragraph_before("Reviews: {{ practice.reviews ")
        template.save(str(path))
        before = sorted(p.name for p in (workspace.outbox / Q3.label).rglob("*"))
        result = CliRunner().invoke(cli, ["--workspace", str(workspace.root), "report", "--quarter", Q3.label])
    assert result.exit_code == 1
    assert f"Error: {path}: the report template has a broken tag (" in result.output
    assert "Correct it in Word, or delete the file to get the default template back." in result.output
    assert sorted(p.name for p in (workspace.outbox / Q3.label).rglob("*")) == before

"""The report's evidence: impact beside grade, triangulation per theme, assurance on inadequate practice,
re-review outcomes, follow-through (§13) and draft vignettes — in `qa report --json` and in the .docx."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.admin import write_examples
from pipeline.cli import cli
from pipeline.errors import message
from pipeline.quarter import Quarter
from pipeline.spec import Catalogue, FormSpec
from pipeline.store import Store
from pipeline.validate import Submission
from pipeline.workspace import BUILTIN_SPECS

SPECS = Catalogue.load(BUILTIN_SPECS)
CCR = SPECS.get("ccr")
Q1, Q2, Q3 = (Quarter.from_label(f"2022-23-Q{n}") for n in (1, 2, 3))
VIGNETTES = "vignettes-2022-23-Q3-DRAFT.docx"
# Names typed into the returns: none may reach a vignette; the worker's name is left out of vignettes too.
NAMES = {"C1001": "Rosalind Pettigrew", "C1002": "Zara Quenby", "C1003": "Ollie Vantongeren", "C1004": "Mabel Fairweather",
         "C1005": "Kit Arrowsmith", "C1006": "Ned Lockhart", "C1007": "Ivy Winterbourne"}
WORKER = "Ben Carter"


def by_role(spec: FormSpec, **answers: object) -> dict[str, object]:
    """Answers keyed by the field ids the spec gives these roles (the test never names a new field by id)."""
    return {spec.role_field(role).id: value for role, value in answers.items()}


def themed(spec: FormSpec, kind: str, text: str, theme: str, group: str | None = None) -> dict[str, object]:
    """A strength or worry text with its companion theme, found through the spec's theme pairs."""
    pair = next(p for p in spec.theme_pairs() if p.kind == kind and (p.group.id if p.group else None) == group)
    return {pair.text.id: text, pair.theme.id: theme}


def save(store: Store, spec: FormSpec, values: dict, groups: dict | None = None, version: int | None = None) -> None:
    tag = uuid.uuid4().hex
    submission = Submission(spec.id, spec.variant, version or spec.version, values, groups or {}, spec=spec)
    store.save(submission, file=f"{spec.id}-{tag[:6]}.docx", sha256=tag, claim=tag, destination="archive")


def ccr(store: Store, quarter: Quarter, child: str, team: str, level: str, grade: str, on: str, *,
        version: int | None = None, actions: list | None = None, completed: str | None = None, **roles: object) -> None:
    """A CCR held *on* a day (completed then, or on *completed*); every domain has the overall grade but the voice of
    the child, graded Good everywhere."""
    name = NAMES[child]
    values = {item.id: grade for item in CCR.role_fields("domain_grade")}
    values[next(f.id for f in CCR.role_fields("domain_grade") if f.label.startswith("Voice"))] = "Good"
    values[next(f.id for f in CCR.fields() if f.within_quarter == "activity")] = on  # "When was the review?"
    values.update(by_role(CCR, quarter=quarter.label, author="Helen Okafor", completed_on=completed or on, child_id=child, team=team,
                          level_of_need=level, reviewer="Helen Okafor", social_worker=WORKER, team_manager="Sarah Lowe",
                          overall_grade=grade, edi="Heritage understood."))
    strength = themed(CCR, "strength", f"{name.split()[0]}'s social worker {WORKER} visited weekly; {child} now "
                                       "attends school every day.", "Planning")
    worry = themed(CCR, "worry", f"The plan for {name} needs a contingency.", "Contingency planning and safety networks")
    for answers in (strength, worry):  # a version-1 form had the texts but no theme beside them
        values.update(answers if version is None else dict(list(answers.items())[:1]))
    values[next(iter(CCR.identifying_fields("name")))] = name
    if version is None:  # a version-2 return answers the new questions
        values.update(by_role(CCR, **roles))
    rows = [dict(zip(("action", "owner", "due_date"), a)) for a in actions or []]
    save(store, CCR, values, {CCR.role_group("actions").id: [by_role_row(CCR, "actions", r) for r in rows]}, version)


def by_role_row(spec: FormSpec, group_role: str, row: dict) -> dict:
    group = spec.role_group(group_role)
    return {group.role_field(role).id: value for role, value in row.items()}


def build_quarter(root: Path) -> None:
    """Three quarters of CCRs with known impact, safety, re-reviews and follow-through, a dip sample and an audit."""
    from pipeline.workspace import Workspace

    workspace = Workspace(root).ensure()
    write_examples(workspace)
    store = Store(workspace.store_path)
    try:
        ccr(store, Q1, "C1004", "Child protection", "Child we look after", "Inadequate", "2022-05-10")
        ccr(store, Q2, "C1003", "Child protection", "Child protection", "Requires improvement", "2022-08-10")
        ccr(store, Q2, "C1005", "Care leavers", "Care leaver", "Good", "2022-08-11")
        ccr(store, Q2, "C1007", "Care leavers", "Care leaver", "Inadequate", "2022-08-12", child_safe="Yes",
            rereview_date="2022-12-01")
        ccr(store, Q3, "C1001", "Assessment", "Child in need", "Good", "2022-10-10", impact="Better", child_safe="Yes",
            feedback_given_on="2022-10-20", placed_on_file_on="2022-10-25", supervision_on="2022-11-01",
            follow_up="None needed")
        ccr(store, Q3, "C1002", "Assessment", "Child protection", "Outstanding", "2022-10-05", impact="Better",
            child_safe="Yes", feedback_given_on="2022-10-06", follow_up="Dip sample")
        ccr(store, Q3, "C1003", "Child protection", "Child protection", "Inadequate", "2022-12-20", impact="Worse",
            child_safe="No", rereview_date="2023-01-20", actions=[("Strategy meeting today", "Sam Team", "2022-12-21")])
        ccr(store, Q3, "C1004", "Child protection", "Child we look after", "Requires improvement", "2022-10-15",
            completed="2022-12-20", impact="About the same", child_safe="Yes")  # overdue from the review, not the form
        ccr(store, Q3, "C1005", "Care leavers", "Care leaver", "Good", "2022-10-01", impact="Worse", child_safe="Yes",
            feedback_given_on="2022-10-03", placed_on_file_on="2022-10-03", supervision_on="2022-10-04", follow_up="Audit")
        ccr(store, Q3, "C1006", "Care leavers", "Care leaver", "Inadequate", "2022-11-01", version=1)
        dip = SPECS.get("dip_sample")
        row = {**by_role_row(dip, "children", {"child_id": "C1002", "team": "Assessment", "level_of_need": "Child protection",
                                               "compliant": "Yes", "finding": "Plan reviewed."})}
        save(store, dip, by_role(dip, quarter=Q3.label, author="Sarah Lowe", completed_on="2022-11-20", auditor="Sarah Lowe",
                                 theme="Networks and contingency planning", edi="Fine."), {dip.role_group("children").id: [row]})
        audit = SPECS.get("thematic_audit")
        rows = []
        for n, grade in enumerate(("Requires improvement", "Inadequate", "Requires improvement"), 1):
            cells = by_role_row(audit, "children", {"child_id": f"C400{n}", "team": "Assessment",
                                                    "level_of_need": "Child in need", "overall_grade": grade})
            rows.append({**cells, **themed(audit, "worry", "The child's words are not in the plan.", "Voice of the child",
                                           audit.role_group("children").id)})
        save(store, audit, by_role(audit, quarter=Q3.label, author="Amira Shah", completed_on="2022-11-20",
                                   auditor="Amira Shah", theme="Listening to children", edi="Fine."),
             {audit.role_group("children").id: rows})
    finally:
        store.close()


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence") / "ws"
    build_quarter(root)
    result = run(root, "report", "--quarter", Q3.label, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    document = Document(data["files"]["report"])
    text = "\n".join([p.text for p in document.paragraphs] +
                     [c.text for t in document.tables for r in t.rows for c in r.cells])
    # The assurance list and section 3's list of inadequate reviews are the same children.
    assert sorted(c["child_id"] for c in data["practice"]["concerns"]) == sorted(
        c["child_id"] for c in data["evidence"]["assurance"]["inadequate"])
    return root, data["evidence"], document, text


def table(document, header: list[str]) -> list[list[str]]:
    for found in document.tables:
        if [cell.text for cell in found.rows[0].cells] == header:
            return [[cell.text for cell in row.cells] for row in found.rows[1:]]
    raise AssertionError(f"no table headed {header}")


def test_impact_is_cross_tabulated_against_the_grade_by_team_and_level(reported):
    _, evidence, document, text = reported
    impact = evidence["impact"]
    assert impact["scale"] == ["Better", "About the same", "Worse"]
    assert [(r["label"], r["counts"], r["not_recorded"]) for r in impact["by_grade"]] == [
        ("Outstanding", [1, 0, 0], 0), ("Good", [1, 0, 1], 0), ("Requires improvement", [0, 1, 0], 0),
        ("Inadequate", [0, 0, 1], 1)]
    assert [(r["label"], r["counts"]) for r in impact["by_team"]] == [
        ("Assessment", [2, 0, 0]), ("Care leavers", [0, 0, 1]), ("Child protection", [0, 1, 1])]
    assert impact["good_but_worse"] == 1 and impact["not_recorded"] == 1  # the version-1 return: not recorded, not 'no'
    assert table(document, ["Grade of record", "Better", "About the same", "Worse", "Not recorded", "Total"]) == [
        ["Outstanding", "1", "0", "0", "0", "1"], ["Good", "1", "0", "1", "0", "2"],
        ["Requires improvement", "0", "1", "0", "0", "1"], ["Inadequate", "0", "0", "1", "1", "2"],
        ["All reviews", "2", "1", "2", "1", "6"]]
    assert ["Child we look after", "0", "1", "0", "0", "1"] in table(
        document, ["Level of need", "Better", "About the same", "Worse", "Not recorded", "Total"])
    assert impact["reading"] in text
    assert impact["reading"].startswith("Of 5 reviews that recorded the impact for the child, 2 better, 1 about the same, "
                                        "2 worse (40% better).")


def test_sources_that_disagree_on_a_theme_are_flagged_with_the_rule(reported):
    _, evidence, document, text = reported
    themes = {t["theme"]: t for t in evidence["triangulation"]["themes"]}
    voice = themes["Voice of the child"]
    views = {v["source"]: v for v in voice["views"] if v["view"]}
    assert (views["Case reviews"]["strengths"], views["Case reviews"]["view"]) == (6, "mostly strengths")
    assert (views["Thematic audits"]["worries"], views["Thematic audits"]["view"]) == (3, "mostly worries")
    assert views["Thematic audits"]["example"] == "The child's words are not in the plan."
    assert voice["disagree"] is True
    assert voice["summary"] == "Sources disagree: case reviews mostly strengths; thematic audits mostly worries."
    assert themes["Planning"]["disagree"] is False
    assert evidence["triangulation"]["disagreements"] == 1
    planning = next(v for v in themes["Planning"]["views"] if v["source"] == "Case reviews")
    assert planning["example"] == "C1001's social worker [worker] visited weekly; C1001 now attends school every day."
    assert "Sources disagree on a theme when at least one says 'mostly strengths' and another 'mostly worries'." in text
    row = next(r for r in table(document, ["Theme", "What the sources say (strengths / worries)", "Reading"])
               if r[0].startswith("Voice of the child"))
    assert row[0] == "Voice of the child\nSOURCES DISAGREE"


def test_each_inadequate_review_shows_action_owner_safety_and_re_review(reported):
    _, evidence, document, _ = reported
    assurance = evidence["assurance"]
    rows = {r["child_id"]: r for r in assurance["inadequate"]}
    assert set(rows) == {"C1003", "C1006"}
    c1003 = rows["C1003"]
    assert (c1003["child_safe"], c1003["rereview"], c1003["owners"]) == ("No", "Due 2023-01-20", "Sam Team")
    assert [(a["action"], a["owner"], a["due"]) for a in c1003["actions"]] == [("Strategy meeting today", "Sam Team", "2022-12-21")]
    assert (rows["C1006"]["child_safe"], rows["C1006"]["rereview"], rows["C1006"]["actions"]) == ("Not recorded", "Not set", [])
    assert (assurance["not_safe"], assurance["safe_not_recorded"], assurance["without_action"]) == (1, 1, 1)
    cells = table(document, ["Child ID", "Team", "Child judged safe at the time", "Action taken (owner, due, status)", "Re-review"])
    assert [(c[2], c[4]) for c in cells] == [("No", "Due 20 Jan 2023"), ("Not recorded", "Not set")]
    assert cells[0][0].startswith("C1003") and cells[0][3].startswith("Strategy meeting today (Sam Team, 21 Dec")
    assert [r["child_id"] for r in assurance["overdue_rereviews"]] == ["C1007"]  # Q2 inadequate, due 1 Dec, not seen again


def test_re_reviewed_children_show_whether_their_grade_improved(reported):
    _, evidence, document, _ = reported
    assurance = evidence["assurance"]
    outcomes = {r["child_id"]: (r["previous_grade"], r["grade"], r["outcome"]) for r in assurance["rereviewed"]}
    assert outcomes == {"C1003": ("Requires improvement", "Inadequate", "worse"),
                        "C1004": ("Inadequate", "Requires improvement", "improved"),
                        "C1005": ("Good", "Good", "same")}
    assert (assurance["of_concern"], assurance["improved"], assurance["same"], assurance["worse"]) == (2, 1, 0, 1)
    c1004 = next(r for r in assurance["rereviewed"] if r["child_id"] == "C1004")
    assert [(h["quarter"], h["grade"]) for h in c1004["history"]] == [("2022-23-Q1", "Inadequate"),
                                                                       ("2022-23-Q3", "Requires improvement")]
    rows = table(document, ["Child ID", "Team", "Grade history", "Previous", "Now", "Outcome"])
    assert ["C1004", "Child protection", "2022-23-Q1: Inadequate\n2022-23-Q3: Requires improvement", "Inadequate",
            "Requires improvement", "Improved"] in rows


def test_follow_through_steps_not_done_in_time_are_overdue(reported):
    _, evidence, document, text = reported
    follow = evidence["follow_through"]
    steps = {r["child_id"]: [s["state"] for s in r["steps"]] for r in follow["rows"]}
    assert steps == {
        "C1001": ["done", "done", "done", "not needed"],
        "C1002": ["done", "overdue", "overdue", "done"],  # the dip sample of 20 Nov had a row for C1002
        "C1003": ["due", "due", "due", "due"],  # reviewed 20 Dec: 11 days before the quarter's end, not yet overdue
        "C1004": ["overdue", "overdue", "overdue", "overdue"],
        "C1005": ["done", "done", "done", "overdue"],  # an audit was asked for; none has a row for C1005
        "C1006": ["not recorded"] * 4,  # a version-1 return: never overdue
    }
    assert (follow["days"], follow["complete"], follow["with_overdue"], follow["overdue_steps"]) == (28, 1, 3, 7)
    assert ("1 of 6 reviewed children have every follow-through step done; 3 have a step overdue (7 step(s) in all). A "
            "step is overdue when it is not done more than 28 days after the review.") in text
    rows = table(document, ["Child ID", "Reviewed", "Feedback to practitioner", "On the child's file", "In supervision", "Follow-up"])
    assert rows[0] == ["C1004\nChild protection", "15 Oct 2022", "Overdue", "Overdue", "Overdue", "Overdue"]
    assert ["C1005\nCare leavers", "1 Oct 2022", "3 Oct 2022", "3 Oct 2022", "4 Oct 2022", "Audit: overdue"] in rows


def test_the_days_before_a_step_is_overdue_are_set_in_qa_yaml(tmp_path):
    root = tmp_path / "ws"
    build_quarter(root)
    (root / "qa.yaml").write_text("follow_through_days: 100\n", encoding="utf-8")
    result = run(root, "report", "--quarter", Q3.label, "--json")
    assert result.exit_code == 0, result.output
    follow = json.loads(result.output)["evidence"]["follow_through"]
    assert (follow["days"], follow["with_overdue"], follow["overdue_steps"]) == (100, 0, 0)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8") + package.read("word/header1.xml").decode("utf-8")


def test_vignettes_are_drafts_without_names_or_ids_and_never_replaced(reported):
    root, evidence, _, text = reported
    vignettes = evidence["vignettes"]
    assert [v["kind"] for v in vignettes["cases"]] == ["strong", "weak", "improved"]
    assert vignettes["cases"][0]["heading"] == ("Strong practice — child protection; graded Outstanding; "
                                                "impact for the child: Better")
    assert vignettes["cases"][0]["difference"] == ("The child's social worker [worker] visited weekly; the child now "
                                                   "attends school every day.")
    path = root / "outbox" / Q3.label / VIGNETTES
    words = _docx_text(path)
    assert "DRAFT" in words and "Case vignettes 2022-23-Q3 — DRAFT" in words
    everything = json.dumps(vignettes) + words
    for child, name in NAMES.items():
        for part in (child, *name.split()):
            assert part.casefold() not in everything.casefold(), part
    assert WORKER not in everything and "Helen Okafor" not in everything
    assert f"drafted in {VIGNETTES} beside this report, marked DRAFT" in text
    path.write_bytes(b"the PSW's edited copy")
    again = run(root, "report", "--quarter", Q3.label)
    assert again.exit_code == 0, again.output
    assert path.read_bytes() == b"the PSW's edited copy"
    assert f"Note: {message('evidence_vignettes_kept', file=path)}\n" in again.output
    path.unlink()
    fresh = run(root, "report", "--quarter", Q3.label)
    assert f"Note: 3 case vignette(s) drafted in {path}, marked DRAFT: the Principal Social Worker edits them in Word " \
           "before the report is final.\n" in fresh.output


def test_page_one_says_what_impact_and_triangulation_found_with_the_counts_behind_it(reported):
    root, evidence, _, _ = reported
    result = run(root, "report", "--quarter", Q3.label, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    know = {s["text"]: s["evidence"] for s in data["front"]["know"]}
    impact = ("Reviewers judged the child's situation better because of the work in 2 of 5 reviews and worse in 2; "
              "1 graded good or better found it worse.")
    assert know[impact] == "5 reviews recording impact; section 3"
    voice = next(t for t in evidence["triangulation"]["themes"] if t["theme"] == "Voice of the child")
    disagree = ("Our sources disagree on 1 theme(s) ('Voice of the child'): one records mostly strengths where another "
                "records mostly worries, so these are where to look next.")
    assert know[disagree] == f"{voice['evidence']} points across {len(evidence['triangulation']['sources'])} sources; section 5"
    page_one = "\n".join(p.text for p in Document(data["files"]["report"]).paragraphs)
    assert impact in page_one and disagree in page_one

"""The catalogue covers the framework, and a QA admin's spec mistakes are explained, not crashed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from answers import full_answers
from filling import fill
from pipeline.errors import SpecError
from pipeline.ingest import examine
from pipeline.spec import Catalogue
from pipeline.workspace import BUILTIN_SPECS

DOMAINS = ["assessment", "planning", "multi_agency_review", "voice_of_child", "parents_carers_engagement", "management_oversight", "case_recording"]
CONTRACT = {
    "observation": ["observer", "practitioner", "observation_date", "child_id", "level_of_need", "nature", "nature_other",
                    "strengths", "areas_for_development", "reflections", "other_comments"],
    "ccr": ["child_id", "child_name", "social_worker", "team_manager", "team", "level_of_need", "reviewer", "review_date",
            "duration_minutes", "additional_work", "pen_picture", *[f"{d}_{k}" for d in DOMAINS for k in ("evaluation", "grade")],
            "overall_evaluation", "gone_well", "needs_to_happen", "overall_grade", "rationale", "moderator", "moderated_grade",
            "moderation_gone_well", "moderation_improvement", "moderation_summary"],
    "dip_sample": ["auditor", "theme"],
    "thematic_audit": [], "supervision_audit": [], "hos_summary": [], "service_summary": [],
    "child_family_feedback": [], "staff_feedback": [],
    "supervision_dip_sample": ["auditor", "supervisor", "supervisee", "session_date", "overall_grade"],
}


@pytest.mark.parametrize("form", CONTRACT)
def test_every_framework_activity_has_a_form_with_its_contract_fields(catalogue, form):
    spec = catalogue.get(form)
    ids = {item.id for item in spec.fields()}
    assert {"quarter", "completed_by", "completed_on", *CONTRACT[form]} <= ids
    if spec.about in ("child", "practice"):
        assert "edi_evaluation" in ids


def test_ccr_and_dip_sample_groups_match_the_contract(catalogue):
    assert [f.id for f in catalogue.get("ccr").group("actions").fields] == ["action", "owner", "due_date"]
    children = [f.id for f in catalogue.get("dip_sample").group("children").fields]
    assert children[:4] == ["child_id", "team", "level_of_need", "compliant"]
    assert children[-5:] == ["finding", "finding_theme", "action", "owner", "due_date"]
    assert catalogue.get("ccr").field("child_name").sensitive


def test_plan_themes_ship_as_worked_examples(catalogue):
    themes = {spec.key: spec.theme for spec in catalogue if spec.theme}
    assert themes == {
        "dip_sample/networks_contingency": "Networks and contingency planning",
        "thematic_audit/quality_of_visits": "Quality of visits / voice of the child",
        "thematic_audit/danger_worry_statements": "Danger/worry statements and safety/success goals",
    }
    visits = [f.id for f in catalogue.get("thematic_audit", "quality_of_visits").group("children").fields]
    assert visits.index("seen_alone") < visits.index("grade")


THEMED = """\
extends: dip_sample
variant: missing_episodes
theme: Return home interviews after missing episodes
version: 1
questions:
  before: finding
  fields:
    - {id: rhi_offered, label: "Return home interview offered within 72 hours?", type: choice, required: true, choices: ["Yes", "No"]}
"""


def test_a_qa_admin_adds_a_themed_form_with_one_short_spec_and_no_python(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    for spec in BUILTIN_SPECS.glob("*.yaml"):
        (folder / spec.name).write_text(spec.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "dip_sample-missing_episodes.yaml").write_text(THEMED, encoding="utf-8")
    catalogue = Catalogue.load(folder)
    spec = catalogue.get("dip_sample", "missing_episodes")
    values, groups = full_answers(spec)

    examined = examine("missing.xlsx", fill(spec, values, groups), catalogue)

    assert examined.problems == []
    assert examined.submission.variant == "missing_episodes"
    assert [row["rhi_offered"] for row in examined.submission.groups["children"]] == [r["rhi_offered"] for r in groups["children"]]


BROKEN = {
    "typo in a key": ("- {id: observer, lable: Observer}", "x.yaml: section 'S', question 1: unknown key 'lable'. Did you mean 'label'?"),
    "unknown type": ("- {id: observer, label: Observer, type: colour}", "x.yaml: field 'observer': type 'colour' is unknown. Use one of: short_text, long_text, date, number, choice, multi_choice, yes_no, grade, quarter."),
    "choice without choices": ("- {id: observer, label: Observer, type: choice}", "x.yaml: field 'observer': a choice field needs 'choices:', a list of the options."),
    "bad id": ("- {id: Observer Name, label: Observer}", "x.yaml: section 'S', question 1: id 'Observer Name' is not valid. Use lower-case letters, digits and underscores, e.g. review_date."),
    "condition on a missing field": ("- {id: observer, label: Observer, required_when: {field: nature, equals: Other}}", "x.yaml: field 'observer': required_when names 'nature', which is not a field in the form."),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_spec_names_the_file_the_field_and_the_fix(tmp_path, case):
    line, expected = BROKEN[case]
    text = (
        "form: x\nversion: 1\ntitle: X\nformat: docx\nabout: service\nsections:\n  - title: S\n    fields:\n"
        "      - {id: quarter, label: Quarter, type: quarter}\n      - {id: completed_by, label: By}\n"
        "      - {id: completed_on, label: On, type: date}\n      " + line + "\n"
    )
    path = tmp_path / "x.yaml"
    path.write_text(text.replace("question 1", "question 4"), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        from pipeline.spec import load_spec_file

        load_spec_file(path)
    assert str(err.value) == expected.replace("question 1", "question 4")


def test_a_form_without_the_common_fields_is_refused(tmp_path):
    (tmp_path / "y.yaml").write_text("form: y\nversion: 1\ntitle: Y\nformat: docx\nsections:\n  - title: S\n    fields:\n      - {id: a, label: A}\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        Catalogue.load(tmp_path)
    assert str(err.value) == "y.yaml: every form needs a field with role quarter (type quarter). Add 'role: quarter' to the question that holds it."


def test_invalid_yaml_reports_its_line(tmp_path):
    (tmp_path / "z.yaml").write_text("form: z\nsections:\n  - {id: a, label: What? yes}\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"^z.yaml: line 3: not valid YAML"):
        Catalogue.load(Path(tmp_path))

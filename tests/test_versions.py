"""Form versions, the v2 questions and the practice themes: older returns still read, newer ones refused, one theme list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from answers import full_answers, stored
from filling import fill
from pipeline.cli import cli
from pipeline.errors import SpecError, message
from pipeline.ingest import examine, note_path
from pipeline.spec import GRADES, THEME_KINDS, Catalogue, load_spec_file, themes
from pipeline.spec.contract import ROLES
from pipeline.store import Store
from pipeline.workspace import BUILTIN_SPECS

SHIPPED = Catalogue.load(BUILTIN_SPECS)
CHANGED = [spec.key for spec in SHIPPED if spec.version > 1]
PRACTICE_FORMS = ("ccr", "dip_sample", "thematic_audit", "observation", "supervision_audit", "supervision_dip_sample")
# The roles agreed for this wave, by the form that must carry them (others read them by role).
NEW_ROLES = {
    "ccr": ("impact", "child_safe", "rereview_date", "selection_reason", "bordering_good", "moderation_reason",
            "moderator_edi", "feedback_given_on", "placed_on_file_on", "supervision_on", "follow_up", "edi_judgement",
            "took_part_social_worker", "took_part_iro", "took_part_team_manager", "views_gone_well",
            "views_could_be_better", "manager_feedback_on"),
    "observation": ("meeting_focus", "feedback_given_on", "manager_feedback_on", "supervision_on", "edi_judgement"),
    "thematic_audit": ("moderator", "edi_judgement"),
    "dip_sample": ("edi_judgement",),
    "supervision_audit": ("edi_judgement",),
    "supervision_dip_sample": ("auditor", "supervisor", "supervisee", "session_date", "edi_judgement", "feedback_given_on"),
}
THEMED_ROLES = {"strengths": "strength", "working_well": "strength", "development": "worry", "worries": "worry",
                "worried_about": "worry", "finding": "finding"}


def qa(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], catch_exceptions=False)


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    return root


@pytest.mark.parametrize("form", NEW_ROLES)
def test_each_form_carries_the_roles_agreed_for_this_wave(form):
    spec = SHIPPED.get(form)
    for role in NEW_ROLES[form]:
        item = spec.role_field(role)
        assert item is not None, role
        assert item.type in ROLES[role][0]
    if form == "thematic_audit":
        children = spec.role_group("children")
        assert children.role_field("moderated_grade").type == "grade"
        assert children.role_field("moderation_reason").type == "long_text"


def test_ccr_choices_are_the_ones_the_report_and_sampler_read():
    spec = SHIPPED.get("ccr")
    assert spec.role_field("impact").options == ("Better", "About the same", "Worse")
    assert spec.role_field("child_safe").options == ("Yes", "No")
    assert spec.role_field("bordering_good").options == ("Yes", "No")
    assert spec.role_field("selection_reason").options == (
        "Cross-sample", "Previously Requires improvement or Inadequate, bordering Good", "Other")
    assert spec.role_field("moderator_edi").options == ("Well evaluated", "Partly evaluated", "Not evaluated")
    assert spec.role_field("follow_up").options == ("Dip sample", "Audit", "None needed")
    for form in PRACTICE_FORMS:
        assert SHIPPED.get(form).role_field("edi_judgement").options == (
            "Understood and met", "Partly understood or met", "Not understood or met")


@pytest.mark.parametrize("key", SHIPPED.keys())
def test_every_strength_and_worry_has_a_theme_from_the_one_list(key):
    spec = SHIPPED.find(key)
    pairs = spec.theme_pairs()
    themed = {(pair.group.id if pair.group else None, pair.text.id): pair for pair in pairs}
    for item, group in spec.all_fields():
        if item.role in THEMED_ROLES:
            pair = themed[(group.id if group else None, item.id)]
            assert pair.kind == THEMED_ROLES[item.role]
    for pair in pairs:
        assert pair.kind in THEME_KINDS
        assert pair.theme.type == "choice" and pair.theme.options == themes()
        assert pair.text.type == "long_text"
    assert len(pairs) >= 1


def test_a_finding_is_a_strength_only_where_the_child_was_compliant():
    [pair] = SHIPPED.get("dip_sample").theme_pairs()
    assert [pair.kind_for({"compliant": answer}) for answer in ("Yes", "Partly", "No")] == ["strength", "worry", "worry"]
    assert SHIPPED.get("ccr").theme_pairs()[0].kind_for() == "strength"


def test_the_theme_list_has_the_framework_and_plan_themes_once_each():
    listed = themes()
    assert len(set(listed)) == len(listed)
    for theme in ("Voice of the child", "Contingency planning and safety networks", "Management oversight and supervision",
                  "Fathers and wider family", "Health", "Quality of visits", "Danger / worry statements and safety goals"):
        assert theme in listed


@pytest.mark.parametrize("key", CHANGED)
def test_a_version_1_return_is_still_accepted_and_stored_as_version_1(key, ws):
    spec = SHIPPED.find(key)
    old = spec.at_version(1)
    values, groups = full_answers(old, rows=2)
    (ws / "inbox" / f"old.{spec.format}").write_bytes(fill(old, values, groups))

    result = qa(ws, "ingest", "--json")

    assert result.exit_code == 0, result.output
    [outcome] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (outcome["status"], outcome["problems"]) == ("accepted", [])
    with Store(ws / "qa.sqlite3") as store:
        [saved] = store.submissions()
    assert (saved.form, saved.variant, saved.version) == (spec.id, spec.variant, 1)
    assert saved.values == {field_id: stored(value) for field_id, value in values.items()}
    new_fields = {item.id for item, _ in spec.all_fields() if item.since > 1}
    assert new_fields and not new_fields & set(saved.values)


def test_version_1_leaves_out_exactly_the_fields_added_since():
    spec = SHIPPED.get("ccr")
    old = spec.at_version(1)
    assert spec.at_version(2) is spec
    assert {item.id for item, _ in spec.all_fields()} - {item.id for item, _ in old.all_fields()} == {
        item.id for item, _ in spec.all_fields() if item.since == 2}
    assert "The child's and family's views" not in [section.title for section in old.sections]  # emptied: gone
    assert old.theme_pairs() == []
    hos = SHIPPED.get("hos_summary")
    assert hos.role_group("actions") is not None and hos.at_version(1).role_group("actions") is None


def test_a_newer_version_than_the_workspace_knows_is_rejected_with_the_reason(ws):
    spec = SHIPPED.get("ccr")
    newer = dataclasses.replace(spec, version=3)
    values, groups = full_answers(spec)
    (ws / "inbox" / "CCR from the future.docx").write_bytes(fill(newer, values, groups))

    result = qa(ws, "ingest", "--json")

    [outcome] = [json.loads(line) for line in result.stdout.splitlines()]
    assert outcome["status"] == "rejected"
    note = note_path(ws / "rejected" / "CCR from the future.docx").read_text(encoding="utf-8")
    assert message("unknown_version", version=3, title="Collaborative case review", current=2) in note


def test_a_version_2_ccr_needs_the_new_answers_and_a_rereview_date_for_a_child_not_safe():
    spec = SHIPPED.get("ccr")
    values, groups = full_answers(spec)
    values.update(impact=None, child_safe="No", rereview_date=None)

    examined = examine("ccr.docx", fill(spec, values, groups), SHIPPED)

    assert examined.problems == [
        message("required", label="Impact of our work for the child"),
        message("required_when", label="Re-review date", when_label="Was the child judged safe at the time of the review?",
                when_value="No"),
    ]


def test_qa_forms_shows_each_form_version_and_what_is_new_in_it(ws):
    text = qa(ws, "forms").output
    assert "ccr (v2, docx; also reads v1): Collaborative case review" in text
    assert "supervision_dip_sample (v1, docx): Dip sample of ASYE supervision" in text
    assert ("    impact *: Impact of our work for the child (choice) [Better, About the same, Worse] — role: impact"
            " — new in v2") in text.splitlines()
    listing = {entry["key"]: entry for entry in json.loads(qa(ws, "forms", "--json").output)}
    assert listing["ccr"]["reads_versions"] == [1, 2]
    assert {f["id"]: f["since"] for f in listing["ccr"]["fields"]}["child_safe"] == 2


SPEC = """\
form: little
version: 2
title: Little form
format: docx
about: service
sections:
  - title: Only
    fields:
      - {id: quarter, label: Quarter, type: quarter}
      - {id: notes, label: Notes, type: long_text}
      - %s
"""


@pytest.mark.parametrize("field, error", [
    ("{id: extra, label: Extra, since: 0}", "field 'extra': " + message("spec_since", value=0)),
    ("{id: extra, label: Extra, since: two}", "field 'extra': " + message("spec_since", value="two")),
    ("{id: extra, label: Extra, since: true}", "field 'extra': " + message("spec_since", value=True)),
    ("{id: extra, label: Extra, since: 3}", "field 'extra': " + message("spec_since_version", since=3, version=2)),
    ("{id: extra, label: Extra, type: short_text, theme_of: {field: notes, kind: strength}}",
     "field 'extra': " + message("spec_theme_of", kinds="strength or worry or finding")),
    ("{id: extra, label: Extra, type: choice, theme_of: {field: notes, kind: praise}}",
     "field 'extra': " + message("spec_theme_of", kinds="strength or worry or finding")),
    ("{id: extra, label: Extra, type: choice, theme_of: {field: quarter, kind: worry}}",
     "field 'extra': " + message("spec_theme_text", field="quarter", scope="form")),
])
def test_a_bad_since_or_theme_of_is_explained_with_the_file_and_field(tmp_path, field, error):
    path = tmp_path / "little.yaml"
    path.write_text(SPEC % field, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == f"little.yaml: {error}"


def test_a_theme_newer_than_its_text_is_fine_but_older_is_not(tmp_path):
    path = tmp_path / "little.yaml"
    newer = "{id: extra, label: Extra, type: choice, since: 2, theme_of: {field: notes, kind: worry}}"
    path.write_text(SPEC % newer, encoding="utf-8")
    spec = load_spec_file(path)
    assert [(p.kind, p.text.id, p.theme.id) for p in spec.theme_pairs()] == [("worry", "notes", "extra")]
    assert spec.at_version(1).theme_pairs() == []
    path.write_text((SPEC % "{id: extra, label: Extra, type: choice, theme_of: {field: notes, kind: worry}}")
                    .replace("{id: notes, label: Notes, type: long_text}", "{id: notes, label: Notes, type: long_text, since: 2}"),
                    encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == "little.yaml: field 'extra': " + message("spec_theme_since", field="notes", since=2)


def test_a_workspace_keeping_its_version_1_specs_still_loads(tmp_path):
    """A workspace made before version 2 has its own v1 copies of the specs: the new roles are optional there."""
    folder = tmp_path / "specs"
    folder.mkdir()
    for path in BUILTIN_SPECS.glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document.get("form") == "supervision_dip_sample":
            continue
        document["version"] = 1
        for section in document.get("sections", []):
            if "fields" in section:
                section["fields"] = [item for item in section["fields"] if item.get("since", 1) == 1]
            else:
                section["group"]["fields"] = [item for item in section["group"]["fields"] if item.get("since", 1) == 1]
        if "sections" in document:  # a themed form has questions only
            document["sections"] = [s for s in document["sections"] if s.get("fields") or
                                    ("group" in s and s["group"].get("since", 1) == 1)]
        (folder / path.name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    catalogue = Catalogue.load(folder)

    assert {spec.version for spec in catalogue} == {1}
    assert catalogue.get("ccr").role_field("impact") is None and catalogue.get("ccr").theme_pairs() == []


def test_a_changed_moderated_grade_needs_its_reason_on_the_ccr_and_in_each_thematic_row():
    ccr = SHIPPED.get("ccr")
    values, groups = full_answers(ccr)
    values.update(overall_grade="Good", moderated_grade="Requires improvement", moderation_reason=None)
    examined = examine("ccr.docx", fill(ccr, values, groups), SHIPPED)
    assert examined.problems == [message("forms_moderation_reason", label="Why the moderated grade differs from the overall grade",
                                         moderated="Moderated grade", grade="Overall grade")]
    values.update(moderated_grade="Good")  # agreed: no reason needed
    assert examine("ccr.docx", fill(ccr, values, groups), SHIPPED).problems == []

    audit = SHIPPED.get("thematic_audit")
    values, groups = full_answers(audit, rows=3)
    groups["children"][1].update(grade="Good", moderated_grade="Inadequate", moderation_reason=None)
    examined = examine("audit.xlsx", fill(audit, values, groups), SHIPPED)
    assert examined.problems == [message("forms_moderation_reason", label="Why the moderated grade differs (row 2)",
                                         moderated="Moderated grade", grade="Grade")]


def test_each_dip_sample_of_one_asye_is_its_own_return_and_a_resent_one_replaces_it(ws):
    spec = SHIPPED.get("supervision_dip_sample")
    values, groups = full_answers(spec)
    for number, day in enumerate((dt.date(2022, 10, 5), dt.date(2022, 11, 9), dt.date(2022, 11, 9)), 1):
        (ws / "inbox" / f"sample {number}.docx").write_bytes(fill(spec, {**values, "session_date": day,
                                                                         "overall_grade": GRADES[number]}, groups))
        result = qa(ws, "ingest", "--json")
        [outcome] = [json.loads(line) for line in result.stdout.splitlines()]
        assert outcome["status"] == ("accepted", "accepted", "replaced")[number - 1], outcome
    with Store(ws / "qa.sqlite3") as store:
        current = store.submissions()
    assert sorted((s.values["session_date"], s.values["overall_grade"]) for s in current) == [
        ("2022-10-05", "Good"), ("2022-11-09", "Inadequate")]


@pytest.mark.parametrize("form, prefix", [("hos_summary", "HOS"), ("service_summary", "SVC")])
def test_action_needed_on_a_summary_goes_into_the_action_ledger_with_owner_and_due_date(ws, form, prefix):
    from pipeline.report.actions import collect_actions
    from pipeline.store import bind

    spec = SHIPPED.get(form)
    values, _ = full_answers(spec)
    actions = [{"action": "Practice workshop on safety networks", "owner": "Tara Manager", "due_date": dt.date(2023, 2, 28)},
               {"action": "Escalation route agreed with the designated nurse", "owner": "Hana Head", "due_date": dt.date(2023, 3, 31)}]
    (ws / "inbox" / "summary.docx").write_bytes(fill(spec, values, {"actions": actions}))
    assert qa(ws, "ingest").exit_code == 0

    with Store(ws / "qa.sqlite3") as store:
        found = collect_actions(bind(store.submissions(), SHIPPED), lambda s: s.form, str, str)

    assert [(a.action, a.owner, a.due, a.raised_in) for a in found] == [
        ("Practice workshop on safety networks", "Tara Manager", "2023-02-28", "2022-23-Q3"),
        ("Escalation route agreed with the designated nurse", "Hana Head", "2023-03-31", "2022-23-Q3")]
    assert all(a.ref.startswith(f"{prefix}-22Q3-") for a in found) and len({a.ref for a in found}) == 2

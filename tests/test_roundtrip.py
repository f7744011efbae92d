"""Every form in the catalogue: build the template, fill it as a person would, ingest, read the store back."""

from __future__ import annotations

import pytest

from answers import full_answers, stored
from filling import fill
from pipeline.ingest import ingest_inbox
from pipeline.spec import Catalogue
from pipeline.workspace import BUILTIN_SPECS

KEYS = Catalogue.load(BUILTIN_SPECS).keys()


@pytest.mark.parametrize("key", KEYS)
def test_every_field_round_trips_through_ingest_and_store(key, catalogue, workspace, store):
    spec = catalogue.find(key)
    values, groups = full_answers(spec, rows=4)
    (workspace.inbox / f"{spec.id}.{spec.format}").write_bytes(fill(spec, values, groups))

    [outcome] = ingest_inbox(workspace, catalogue, store)

    assert (outcome.status, outcome.problems) == ("accepted", [])
    [saved] = store.submissions()
    assert (saved.form, saved.variant, saved.version) == (spec.id, spec.variant, spec.version)
    assert saved.values == {field_id: stored(value) for field_id, value in values.items()}
    assert saved.groups == {g: [{f: stored(v) for f, v in row.items()} for row in rows] for g, rows in groups.items()}


@pytest.mark.parametrize("key", KEYS)
def test_blank_template_is_rejected_listing_each_required_field_by_label(key, catalogue, workspace, store):
    spec = catalogue.find(key)
    (workspace.inbox / f"blank.{spec.format}").write_bytes(fill(spec, {}))

    [outcome] = ingest_inbox(workspace, catalogue, store)

    prefilled = {"theme"} if spec.theme else set()  # a themed form states its theme
    required = [f.label for f in spec.fields() if f.required and f.type != "yes_no" and f.id not in prefilled]
    assert outcome.status == "rejected"
    for label in required:
        assert f"{label}: this is required. Fill it in and drop the form in the inbox again." in outcome.problems
    assert store.submissions() == []


def test_values_with_markup_unicode_and_leading_zeros_come_back_exactly(catalogue, workspace, store):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    values.update(child_id="007123", strengths='Zoë & <Ahmed> said "thank you"\n\tTabbed line 👍', other_comments="  spaced  ")
    (workspace.inbox / "obs.docx").write_bytes(fill(spec, values))

    [outcome] = ingest_inbox(workspace, catalogue, store)

    assert outcome.status == "accepted", outcome.problems
    saved = store.submissions()[0].values
    assert saved["child_id"] == "007123"
    assert saved["strengths"] == 'Zoë & <Ahmed> said "thank you"\n\tTabbed line 👍'
    assert saved["other_comments"] == "  spaced  "


def test_repeat_group_beyond_the_printed_rows_is_read_in_order(catalogue, workspace, store):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec, rows=12)  # the template prints 5 rows; Word users add more
    (workspace.inbox / "ccr.docx").write_bytes(fill(spec, values, groups))

    ingest_inbox(workspace, catalogue, store)

    actions = store.submissions()[0].groups["actions"]
    assert [row["owner"] for row in actions] == [row["owner"] for row in groups["actions"]]
    assert len(actions) == 12


def test_multi_choice_and_yes_no_are_stored_as_list_and_booleans(catalogue, workspace, store):
    staff = catalogue.find("staff_feedback")
    values, _ = full_answers(staff)
    values["topics"] = ["Workload", "Wellbeing"]
    (workspace.inbox / "staff.docx").write_bytes(fill(staff, values))
    audit = catalogue.find("supervision_audit")
    audit_values, audit_groups = full_answers(audit)
    audit_values.update(wellbeing_discussed=True, learning_discussed=False)
    (workspace.inbox / "audit.docx").write_bytes(fill(audit, audit_values, audit_groups))

    ingest_inbox(workspace, catalogue, store)

    by_form = {s.form: s.values for s in store.submissions()}
    assert by_form["staff_feedback"]["topics"] == ["Workload", "Wellbeing"]
    assert by_form["supervision_audit"]["wellbeing_discussed"] is True
    assert by_form["supervision_audit"]["learning_discussed"] is False

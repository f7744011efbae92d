"""Ingest through the real path: what is accepted, what is rejected and why, and that nothing is lost."""

from __future__ import annotations

import io
import zipfile

import pytest

from answers import full_answers
from filling import fill
from pipeline.errors import message
from pipeline.ingest import ingest_inbox, note_path
from pipeline.read.package import OLE_MAGIC, WORD_MAIN
from pipeline.templates import build_form


def _with_part(data: bytes, part: str, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            target.writestr(info, transform(blob) if info.filename == part else blob)
    return out.getvalue()


@pytest.fixture
def observation(catalogue) -> bytes:
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    return fill(spec, values)


def _ole(stream_name: str) -> bytes:
    return OLE_MAGIC + bytes(504) + stream_name.encode("utf-16-le") + bytes(1024)


def _only(workspace, catalogue, store, name: str, data: bytes):
    (workspace.inbox / name).write_bytes(data)
    [outcome] = ingest_inbox(workspace, catalogue, store)
    return outcome


BAD_FILES = {
    "not a zip": ("letter.docx", lambda ok: b"Dear QA team, please find my audit attached.", message("not_office")),
    "truncated": ("half.docx", lambda ok: ok[: len(ok) // 2], message("corrupt", detail="not a complete zip archive")),
    "empty": ("empty.docx", lambda ok: b"", message("empty_file")),
    "password-protected": ("secret.docx", lambda ok: _ole("EncryptionInfo"), message("encrypted")),
    "legacy .doc": ("old.doc", lambda ok: _ole("WordDocument"), message("legacy_doc")),
    "legacy .xls": ("old.xls", lambda ok: _ole("Workbook"), message("legacy_xls")),
    "macro-enabled by content type": (
        "innocent.docx",
        lambda ok: _with_part(ok, "[Content_Types].xml", lambda b: b.replace(WORD_MAIN.encode(), b"application/vnd.ms-word.document.macroEnabled.main+xml")),
        message("macro_enabled", kind="a Word .docm", save_as="Word Document (.docx)"),
    ),
    "no form id": ("plain.docx", lambda ok: _with_part(ok, "docProps/custom.xml", lambda b: b.replace(b'name="qa_form"', b'name="other"')), message("unknown_form")),
    "unknown form id": ("lunch.docx", lambda ok: _with_part(ok, "docProps/custom.xml", lambda b: b.replace(b">observation<", b">lunch_audit<")), message("unknown_form_id", form="lunch_audit")),
    "unknown version": (
        "v9.docx",
        lambda ok: _with_part(ok, "docProps/custom.xml", lambda b: b.replace(b"<vt:lpwstr>2</vt:lpwstr>", b"<vt:lpwstr>9</vt:lpwstr>")),
        message("unknown_version", version="9", title="Observation of practice", current=2),
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_is_rejected_with_its_reason_and_kept_unchanged_with_a_note(case, observation, workspace, catalogue, store):
    name, make, expected = BAD_FILES[case]
    data = make(observation)

    outcome = _only(workspace, catalogue, store, name, data)

    assert (outcome.status, outcome.problems) == ("rejected", [expected])
    kept = workspace.rejected / name
    assert kept.read_bytes() == data
    assert expected in note_path(kept).read_text(encoding="utf-8")
    assert store.submissions() == []


def test_answers_outside_their_rules_are_each_named_by_label(catalogue, workspace, store):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    values.update(duration_minutes=900, overall_grade="Goood", review_date="31/02/2022", quarter="2022-24-Q3")
    del values["rationale"]

    outcome = _only(workspace, catalogue, store, "ccr.docx", fill(spec, values, groups))

    assert outcome.status == "rejected"
    assert outcome.problems == [
        message("quarter", label="Quarter", value="2022-24-Q3"),
        message("date", label="When was the review?", value="31/02/2022"),
        message("maximum", label="How long did the conversation take? (minutes)", value=900, maximum=600),
        message("grade", label="Overall grade", value="Goood"),
        message("required", label="Rationale for the grade"),
    ]
    assert outcome.problems[3] == "Overall grade: 'Goood' is not a grade. Choose Outstanding, Good, Requires improvement or Inadequate."


def test_excel_row_value_outside_its_choices_names_the_row(catalogue, workspace, store):
    spec = catalogue.find("dip_sample")
    values, groups = full_answers(spec)
    groups["children"][1]["compliant"] = "Maybe"

    outcome = _only(workspace, catalogue, store, "dip.xlsx", fill(spec, values, groups))

    assert outcome.problems == [message("choice", label="Compliant with standards? (row 2)", value="Maybe", choices="Yes, Partly or No")]


def test_lock_and_temp_files_are_ignored_and_left_alone(observation, workspace, catalogue, store):
    clutter = ["~$observation.docx", "~WRL0003.tmp", ".~lock.observation.docx#", "download.tmp"]
    for name in clutter:
        (workspace.inbox / name).write_bytes(b"lock")

    assert ingest_inbox(workspace, catalogue, store) == []
    assert sorted(p.name for p in workspace.inbox.iterdir() if p.is_file()) == sorted(clutter)


def test_one_bad_file_does_not_stop_the_run_and_subfolders_are_read(observation, workspace, catalogue, store):
    (workspace.inbox / "team-a").mkdir()
    (workspace.inbox / "team-a" / "obs.docx").write_bytes(observation)
    (workspace.inbox / "broken.docx").write_bytes(b"PK\x03\x04 not really")

    outcomes = {o.file: o.status for o in ingest_inbox(workspace, catalogue, store)}

    assert outcomes == {"team-a/obs.docx": "accepted", "broken.docx": "rejected"}
    assert len(store.submissions()) == 1


def test_byte_identical_redrop_is_a_duplicate_and_kept_in_the_archive(observation, workspace, catalogue, store):
    assert _only(workspace, catalogue, store, "obs.docx", observation).status == "accepted"

    again = _only(workspace, catalogue, store, "obs.docx", observation)

    assert again.status == "duplicate"
    assert len(store.submissions(include_replaced=True)) == 1
    assert (workspace.archive / "duplicates" / "obs.docx").read_bytes() == observation
    assert (workspace.archive / "2022-23-Q3" / "obs.docx").read_bytes() == observation


def test_resubmission_of_same_form_child_quarter_and_author_replaces_and_keeps_history(catalogue, workspace, store):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    _only(workspace, catalogue, store, "ccr.docx", fill(spec, values, groups))
    values["overall_grade"] = "Outstanding"

    outcome = _only(workspace, catalogue, store, "ccr.docx", fill(spec, values, groups))

    assert outcome.status == "replaced"
    [current] = store.submissions()
    assert current.values["overall_grade"] == "Outstanding"
    history = store.submissions(include_replaced=True)
    assert [s.status for s in history] == ["replaced", "current"]
    assert sorted(p.name for p in (workspace.archive / "2022-23-Q3").iterdir()) == ["ccr (2).docx", "ccr.docx"]


def test_resubmission_of_an_issued_form_replaces_it_even_with_other_answers(catalogue, workspace, store):
    from pipeline.templates.docx_fill import fill_docx

    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    issued = build_form(spec, {"quarter": "2022-23-Q3"}, issue_id="2022-23-Q3-OBS-000001")
    _only(workspace, catalogue, store, "first.docx", fill_docx(issued, spec, values))
    values.update(child_id="C9999", practitioner="Someone else")

    outcome = _only(workspace, catalogue, store, "second.docx", fill_docx(issued, spec, values))

    assert outcome.status == "replaced"
    assert [s.values["child_id"] for s in store.submissions()] == ["C9999"]


def test_a_different_child_is_a_new_submission_not_a_replacement(catalogue, workspace, store):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    _only(workspace, catalogue, store, "a.docx", fill(spec, values, groups))
    values["child_id"] = "C2002"

    assert _only(workspace, catalogue, store, "b.docx", fill(spec, values, groups)).status == "accepted"
    assert len(store.submissions()) == 2


def test_docx_renamed_xlsx_is_read_by_its_content(observation, workspace, catalogue, store):
    assert _only(workspace, catalogue, store, "observation.xlsx", observation).status == "accepted"


def test_a_problem_names_the_row_where_it_sits_even_below_a_blank_row(catalogue, workspace, store):
    spec = catalogue.find("dip_sample")
    values, groups = full_answers(spec)
    rows = groups["children"]
    rows[2]["compliant"] = "Maybe"
    rows.insert(1, {})  # the second row of the table left empty

    outcome = _only(workspace, catalogue, store, "dip.xlsx", fill(spec, values, {"children": rows}))

    assert outcome.problems == [message("choice", label="Compliant with standards? (row 4)", value="Maybe", choices="Yes, Partly or No")]


def test_a_word_action_row_is_named_by_its_place_in_the_table(catalogue, workspace, store):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    actions = [{}, {}, {"action": "Update the chronology", "owner": "Sam"}]  # third row, no due date

    outcome = _only(workspace, catalogue, store, "ccr.docx", fill(spec, values, {"actions": actions}))

    assert outcome.problems == [message("required", label="Due date (row 3)")]

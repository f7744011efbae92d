"""The Word forms as a form-filler and as another word processor see them: controls, protection, identity."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from lxml import etree

from answers import full_answers
from filling import fill
from pipeline.errors import message
from pipeline.ingest import examine
from pipeline.formfile.layout import form_slots
from pipeline.formfile.oxml import ContentControl, w, w14
from pipeline.read.package import open_package
from pipeline.spec import Catalogue, Field, FormSpec, Group, Section
from pipeline.templates import build_form

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main", "w14": "http://schemas.microsoft.com/office/word/2010/wordml"}


def _document(data: bytes):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def _controls(data: bytes) -> dict[str, etree._Element]:
    return {sdt.find("w:sdtPr/w:tag", W).get(w("val")): sdt for sdt in _document(data).iter(w("sdt"))}


def _rewrite(data: bytes, edit) -> bytes:
    """Apply *edit* to document.xml, as another word processor re-saving the file might."""
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    edit(root)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = etree.tostring(root) if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info, blob)
    return out.getvalue()


def test_every_field_is_a_content_control_tagged_with_its_id_and_titled_with_its_label(catalogue):
    spec = catalogue.find("ccr")
    controls = _controls(build_form(spec))
    for item in spec.fields():
        alias = controls[item.id].find("w:sdtPr/w:alias", W).get(w("val"))
        assert alias == item.label
    assert "actions.1.action" in controls and "actions.5.due_date" in controls
    assert controls["actions.3.owner"].find("w:sdtPr/w:alias", W).get(w("val")) == "Owner (row 3)"


def test_control_kinds_follow_field_types(catalogue):
    controls = _controls(build_form(catalogue.find("ccr")))
    grade = controls["overall_grade"].find("w:sdtPr/w:dropDownList", W)
    assert [i.get(w("value")) for i in grade] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    date = controls["review_date"].find("w:sdtPr/w:date/w:dateFormat", W)
    assert date.get(w("val")) == "dd/MM/yyyy"
    assert controls["pen_picture"].find("w:sdtPr/w:text", W).get(w("multiLine")) == "1"
    staff = _controls(build_form(catalogue.find("staff_feedback")))
    assert staff["topics:Workload"].find("w:sdtPr/w14:checkbox", W) is not None
    audit = _controls(build_form(catalogue.find("supervision_audit")))
    assert audit["wellbeing_discussed"].find("w:sdtPr/w14:checkbox/w14:checked", W).get(w14("val")) == "0"


def test_document_is_restricted_to_filling_in_forms_without_a_password(catalogue):
    settings = etree.fromstring(zipfile.ZipFile(io.BytesIO(build_form(catalogue.find("observation")))).read("word/settings.xml"))
    protection = settings.find("w:documentProtection", W)
    assert (protection.get(w("edit")), protection.get(w("enforcement"))) == ("forms", "1")
    assert protection.get(w("hash")) is None and protection.get(w("hashValue")) is None


def test_issued_copy_carries_form_version_variant_and_issue_id_in_its_properties(catalogue):
    spec = catalogue.find("ccr")
    package = open_package("x.docx", build_form(spec, {"quarter": "2022-23-Q3"}, issue_id="2022-23-Q3-CCR-ABC123"))
    assert (package.form_id, package.version, package.variant, package.issue_id) == ("ccr", "2", None, "2022-23-Q3-CCR-ABC123")


def test_crr_grid_carries_the_framework_guidance(catalogue):
    text = "".join(_document(build_form(catalogue.find("ccr"))).itertext())
    assert "Think about evaluating the quality of work — not the form!" in text


def test_tags_lost_but_titles_kept_are_read_into_the_right_fields(catalogue):
    spec = catalogue.find("ccr")
    values, groups = full_answers(spec)
    filled = fill(spec, values, groups)

    def drop_tags(root):
        for tag in root.iter(w("tag")):
            tag.getparent().remove(tag)

    examined = examine("resaved.docx", _rewrite(filled, drop_tags), catalogue)

    assert examined.problems == []
    assert examined.submission.values["overall_grade"] == values["overall_grade"]
    assert examined.submission.values["rationale"] == values["rationale"]
    assert [r["owner"] for r in examined.submission.groups["actions"]] == [r["owner"] for r in groups["actions"]]


def test_a_box_that_lost_its_tag_and_title_is_placed_by_its_place_on_the_form(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    values["strengths"] = "Warm, clear and direct with the family"

    def drop_names(root):
        sdt = next(s for s in root.iter(w("sdt")) if s.find("w:sdtPr/w:tag", W).get(w("val")) == "strengths")
        for element in list(sdt.iter(w("tag"))) + list(sdt.iter(w("alias"))):
            element.getparent().remove(element)

    examined = examine("resaved.docx", _rewrite(fill(spec, values), drop_names), catalogue)

    assert examined.problems == []
    assert examined.submission.values["strengths"] == "Warm, clear and direct with the family"
    assert examined.recovered is True


def _strip_names(root, keep_text_titles: bool = True) -> None:
    """Drop tags everywhere and titles from all but text boxes, as LibreOffice does on a re-save."""
    for sdt in root.iter(w("sdt")):
        properties = sdt.find("w:sdtPr", W)
        for element in properties.findall("w:tag", W) + ([] if keep_text_titles and properties.find("w:text", W) is not None else properties.findall("w:alias", W)):
            properties.remove(element)


def test_boxes_that_lost_their_names_and_no_longer_fit_the_form_are_refused_with_one_note(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)

    def resave_and_delete_a_drop_down(root):
        _strip_names(root)
        dropdown = next(s for s in root.iter(w("sdt")) if s.find("w:sdtPr/w:dropDownList", W) is not None)
        dropdown.getparent().remove(dropdown)

    examined = examine("resaved.docx", _rewrite(fill(spec, values), resave_and_delete_a_drop_down), catalogue)

    assert examined.problems == [message("resaved_unplaceable")]  # one note, no "required" lines for filled fields


def test_boxes_that_lost_their_names_but_are_empty_leave_the_named_answers_readable(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    for item in spec.fields():
        if item.type in ("date", "choice", "grade", "multi_choice"):  # every box a re-save leaves without a name
            values[item.id] = None

    def resave_and_delete_a_drop_down(root):
        _strip_names(root)
        dropdown = next(s for s in root.iter(w("sdt")) if s.find("w:sdtPr/w:dropDownList", W) is not None)
        dropdown.getparent().remove(dropdown)

    examined = examine("resaved.docx", _rewrite(fill(spec, values), resave_and_delete_a_drop_down), catalogue)

    # Nothing was lost: the answers are in boxes still titled, and what is missing is said by label.
    assert examined.submission.values["strengths"] == values["strengths"]
    assert examined.problems == [
        message("required", label=item.label) for item in spec.fields() if item.required and item.type in ("date", "choice", "grade")
    ]


def test_two_controls_with_the_same_tag_are_rejected_naming_the_field(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)

    def duplicate(root):
        sdt = next(s for s in root.iter(w("sdt")) if s.find("w:sdtPr/w:tag", W).get(w("val")) == "practitioner")
        sdt.addnext(etree.fromstring(etree.tostring(sdt)))

    examined = examine("copy.docx", _rewrite(fill(spec, values), duplicate), catalogue)

    assert examined.problems == [message("duplicate_control", label="Practitioner observed")]


def test_control_copied_into_a_text_box_fallback_is_counted_once(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"

    def textbox(root):
        sdt = next(s for s in root.iter(w("sdt")) if s.find("w:sdtPr/w:tag", W).get(w("val")) == "other_comments")
        alternate = etree.SubElement(sdt.getparent(), f"{{{mc}}}AlternateContent")
        etree.SubElement(alternate, f"{{{mc}}}Fallback").append(etree.fromstring(etree.tostring(sdt)))

    examined = examine("textbox.docx", _rewrite(fill(spec, values), textbox), catalogue)

    assert examined.problems == []
    assert examined.submission.values["other_comments"] == values["other_comments"]


def test_placeholder_text_left_by_a_word_processor_counts_as_empty(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    del values["other_comments"]

    def drop_placeholder_flags(root):
        for flag in list(root.iter(w("showingPlcHdr"))):
            flag.getparent().remove(flag)

    examined = examine("lo.docx", _rewrite(fill(spec, values), drop_placeholder_flags), catalogue)

    assert examined.problems == []
    assert examined.submission.values["other_comments"] is None


def test_legacy_form_fields_are_rejected_by_label(catalogue):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)

    def legacy(root):
        body = root.find("w:body", W)
        body.insert(0, etree.fromstring(
            f'<w:p xmlns:w="{W["w"]}"><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="strengths"/>'
            '<w:enabled/></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMTEXT </w:instrText></w:r></w:p>'))

    examined = examine("legacy.docx", _rewrite(fill(spec, values), legacy), catalogue)

    assert examined.problems == [message("legacy_fields", label="Identified strengths")]


@pytest.mark.parametrize("typed, expected", [("03/11/2022", "2022-11-03"), ("3/11/2022", "2022-11-03"), ("2022-11-03", "2022-11-03")])
def test_a_date_typed_as_text_is_read(catalogue, typed, expected):
    spec = catalogue.find("observation")
    values, _ = full_answers(spec)
    values["observation_date"] = typed
    examined = examine("d.docx", fill(spec, values), catalogue)
    assert examined.problems == []
    assert examined.submission.values["observation_date"].isoformat() == expected


@pytest.mark.parametrize("key", ["ccr", "staff_feedback", "supervision_audit", "observation"])
def test_the_builder_writes_the_controls_the_form_layout_describes(key, catalogue):
    spec = catalogue.find(key)

    written = [ContentControl(sdt) for sdt in _document(build_form(spec)).iter(w("sdt"))]

    assert [(c.tag, c.title, c.kind, c.items, c.date_format, c.multiline) for c in written] == [
        (s.tag, s.title, s.kind, s.items, s.date_format, s.multiline) for s in form_slots(spec)
    ]


def _two_date_tables() -> FormSpec:
    """A form with two repeat tables of the same shape, one date per row."""
    def table(group_id: str, label: str) -> Section:
        return Section(label, (Group(group_id, label, (Field(f"{group_id[:-1]}_date", f"{label} date", "date"),), rows=2),))

    return FormSpec("two_tables", 1, "Two tables", "docx", (table("visits", "Visit"), table("calls", "Call")))


def test_boxes_that_lost_their_names_are_refused_when_more_than_one_reading_of_the_form_fits():
    spec = _two_date_tables()
    catalogue = Catalogue({spec.key: spec})
    groups = {"visits": [{"visit_date": dt.date(2022, 11, 1)}, {"visit_date": dt.date(2022, 11, 2)}],
              "calls": [{"call_date": dt.date(2022, 11, 3)}, {"call_date": dt.date(2022, 11, 4)}]}

    def resave_into_one_table(root):
        _strip_names(root)
        first, second = root.iter(w("tbl"))
        for row in second.findall("w:tr", W)[1:]:  # the calls' rows, under the visits'
            first.append(row)
        second.getparent().remove(second)

    examined = examine("merged.docx", _rewrite(fill(spec, {}, groups), resave_into_one_table), catalogue)

    # Two visits and two calls, or four of one and none of the other: nothing shows which.
    assert examined.problems == [message("resaved_unplaceable")]

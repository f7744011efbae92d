"""Property tests: whatever a person types comes back exactly; whatever a damaged file holds, reading never crashes.

Example budgets are small and fixed (no deadline, a few dozen examples each) so the file runs in CI
in a few seconds; raise QA_HYPOTHESIS_EXAMPLES to search harder on a workstation.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile

from hypothesis import HealthCheck, assume, given, settings, strategies as st
from lxml import etree

from answers import full_answers
from filling import fill_xlsx
from pipeline.ingest import Examined, examine
from pipeline.formfile.names import PLACEHOLDERS
from pipeline.read.raw import RawSubmission
from pipeline.spec import Catalogue
from pipeline.templates import build_form
from pipeline.templates.docx_fill import fill_docx
from pipeline.validate import validate
from pipeline.workspace import BUILTIN_SPECS

CATALOGUE = Catalogue.load(BUILTIN_SPECS)
EXAMPLES = int(os.environ.get("QA_HYPOTHESIS_EXAMPLES", "40"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What a person can type or paste into a Word control or an Excel cell: any character XML 1.0 can
# carry. Control characters other than tab and new line are left to their own test below.
TYPEABLE = st.characters(
    blacklist_categories=("Cs", "Cc"),  # lone surrogates cannot be saved; controls are tested apart
    blacklist_characters="\ufffe\uffff",  # the two non-characters XML forbids
)
MARKUP = st.sampled_from(list("&<>\"'") + ["&amp;", "<w:t>", "]]>", "\t", "\n", "  ", "0", "👩🏽‍⚕️", "e\u0301", "\u200d"])
LINE = st.lists(st.one_of(TYPEABLE, MARKUP, st.just(" ")), max_size=40).map("".join)
LONG_TEXT = st.lists(st.one_of(TYPEABLE, MARKUP, st.sampled_from(["\n", "\t", " "])), max_size=120).map("".join)
LEADING_ZEROS = st.from_regex(r"0{1,4}[0-9]{2,10}", fullmatch=True)


def _blank(key: str) -> tuple:
    spec = CATALOGUE.find(key)
    values, groups = full_answers(spec)
    return spec, build_form(spec), values, groups


OBSERVATION = _blank("observation")
DIP_SAMPLE = _blank("dip_sample")


def _expected_long(text: str) -> str | None:
    return text if text.strip() else None


def _expected_short(text: str) -> str | None:
    return text.strip() or None


# --- Word: text controls keep what was typed ----------------------------------------------------


@PROPERTY
@given(long=LONG_TEXT, short=LINE, child_id=LEADING_ZEROS)
def test_word_text_controls_give_back_exactly_what_was_typed(long, short, child_id):
    assume(long.strip() not in PLACEHOLDERS and short.strip() not in PLACEHOLDERS)
    spec, blank, values, groups = OBSERVATION
    typed = {**values, "reflections": long, "nature_other": short, "child_id": child_id}

    examined = examine("typed.docx", fill_docx(blank, spec, typed, groups), CATALOGUE)

    assert examined.problems == []
    stored = examined.submission.values
    # Long answers keep every space and line; short ones are trimmed, as a name or an id should be.
    assert stored["reflections"] == _expected_long(long)
    assert stored["nature_other"] == _expected_short(short)
    assert stored["child_id"] == child_id


# --- Excel: cells keep what was typed ----------------------------------------------------------
# Saving through openpyxl for every example would take most of the time budget (and openpyxl
# neither escapes as Excel does nor lets a cell hold a control character). So the form is filled
# once with a marker in each cell under test, and each example writes its text where the marker
# is, in the form Excel saves typed text: XML-escaped, '_x' written '_x005F_x', and characters XML
# cannot hold written '_xHHHH_'. Text starting '=' stays text, as Excel keeps it after a quote.

EXCEL_CELLS = {"edi_evaluation": "MARKER-EDI", "children.1.action": "MARKER-ACTION", "children.1.owner": "MARKER-OWNER", "children.1.child_id": "MARKER-CHILD-1"}


def _marked_workbook() -> bytes:
    spec, blank, values, groups = DIP_SAMPLE
    rows = [dict(row) for row in groups["children"]]
    rows[0].update(action=EXCEL_CELLS["children.1.action"], owner=EXCEL_CELLS["children.1.owner"], child_id=EXCEL_CELLS["children.1.child_id"])
    return fill_xlsx(blank, spec, {**values, "edi_evaluation": EXCEL_CELLS["edi_evaluation"]}, {"children": rows})


MARKED = _marked_workbook()


def typed_in_excel(typed: dict[str, str]) -> bytes:
    """The marked dip sample with *typed* text (by cell key) in place of the markers, as Excel saves it."""
    sheet = _part(MARKED, "xl/worksheets/sheet1.xml")
    for key, text in typed.items():
        sheet = sheet.replace(EXCEL_CELLS[key].encode(), excel_xml_text(text).encode())
    return _with_part(MARKED, "xl/worksheets/sheet1.xml", sheet)


def excel_xml_text(text: str) -> str:
    """*text* as Excel writes it inside a cell's <t> element."""
    text = text.replace("_x", "_x005F_x")
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda match: f"_x{ord(match.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


@PROPERTY
@given(long=LONG_TEXT, short=LINE, header=LONG_TEXT, child_id=LEADING_ZEROS)
def test_excel_cells_give_back_exactly_what_was_typed(long, short, header, child_id):
    assume(header.strip())  # Equality, diversity and identity is required
    data = typed_in_excel({"children.1.action": long, "children.1.owner": short, "edi_evaluation": header, "children.1.child_id": child_id})

    examined = examine("typed.xlsx", data, CATALOGUE)

    assert examined.problems == []
    row = examined.submission.groups["children"][0]
    assert row["action"] == _expected_long(long)
    assert row["owner"] == _expected_short(short)
    assert row["child_id"] == child_id
    assert examined.submission.values["edi_evaluation"] == header


# --- control characters: XML cannot carry them ---------------------------------------------------

CONTROL = st.sampled_from([chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"])


@PROPERTY
@given(before=LINE, control=CONTROL, after=LINE)
def test_control_characters_saved_by_excel_are_dropped_and_breaks_kept(before, control, after):
    # Excel saves a control character typed or pasted into a cell as '_xHHHH_'. The store, the
    # reports and the exports are XML (or end up in it), which cannot carry them: vertical tab and
    # form feed (line and page breaks in Office text) become a new line, the rest are dropped.
    data = typed_in_excel({"children.1.action": before + control + after})

    examined = examine("pasted.xlsx", data, CATALOGUE)

    expected = before + ("\n" if control in "\x0b\x0c" else "") + after
    assert examined.problems == []
    assert examined.submission.groups["children"][0]["action"] == _expected_long(expected)


def _part(data: bytes, part: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(part)


def test_control_characters_from_any_reader_never_reach_the_store():
    # Whatever a reader hands over, validation keeps text XML can carry.
    spec = CATALOGUE.find("observation")
    values, _ = full_answers(spec)
    raw = RawSubmission(kind="docx", properties={}, values={**values, "reflections": "one\x0btwo\x07\x00 three\ufffe", "nature_other": "\x1fX\x02"})

    submission = validate(spec, raw)

    assert submission.problems == []
    assert submission.values["reflections"] == "one\ntwo three"
    assert submission.values["nature_other"] == "X"


# --- damaged files: reading never crashes or hangs -----------------------------------------------


def _valid(key: str) -> bytes:
    spec, blank, values, groups = _blank(key)
    if spec.format == "docx":
        return fill_docx(blank, spec, values, groups)
    return fill_xlsx(blank, spec, values, groups)


VALID = {"docx": _valid("ccr"), "xlsx": _valid("dip_sample")}
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/worksheets/sheet1.xml"}


class _Unexpected(logging.Handler):
    """Collects the failures examine() catches with its last-resort handler: those are reader bugs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("unexpected read failure"):
            self.records.append(record)


def examine_damaged(name: str, data: bytes) -> Examined:
    """examine() a damaged file, failing the test if it raised or fell through to its last resort."""
    log = logging.getLogger("pipeline.ingest")
    handler, level = _Unexpected(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        examined = examine(name, data, CATALOGUE)
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    assert not handler.records, [record.exc_info for record in handler.records]
    assert isinstance(examined, Examined)
    assert examined.problems or examined.submission is not None
    assert all(isinstance(problem, str) and problem for problem in examined.problems)
    return examined


@PROPERTY
@given(kind=st.sampled_from(["docx", "xlsx"]), data=st.data())
def test_random_byte_changes_never_crash_reading(kind, data):
    original = VALID[kind]
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        position = data.draw(st.integers(0, len(damaged) - 1), label="position")
        damaged[position] = data.draw(st.integers(0, 255), label="byte")
    examine_damaged(f"damaged.{kind}", bytes(damaged))


@PROPERTY
@given(kind=st.sampled_from(["docx", "xlsx"]), data=st.data())
def test_truncated_files_never_crash_reading(kind, data):
    original = VALID[kind]
    cut = data.draw(st.integers(0, len(original) - 1), label="length")
    examined = examine_damaged(f"cut.{kind}", original[:cut])
    assert examined.problems


@PROPERTY
@given(kind=st.sampled_from(["docx", "xlsx"]), data=st.data())
def test_damaged_xml_inside_a_sound_zip_never_crashes_reading(kind, data):
    # Byte changes to the zip mostly hit compressed data and fail its checksum; these reach the
    # XML itself, as a buggy converter or a hand edit would leave it.
    part = MAIN_PART[kind]
    xml = bytearray(zipfile.ZipFile(io.BytesIO(VALID[kind])).read(part))
    for _ in range(data.draw(st.integers(1, 6), label="changes")):
        position = data.draw(st.integers(0, len(xml) - 1), label="position")
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="action")
        chunk = data.draw(st.sampled_from([b"<", b">", b"/", b'"', b"&", b"\x00", b"\xff", b"w:", b"<w:sdt>", b"</w:p>", b"x"]), label="chunk")
        if action == "replace":
            xml[position:position + len(chunk)] = chunk
        elif action == "delete":
            del xml[position:position + data.draw(st.integers(1, 200), label="length")]
        else:
            xml[position:position] = chunk
    examine_damaged(f"xml.{kind}", _with_part(VALID[kind], part, bytes(xml)))


@PROPERTY
@given(kind=st.sampled_from(["docx", "xlsx"]), data=st.data())
def test_well_formed_but_reshaped_xml_never_crashes_reading(kind, data):
    # Elements removed, copied or given other values: XML that parses but is not what we wrote,
    # as another program re-saving the file might leave it.
    part = MAIN_PART[kind]
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(VALID[kind])).read(part))
    elements = [element for element in root.iter() if element is not root and isinstance(element.tag, str)]
    for _ in range(data.draw(st.integers(1, 6), label="changes")):
        element = elements[data.draw(st.integers(0, len(elements) - 1), label="element")]
        parent = element.getparent()
        if parent is None:
            continue
        action = data.draw(st.sampled_from(["remove", "duplicate", "empty", "attribute", "text"]), label="action")
        if action == "remove":
            parent.remove(element)
        elif action == "duplicate":
            element.addnext(etree.fromstring(etree.tostring(element)))
        elif action == "empty":
            for child in list(element):
                element.remove(child)
        elif action == "attribute" and element.attrib:
            name = data.draw(st.sampled_from(sorted(element.attrib)), label="attribute")
            element.set(name, data.draw(st.sampled_from(["", "0", "-1", "999999999", "x", "Z1048577", "A1:XFD1048576", "2022-13-45T00:00:00Z"]), label="value"))
        elif action == "text":
            element.text = data.draw(LINE, label="text")
    examine_damaged(f"reshaped.{kind}", _with_part(VALID[kind], part, etree.tostring(root)))


def _with_part(data: bytes, part: str, blob: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, blob if info.filename == part else source.read(info.filename))
    return out.getvalue()

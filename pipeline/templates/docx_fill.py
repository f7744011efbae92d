"""Fill a Word form's content controls the way Word does: used to pre-fill issued forms and by the demo."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

from lxml import etree

from ..ooxml import (
    CHECKED_GLYPH,
    DATE_FORMAT_PY,
    UNCHECKED_GLYPH,
    XML_NS,
    group_tag,
    option_tag,
    w,
    w14,
)
from ..read.raw import PROP_ISSUE
from ..spec import Field, FormSpec
from .docx_form import custom_properties_xml

Answers = dict[str, object]


def fill_docx(
    data: bytes,
    spec: FormSpec,
    values: Answers | None = None,
    groups: dict[str, list[Answers]] | None = None,
    issue_id: str | None = None,
) -> bytes:
    """Return *data* (a form built from *spec*) with answers typed into its controls.

    Values are Python values: str, int, datetime.date, bool for yes/no, list of options for
    multi-choice. Repeat groups with more entries than the form has rows get extra rows, as a
    person would add them in Word.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    controls = _controls_by_tag(root)
    for item in spec.fields():
        if values and item.id in values:
            _fill_field(controls, item, item.id, values[item.id])
    for group in spec.groups():
        rows = (groups or {}).get(group.id, [])
        if len(rows) > _row_count(controls, group.id, group.fields[0].id):
            _add_rows(root, group.id, len(rows))
            controls = _controls_by_tag(root)
        for number, row in enumerate(rows, 1):
            for item in group.fields:
                if item.id in row:
                    _fill_field(controls, item, group_tag(group.id, number, item.id), row[item.id])
    replaced = {"word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}
    if issue_id:
        properties = _properties(source)
        properties[PROP_ISSUE] = issue_id
        replaced["docProps/custom.xml"] = custom_properties_xml(properties)
    return _rewrite(source, replaced)


def _controls_by_tag(root) -> dict[str, etree._Element]:
    controls = {}
    for sdt in root.iter(w("sdt")):
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        if tag is not None:
            controls[tag.get(w("val"))] = sdt
    return controls


def _row_count(controls: dict, group_id: str, first_field: str) -> int:
    count = 0
    while group_tag(group_id, count + 1, first_field) in controls:
        count += 1
    return count


def _fill_field(controls: dict, item: Field, tag: str, value: object) -> None:
    if item.type == "multi_choice":
        chosen = set(value or ())
        for option in item.choices:
            _set_checkbox(controls[option_tag(tag, option)], option in chosen)
        return
    sdt = controls[tag]
    if item.type == "yes_no":
        _set_checkbox(sdt, bool(value))
        return
    if value is None or value == "":
        return
    properties = sdt.find(w("sdtPr"))
    if isinstance(value, dt.date):
        date = properties.find(w("date"))
        if date is not None:
            date.set(w("fullDate"), f"{value:%Y-%m-%d}T00:00:00Z")
        text = value.strftime(DATE_FORMAT_PY)
    else:
        text = str(value)
    dropdown = properties.find(w("dropDownList"))
    if dropdown is not None:
        dropdown.set(w("lastValue"), text)
    _set_text(sdt, text)


def _set_checkbox(sdt, checked: bool) -> None:
    sdt.find(f"{w('sdtPr')}/{w14('checkbox')}/{w14('checked')}").set(w14("val"), "1" if checked else "0")
    for text in sdt.find(w("sdtContent")).iter(w("t")):
        text.text = CHECKED_GLYPH if checked else UNCHECKED_GLYPH


def _set_text(sdt, text: str) -> None:
    """Replace the placeholder with *text*; new lines become line breaks, as Word's multi-line controls store them."""
    properties = sdt.find(w("sdtPr"))
    flag = properties.find(w("showingPlcHdr"))
    if flag is not None:
        properties.remove(flag)
    content = sdt.find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    run = etree.SubElement(content, w("r"))
    for index, line in enumerate(text.split("\n")):
        if index:
            etree.SubElement(run, w("br"))
        if line:
            t = etree.SubElement(run, w("t"))
            t.text = line
            t.set(f"{{{XML_NS}}}space", "preserve")


def _add_rows(root, group_id: str, wanted: int) -> None:
    """Clone the group's last row until it has *wanted* rows, renumbering the controls' tags and ids."""
    prefix = f"{group_id}."
    rows = []
    for tr in root.iter(w("tr")):
        tags = [t.get(w("val")) for t in tr.iter(w("tag"))]
        if tags and all(tag.startswith(prefix) for tag in tags):
            rows.append(tr)
    last = rows[-1]
    next_id = max(int(i.get(w("val"))) for i in root.iter(w("id")) if i.get(w("val"), "").isdigit()) + 1
    for number in range(len(rows) + 1, wanted + 1):
        clone = copy.deepcopy(last)
        for sdt in clone.iter(w("sdt")):
            properties = sdt.find(w("sdtPr"))
            tag = properties.find(w("tag"))
            _, _, rest = tag.get(w("val")).split(".", 2)
            tag.set(w("val"), f"{group_id}.{number}.{rest}")
            alias = properties.find(w("alias"))
            if alias is not None:
                alias.set(w("val"), alias.get(w("val")).rsplit(" (row ", 1)[0] + f" (row {number})")
            properties.find(w("id")).set(w("val"), str(next_id))
            next_id += 1
        last.addnext(clone)
        last = clone


def _properties(source: zipfile.ZipFile) -> dict[str, str]:
    try:
        root = etree.fromstring(source.read("docProps/custom.xml"))
    except KeyError:
        return {}
    return {prop.get("name"): (prop[0].text or "") for prop in root if len(prop)}


def _rewrite(source: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = replaced.get(info.filename)
            target.writestr(info, blob if blob is not None else source.read(info.filename), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()

"""Read a Word form's content controls with lxml: raw answers by field id, never a value in the wrong field."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import Problem, message
from ..ooxml import CHECKED_GLYPH, MC_NS, PLACEHOLDERS, UNCHECKED_GLYPH, group_tag, option_tag, w, w14
from ..spec import Field, FormSpec
from .package import OfficePackage
from .raw import RawSubmission

_GROUP_TAG = re.compile(r"^([a-z][a-z0-9_]*)\.(\d{1,6})\.([a-z][a-z0-9_]*(?::.*)?)$")
_ROW_TITLE = re.compile(r"^(.*) \(row (\d{1,6})\)$")
_TEXT_TAGS = {w("t"): None, w("tab"): "\t", w("br"): "\n", w("cr"): "\n", w("noBreakHyphen"): "-"}


def read_docx(package: OfficePackage, spec: FormSpec) -> RawSubmission:
    """Read every control of a .docx built from *spec* into a RawSubmission."""
    root = package.xml("word/document.xml")
    # Text boxes are stored twice (mc:Choice for Word 2010+, mc:Fallback for older readers):
    # dropping the fallback copy means each control is read once.
    for fallback in list(root.iter(f"{{{MC_NS}}}Fallback")):
        fallback.getparent().remove(fallback)
    result = RawSubmission(kind="docx", properties=package.properties)
    titles = _TitleMap(spec)
    seen: dict[str, int] = {}
    rows: dict[tuple[str, int], dict[str, object]] = {}
    found_any = False
    lost: list[str] = []
    for sdt in root.iter(w("sdt")):
        properties = sdt.find(w("sdtPr"))
        if properties is None:
            continue
        tag = _val(properties.find(w("tag")))
        title = _val(properties.find(w("alias")))
        if not tag and _has_tagged_child(sdt):
            continue  # a container Word or the author wrapped around our controls
        key = tag or titles.key(title)
        value = _value(sdt, properties)
        if key is None:
            if value not in (None, False):
                lost.append(_preview(value))
            continue
        found_any = True
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            result.problems.append(Problem(message("duplicate_control", label=_label_for(spec, key)), field=key))
        if seen[key] == 1:
            _place(result, rows, key, value)
    if len(lost) == 1:
        result.problems.append(Problem(message("lost_tag", preview=lost[0])))
    elif lost:
        examples = ", ".join(f"'{text}'" for text in lost[:3]) + (", …" if len(lost) > 3 else "")
        result.problems.append(Problem(message("lost_tags", count=len(lost), examples=examples)))
    _legacy_fields(root, spec, result)
    if not found_any and not result.problems:
        result.problems.append(Problem(message("no_controls")))
    _collect(result, rows, spec)
    return result


def _val(element) -> str | None:
    return element.get(w("val")) if element is not None else None


def _has_tagged_child(sdt) -> bool:
    return any(_val(inner.find(f"{w('sdtPr')}/{w('tag')}")) for inner in sdt.iter(w("sdt")) if inner is not sdt)


class _TitleMap:
    """Control title → tag, to place answers when a word processor kept titles but dropped tags."""

    def __init__(self, spec: FormSpec) -> None:
        self.top: dict[str, str] = {}
        for item in spec.fields():
            self.top[item.label] = item.id
            for option in item.choices if item.type == "multi_choice" else ():
                self.top[f"{item.label}: {option}"] = option_tag(item.id, option)
        self.rows = {
            item.label: (group.id, item.id)
            for group in spec.groups()
            for item in group.fields
            if item.label not in self.top
        }

    def key(self, title: str | None) -> str | None:
        """The tag a control with this title must have had, or None if the title says nothing certain."""
        if not title:
            return None
        if title in self.top:
            return self.top[title]
        match = _ROW_TITLE.match(title)
        if match and match[1] in self.rows:
            group_id, field_id = self.rows[match[1]]
            return group_tag(group_id, int(match[2]), field_id)
        return None


def _value(sdt, properties) -> object:
    """The control's answer: bool for checkboxes, date for dated date pickers, else text (None if empty)."""
    checkbox = properties.find(w14("checkbox"))
    text = _text(sdt.find(w("sdtContent")))
    if checkbox is not None:
        checked = checkbox.find(w14("checked"))
        if checked is not None:
            return _val_w14(checked) in ("1", "true", "on")
        return CHECKED_GLYPH in text
    if text.strip() in (CHECKED_GLYPH, UNCHECKED_GLYPH) and properties.find(w("text")) is None:
        return text.strip() == CHECKED_GLYPH  # a checkbox whose w14 properties were dropped on re-save
    if properties.find(w("showingPlcHdr")) is not None or text.strip() in PLACEHOLDERS:
        return None
    date = properties.find(w("date"))
    if date is not None and date.get(w("fullDate")):
        try:
            return dt.date.fromisoformat(date.get(w("fullDate"))[:10])
        except ValueError:
            pass  # fall back to the text shown, which validation parses or rejects by label
    dropdown = properties.find(w("dropDownList"))
    if dropdown is None:
        dropdown = properties.find(w("comboBox"))
    if dropdown is not None:
        shown = text.strip()
        for item in dropdown.iter(w("listItem")):
            if item.get(w("displayText")) == shown and item.get(w("value")):
                return item.get(w("value"))
    return text if text.strip() else None


def _val_w14(element) -> str | None:
    return element.get(w14("val"))


def _text(content) -> str:
    """Visible text of a control: runs joined, tabs and breaks kept, one new line between paragraphs."""
    if content is None:
        return ""
    paragraphs: list[str] = []
    current: list[str] = []
    started = False
    for element in content.iter(w("p"), *_TEXT_TAGS):
        if element.tag == w("p"):
            if started:
                paragraphs.append("".join(current))
                current = []
            started = True
        elif element.tag == w("t"):
            current.append(element.text or "")
        else:
            current.append(_TEXT_TAGS[element.tag])
    paragraphs.append("".join(current))
    return "\n".join(paragraphs)


def _preview(value: object) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "…"


def _label_for(spec: FormSpec, key: str) -> str:
    match = _GROUP_TAG.match(key)
    try:
        if match:
            item = spec.group(match[1]).field(match[3].split(":")[0])
            return f"{item.label} (row {int(match[2])})"
        return spec.field(key.split(":")[0]).label
    except KeyError:
        return key


def _place(result: RawSubmission, rows: dict, key: str, value: object) -> None:
    match = _GROUP_TAG.match(key)
    if match:
        rows.setdefault((match[1], int(match[2])), {})[match[3]] = value
    else:
        result.values[key] = value


def _collect(result: RawSubmission, rows: dict, spec: FormSpec) -> None:
    """Turn 'field:option' checkboxes into lists, and numbered rows into ordered, non-empty rows."""
    for item in spec.fields():
        if item.type == "multi_choice":
            result.values[item.id] = _options(result.values, item)
    for key in [key for key in result.values if ":" in key]:
        del result.values[key]
    for group in spec.groups():
        ordered = []
        for _, cells in sorted((number, cells) for (group_id, number), cells in rows.items() if group_id == group.id):
            for item in group.fields:
                if item.type == "multi_choice":
                    cells[item.id] = _options(cells, item)
            if any(value not in (None, False) for value in cells.values()):
                ordered.append({key: value for key, value in cells.items() if ":" not in key})
        result.groups[group.id] = ordered


def _options(cells: dict, item: Field) -> list[str] | None:
    ticked = [option for option in item.choices if cells.get(f"{item.id}:{option}") is True]
    return ticked or None


def _legacy_fields(root, spec: FormSpec, result: RawSubmission) -> None:
    """Old-style FORMTEXT/FORMCHECKBOX fields cannot be placed safely: say so, by the field's label."""
    for data in root.iter(w("ffData")):
        name = _val(data.find(w("name"))) or "A form field"
        label = name
        for item in spec.fields():
            if name in (item.id, item.label):
                label = item.label
        result.problems.append(Problem(message("legacy_fields", label=label), field=name))

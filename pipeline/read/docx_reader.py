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

# Element and attribute names, spelled out once: the reader visits every control of every form,
# and building these strings (or going through find()) per control was most of its time.
_SDT, _SDT_PR, _SDT_CONTENT = w("sdt"), w("sdtPr"), w("sdtContent")
_TAG, _ALIAS, _VAL, _TEXT_PR, _PLACEHOLDER_FLAG = w("tag"), w("alias"), w("val"), w("text"), w("showingPlcHdr")
_DATE, _FULL_DATE = w("date"), w("fullDate")
_DROPDOWNS = (w("dropDownList"), w("comboBox"))
_LIST_ITEM, _DISPLAY_TEXT, _LIST_VALUE = w("listItem"), w("displayText"), w("value")
_CHECKBOX, _CHECKED, _W14_VAL = w14("checkbox"), w14("checked"), w14("val")
_P, _T = w("p"), w("t")
_TEXT_ITER = (_P, *_TEXT_TAGS)
_FALLBACK = f"{{{MC_NS}}}Fallback"


def read_docx(package: OfficePackage, spec: FormSpec) -> RawSubmission:
    """Read every control of a .docx built from *spec* into a RawSubmission."""
    root = package.xml(package.main_part or "word/document.xml")  # the part the content types name, as Word reads it
    # Text boxes are stored twice (mc:Choice for Word 2010+, mc:Fallback for older readers):
    # dropping the fallback copy means each control is read once.
    for fallback in list(root.iter(_FALLBACK)):
        fallback.getparent().remove(fallback)
    result = RawSubmission(kind="docx", properties=package.properties)
    titles = _TitleMap(spec)
    seen: dict[str, int] = {}
    rows: dict[tuple[str, int], dict[str, object]] = {}
    found_any = False
    lost: list[str] = []
    for sdt in root.iter(_SDT):
        properties, content = _parts(sdt)
        if properties is None:
            continue
        tag = _val(properties.get(_TAG))
        title = _val(properties.get(_ALIAS))
        if not tag and _has_tagged_child(sdt):
            continue  # a container Word or the author wrapped around our controls
        key = tag or titles.key(title)
        value = _value(content, properties)
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


def _parts(sdt) -> tuple[dict[str, object] | None, object]:
    """A control's properties (child elements by name, or None if it has none) and its content element."""
    properties = content = None
    for child in sdt:
        if child.tag == _SDT_PR and properties is None:
            properties = {}
            for item in child:
                properties.setdefault(item.tag, item)  # the first of a repeated property counts, as find() would
        elif child.tag == _SDT_CONTENT and content is None:
            content = child
    return properties, content


def _val(element) -> str | None:
    return element.get(_VAL) if element is not None else None


def _has_tagged_child(sdt) -> bool:
    return any(_val(inner.find(f"{_SDT_PR}/{_TAG}")) for inner in sdt.iter(_SDT) if inner is not sdt)


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


def _value(content, properties: dict) -> object:
    """The control's answer: bool for checkboxes, date for dated date pickers, else text (None if empty)."""
    checkbox = properties.get(_CHECKBOX)
    if checkbox is not None:
        checked = checkbox.find(_CHECKED)
        if checked is not None:
            return checked.get(_W14_VAL) in ("1", "true", "on")
        return CHECKED_GLYPH in _text(content)
    text = _text(content)
    shown = text.strip()
    if shown in (CHECKED_GLYPH, UNCHECKED_GLYPH) and _TEXT_PR not in properties:
        return shown == CHECKED_GLYPH  # a checkbox whose w14 properties were dropped on re-save
    if _PLACEHOLDER_FLAG in properties or shown in PLACEHOLDERS:
        return None
    date = properties.get(_DATE)
    if date is not None and date.get(_FULL_DATE):
        try:
            return dt.date.fromisoformat(date.get(_FULL_DATE)[:10])
        except ValueError:
            pass  # fall back to the text shown, which validation parses or rejects by label
    for dropdown in _DROPDOWNS:
        if dropdown in properties:
            for item in properties[dropdown].iter(_LIST_ITEM):
                if item.get(_DISPLAY_TEXT) == shown and item.get(_LIST_VALUE):
                    return item.get(_LIST_VALUE)
            break
    return text if shown else None


def _text(content) -> str:
    """Visible text of a control: runs joined, tabs and breaks kept, one new line between paragraphs."""
    if content is None:
        return ""
    paragraphs: list[str] = []
    current: list[str] = []
    started = False
    for element in content.iter(_TEXT_ITER):
        tag = element.tag
        if tag == _P:
            if started:
                paragraphs.append("".join(current))
                current = []
            started = True
        elif tag == _T:
            current.append(element.text or "")
        else:
            current.append(_TEXT_TAGS[tag])
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
    match = _GROUP_TAG.match(key) if "." in key else None
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
        ordered, positions = [], []
        for number, cells in sorted((number, cells) for (group_id, number), cells in rows.items() if group_id == group.id):
            for item in group.fields:
                if item.type == "multi_choice":
                    cells[item.id] = _options(cells, item)
            if any(value not in (None, False) for value in cells.values()):
                ordered.append({key: value for key, value in cells.items() if ":" not in key})
                positions.append(number)
        result.groups[group.id] = ordered
        result.row_numbers[group.id] = positions


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

"""Word content controls (w:sdt) and the custom properties part over lxml: the one place their XML shape is known.

In the manner of python-docx's ``oxml`` classes: ``ContentControl`` wraps one ``w:sdt`` element and
says what it is (tag, title, kind, list items, date format) and what it holds; the builder makes
new ones, the filler types into them and the reader reads them, so the three cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterator

from lxml import etree

from .names import (
    CHECKBOX_FONT,
    CHECKED_GLYPH,
    PLACEHOLDER_CHOICE,
    PLACEHOLDER_DATE,
    PLACEHOLDER_TEXT,
    PLACEHOLDERS,
    UNCHECKED_GLYPH,
)

if TYPE_CHECKING:
    from .layout import Slot

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CUSTOM_PROPS_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every custom property carries (fixed by the OOXML spec).
CUSTOM_PROPS_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def w(tag: str) -> str:
    """Clark name of a WordprocessingML element or attribute."""
    return f"{{{W_NS}}}{tag}"


def w14(tag: str) -> str:
    """Clark name of a Word 2010 (w14) element or attribute."""
    return f"{{{W14_NS}}}{tag}"


# Kinds of control, by the element in its properties that says what it is.
TEXT, DATE, DROPDOWN, CHECKBOX, OTHER = "text", "date", "dropdown", "checkbox", "other"

# Element and attribute names, spelled out once: the reader visits every control of every form,
# and building these strings (or going through find()) per control was most of its time.
_SDT, _SDT_PR, _SDT_CONTENT = w("sdt"), w("sdtPr"), w("sdtContent")
_TAG, _ALIAS, _ID, _VAL, _TEXT_PR, _PLACEHOLDER_FLAG = w("tag"), w("alias"), w("id"), w("val"), w("text"), w("showingPlcHdr")
_MULTILINE = w("multiLine")
_DATE, _FULL_DATE, _DATE_FORMAT = w("date"), w("fullDate"), w("dateFormat")
_DROPDOWN, _COMBO = w("dropDownList"), w("comboBox")
_DROPDOWNS = (_DROPDOWN, _COMBO)
_LIST_ITEM, _DISPLAY_TEXT, _LIST_VALUE, _LAST_VALUE = w("listItem"), w("displayText"), w("value"), w("lastValue")
_CHECKBOX, _CHECKED, _W14_VAL = w14("checkbox"), w14("checked"), w14("val")
_P, _R, _T, _BR = w("p"), w("r"), w("t"), w("br")
_TEXT_TAGS = {_T: None, w("tab"): "\t", _BR: "\n", w("cr"): "\n", w("noBreakHyphen"): "-"}
_TEXT_ITER = (_P, *_TEXT_TAGS)
_SPACE = f"{{{XML_NS}}}space"
_NSMAP = {"w": W_NS, "w14": W14_NS}


class ContentControl:
    """One Word content control (``w:sdt``): its name, its kind, and the answer it holds."""

    __slots__ = ("element", "bare", "_properties", "_content")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        properties = content = None
        for child in element:
            if child.tag == _SDT_PR and properties is None:
                properties = {}
                for item in child:
                    properties.setdefault(item.tag, item)  # the first of a repeated property counts, as find() would
            elif child.tag == _SDT_CONTENT and content is None:
                content = child
        self.bare = properties is None  # no properties at all: not a control anyone can fill in
        self._properties: dict[str, etree._Element] = properties if properties is not None else {}
        self._content = content

    @classmethod
    def new(cls, slot: Slot, control_id: int) -> ContentControl:
        """An empty inline control for *slot*, in the shape Word itself writes."""
        sdt = etree.Element(_SDT, nsmap=_NSMAP)
        properties = etree.SubElement(sdt, _SDT_PR)
        _with_val(properties, _ALIAS, slot.title)
        _with_val(properties, _TAG, slot.tag)
        _with_val(properties, _ID, str(control_id))
        content = etree.SubElement(sdt, _SDT_CONTENT)
        run = etree.SubElement(content, _R)
        if slot.kind == CHECKBOX:
            box = etree.SubElement(properties, _CHECKBOX)
            etree.SubElement(box, _CHECKED).set(_W14_VAL, "0")
            for state, code in (("checkedState", "2612"), ("uncheckedState", "2610")):
                element = etree.SubElement(box, w14(state))
                element.set(_W14_VAL, code)
                element.set(w14("font"), CHECKBOX_FONT)
            fonts = etree.SubElement(etree.SubElement(run, w("rPr")), w("rFonts"))
            for attribute in ("ascii", "eastAsia", "hAnsi"):
                fonts.set(w(attribute), CHECKBOX_FONT)
            fonts.set(w("hint"), "eastAsia")
            etree.SubElement(run, _T).text = UNCHECKED_GLYPH
            return cls(sdt)
        etree.SubElement(properties, _PLACEHOLDER_FLAG)
        if slot.kind == DATE:
            date = etree.SubElement(properties, _DATE)
            _with_val(date, _DATE_FORMAT, slot.date_format or "")
            _with_val(date, w("lid"), "en-GB")
            _with_val(date, w("storeMappedDataAs"), "dateTime")
            _with_val(date, w("calendar"), "gregorian")
            placeholder = PLACEHOLDER_DATE
        elif slot.kind == DROPDOWN:
            dropdown = etree.SubElement(properties, _DROPDOWN)
            for option in slot.items:
                item = etree.SubElement(dropdown, _LIST_ITEM)
                item.set(_DISPLAY_TEXT, option)
                item.set(_LIST_VALUE, option)
            placeholder = PLACEHOLDER_CHOICE
        else:
            text = etree.SubElement(properties, _TEXT_PR)
            if slot.multiline:
                text.set(_MULTILINE, "1")
            placeholder = PLACEHOLDER_TEXT
        _with_val(etree.SubElement(run, w("rPr")), w("color"), "808080")
        etree.SubElement(run, _T).text = placeholder
        return cls(sdt)

    # --- what it is -----------------------------------------------------------------------------

    @property
    def tag(self) -> str | None:
        """The control's tag (our field key), or None if it has none."""
        element = self._properties.get(_TAG)
        return element.get(_VAL) if element is not None else None

    @property
    def title(self) -> str | None:
        """The control's title (Word's 'alias'), or None if it has none."""
        element = self._properties.get(_ALIAS)
        return element.get(_VAL) if element is not None else None

    @property
    def kind(self) -> str:
        """TEXT, DATE, DROPDOWN, CHECKBOX, or OTHER (rich text, pictures, containers)."""
        properties = self._properties
        if _CHECKBOX in properties:
            return CHECKBOX
        if _DATE in properties:
            return DATE
        if _DROPDOWN in properties or _COMBO in properties:
            return DROPDOWN
        if _TEXT_PR in properties:
            return TEXT
        return OTHER

    @property
    def items(self) -> tuple[str, ...]:
        """A drop-down's list values, in order (empty for other kinds)."""
        for name in _DROPDOWNS:
            if name in self._properties:
                return tuple(item.get(_LIST_VALUE) or item.get(_DISPLAY_TEXT) or "" for item in self._properties[name].iter(_LIST_ITEM))
        return ()

    @property
    def date_format(self) -> str | None:
        """A date picker's display format, e.g. 'dd/MM/yyyy' (None for other kinds)."""
        date = self._properties.get(_DATE)
        if date is None:
            return None
        element = date.find(_DATE_FORMAT)
        return element.get(_VAL) if element is not None else None

    @property
    def multiline(self) -> bool:
        """Whether a plain-text control takes several lines."""
        text = self._properties.get(_TEXT_PR)
        return text is not None and text.get(_MULTILINE) in ("1", "true", "on")

    def holds_controls(self) -> bool:
        """Whether this control is a container around other controls (as some editors wrap check boxes)."""
        return self._content is not None and next(self._content.iter(_SDT), None) is not None

    # --- what it holds --------------------------------------------------------------------------

    def value(self) -> object:
        """The answer: bool for check boxes, a date for dated date pickers, else text (None if empty)."""
        properties = self._properties
        checkbox = properties.get(_CHECKBOX)
        if checkbox is not None:
            checked = checkbox.find(_CHECKED)
            if checked is not None:
                return checked.get(_W14_VAL) in ("1", "true", "on")
            return CHECKED_GLYPH in self.text()
        text = self.text()
        shown = text.strip()
        if shown in (CHECKED_GLYPH, UNCHECKED_GLYPH) and _TEXT_PR not in properties:
            return shown == CHECKED_GLYPH  # a check box whose w14 properties were dropped on re-save
        if _PLACEHOLDER_FLAG in properties or shown in PLACEHOLDERS:
            return None
        date = properties.get(_DATE)
        if date is not None and date.get(_FULL_DATE):
            try:
                return dt.date.fromisoformat(date.get(_FULL_DATE)[:10])
            except ValueError:
                pass  # fall back to the text shown, which validation parses or rejects by label
        for name in _DROPDOWNS:
            if name in properties:
                for item in properties[name].iter(_LIST_ITEM):
                    if item.get(_DISPLAY_TEXT) == shown and item.get(_LIST_VALUE):
                        return item.get(_LIST_VALUE)
                break
        return text if shown else None

    def text(self) -> str:
        """Visible text: runs joined, tabs and breaks kept, one new line between paragraphs."""
        if self._content is None:
            return ""
        paragraphs: list[str] = []
        current: list[str] = []
        started = False
        for element in self._content.iter(_TEXT_ITER):
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

    # --- typing into it, as Word does -----------------------------------------------------------

    def set_checked(self, checked: bool) -> None:
        """Tick or clear a check box."""
        self._properties[_CHECKBOX].find(_CHECKED).set(_W14_VAL, "1" if checked else "0")
        for text in self._content.iter(_T):
            text.text = CHECKED_GLYPH if checked else UNCHECKED_GLYPH

    def set_date(self, day: dt.date, shown: str) -> None:
        """Pick *day* in a date picker, showing it as *shown*."""
        date = self._properties.get(_DATE)
        if date is not None:
            date.set(_FULL_DATE, f"{day:%Y-%m-%d}T00:00:00Z")
        self.set_text(shown)

    def set_text(self, text: str) -> None:
        """Replace the placeholder with *text*; new lines become line breaks, as multi-line controls store them."""
        flag = self._properties.pop(_PLACEHOLDER_FLAG, None)
        if flag is not None:
            flag.getparent().remove(flag)
        for name in _DROPDOWNS:
            if name in self._properties:
                self._properties[name].set(_LAST_VALUE, text)
        for child in list(self._content):
            self._content.remove(child)
        run = etree.SubElement(self._content, _R)
        for index, line in enumerate(text.split("\n")):
            if index:
                etree.SubElement(run, _BR)
            if line:
                element = etree.SubElement(run, _T)
                element.text = line
                element.set(_SPACE, "preserve")

    def rename(self, tag: str, title: str | None, control_id: int) -> None:
        """Give a copied control its own tag, title and id (as Word does for a copied table row)."""
        self._properties[_TAG].set(_VAL, tag)
        if title is not None and _ALIAS in self._properties:
            self._properties[_ALIAS].set(_VAL, title)
        self._properties[_ID].set(_VAL, str(control_id))


def iter_controls(root: etree._Element) -> Iterator[ContentControl]:
    """Every content control under *root*, in document order (containers included)."""
    for sdt in root.iter(_SDT):
        yield ContentControl(sdt)


def highest_control_id(root: etree._Element) -> int:
    """The largest numeric control id under *root* (0 if none)."""
    return max((int(value) for value in (i.get(_VAL, "") for i in root.iter(_ID)) if value.isdigit()), default=0)


def _with_val(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.set(_VAL, value)
    return element


# --- docProps/custom.xml -----------------------------------------------------------------------


def custom_properties_xml(properties: dict[str, str]) -> bytes:
    """docProps/custom.xml holding *properties* as text properties."""
    root = etree.Element(f"{{{CUSTOM_PROPS_NS}}}Properties", nsmap={None: CUSTOM_PROPS_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(properties.items(), 2):
        prop = etree.SubElement(root, f"{{{CUSTOM_PROPS_NS}}}property", fmtid=CUSTOM_PROPS_FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    # The declaration as Office writes it (lxml would use single quotes).
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def custom_properties(root: etree._Element) -> dict[str, str]:
    """The text of every named property in a parsed docProps/custom.xml."""
    properties = {}
    for prop in root:
        name = prop.get("name")
        if name and len(prop):
            properties[name] = (prop[0].text or "").strip()
    return properties


# --- python-docx proxies -----------------------------------------------------------------------


def element_of(proxy: object) -> etree._Element:
    """The lxml element behind a python-docx proxy (paragraph, run, table, row or cell).

    python-docx offers no public way to reach it; this is the one place that uses its private name.
    """
    return proxy._element  # noqa: SLF001

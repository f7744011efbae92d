"""Names a form file carries: properties, control tags and titles, Excel names, placeholders and formats."""

from __future__ import annotations

import re

# Custom document properties that identify a form (docProps/custom.xml, Word and Excel alike).
PROP_FORM = "qa_form"
PROP_VERSION = "qa_version"
PROP_VARIANT = "qa_variant"
PROP_ISSUE = "qa_issue_id"


def form_properties(form_id: str, version: int | str, variant: str | None, issue_id: str | None = None) -> dict[str, str]:
    """The custom properties a form file of this form, version and variant carries (in this order)."""
    properties = {PROP_FORM: form_id, PROP_VERSION: str(version), PROP_VARIANT: variant or ""}
    if issue_id:
        properties[PROP_ISSUE] = issue_id
    return properties


# --- Word: control tags and titles -------------------------------------------------------------
# A top-level field's control is tagged with the field id and titled with its label; a repeat
# group's with 'group.N.field' and 'Label (row N)'; each option of a multi-choice field has a check
# box of its own, tagged 'field:option' and titled 'Title: option'.

_ID = r"[a-z][a-z0-9_]*"
_GROUP_TAG = re.compile(rf"^({_ID})\.(\d{{1,6}})\.({_ID}(?::.*)?)$")
_ROW_TITLE = re.compile(r"^(.*) \(row (\d{1,6})\)$")


def group_tag(group_id: str, row: int, field_id: str) -> str:
    """Tag of the control for *field_id* in row *row* (from 1) of a repeat group."""
    return f"{group_id}.{row}.{field_id}"


def option_tag(tag: str, option: str) -> str:
    """Tag of one option's check box in a multi-choice field whose own tag is *tag*."""
    return f"{tag}:{option}"


def parse_group_tag(tag: str) -> tuple[str, int, str] | None:
    """('actions', 3, 'owner') for 'actions.3.owner' (the field part keeps any ':option'); None for other tags."""
    match = _GROUP_TAG.match(tag) if "." in tag else None
    return (match[1], int(match[2]), match[3]) if match else None


def row_title(label: str, row: int) -> str:
    """Title of a repeat group's control in row *row*: 'Owner (row 3)'."""
    return f"{label} (row {row})"


def parse_row_title(title: str) -> tuple[str, int] | None:
    """('Owner', 3) for 'Owner (row 3)'; None for other titles."""
    match = _ROW_TITLE.match(title)
    return (match[1], int(match[2])) if match else None


def option_title(title: str, option: str) -> str:
    """Title of one option's check box: 'Topics covered: Workload'."""
    return f"{title}: {option}"


# What an empty control shows. A control whose text is one of these counts as empty even when a
# word processor dropped the showingPlcHdr flag (LibreOffice does on some re-saves).
PLACEHOLDER_TEXT = "Click or tap here to enter text."
PLACEHOLDER_DATE = "Click or tap to enter a date."
PLACEHOLDER_CHOICE = "Choose an item."
PLACEHOLDERS = frozenset({PLACEHOLDER_TEXT, PLACEHOLDER_DATE, PLACEHOLDER_CHOICE})

CHECKED_GLYPH = "\u2612"  # ☒
UNCHECKED_GLYPH = "\u2610"  # ☐
CHECKBOX_FONT = "MS Gothic"

DATE_FORMAT_WORD = "dd/MM/yyyy"
DATE_FORMAT_PY = "%d/%m/%Y"

# --- Excel: sheets and defined names -----------------------------------------------------------

FORM_SHEET = "Form"
LISTS_SHEET = "Lists"

# A defined name may not look like a cell reference (A1 or R1C1 style), or Excel refuses the file.
_A1_REF = re.compile(r"^([a-z]{1,3})(\d+)$")
_R1C1_REF = re.compile(r"^(r\d*c?\d*|c\d*)$")


def excel_name(field_id: str) -> str:
    """The defined name for a header field (or table) id, prefixed with '_' where Excel would read it as a cell."""
    match = _A1_REF.match(field_id)
    if match and _column_number(match.group(1)) <= 16384 and int(match.group(2)) <= 1048576:
        return "_" + field_id
    if _R1C1_REF.match(field_id):
        return "_" + field_id
    return field_id


def column_name(group_id: str, field_id: str) -> str:
    """The defined name of one repeat-table column's body, e.g. 'children.child_id'."""
    # The dot makes the whole name safe even when a part alone would look like a cell reference.
    return f"{group_id}.{field_id}"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("a") + 1
    return number

"""Names shared by the Word form builder and reader: XML namespaces, placeholder texts, checkbox glyphs."""

from __future__ import annotations

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def w(tag: str) -> str:
    """Clark name of a WordprocessingML element or attribute."""
    return f"{{{W_NS}}}{tag}"


def w14(tag: str) -> str:
    """Clark name of a Word 2010 (w14) element or attribute."""
    return f"{{{W14_NS}}}{tag}"


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

CUSTOM_PROPS_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPS_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every custom property carries (fixed by the OOXML spec).
CUSTOM_PROPS_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def group_tag(group_id: str, row: int, field_id: str) -> str:
    """Tag of the control for *field_id* in row *row* (from 1) of a repeat group."""
    return f"{group_id}.{row}.{field_id}"


def option_tag(field_id: str, option: str) -> str:
    """Tag of one option's checkbox in a multi-choice field."""
    return f"{field_id}:{option}"

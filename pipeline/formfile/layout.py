"""Which content controls a Word form holds, in which order and of which kind: the form's shape as a reader sees it.

The builder lays each section out as its repeat-group tables first, then a table of its fields;
each field is one control, except a multi-choice field, which is one check box per option. A
repeat group prints ``group.rows`` rows and a person may add more, so its rows are a pattern that
repeats. ``form_layout`` says this once; the builder's test holds it to what the builder writes,
and the reader uses it to place answers from a file whose controls lost their names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Union

from ..spec import Field, FormSpec, Group
from .names import DATE_FORMAT_WORD, group_tag, option_tag, option_title, row_title
from .oxml import CHECKBOX, DATE, DROPDOWN, TEXT


@dataclass(frozen=True)
class Slot:
    """One control of a form: its tag and title, its kind, and what else tells it apart."""

    tag: str
    title: str
    kind: str  # oxml.TEXT | DATE | DROPDOWN | CHECKBOX
    items: tuple[str, ...] = ()  # a drop-down's list
    date_format: str | None = None  # a date picker's format
    multiline: bool = False  # a long-text box


def control_kind(item: Field) -> str:
    """The kind of control a field of this type is answered in."""
    if item.type in ("yes_no", "multi_choice"):
        return CHECKBOX
    if item.type == "date":
        return DATE
    if item.type in ("choice", "grade"):
        return DROPDOWN
    return TEXT


def field_slots(item: Field, tag: str, title: str) -> list[Slot]:
    """The control(s) answering *item*, tagged *tag* and titled *title*: one, or one check box per option."""
    kind = control_kind(item)
    if item.type == "multi_choice":
        return [Slot(option_tag(tag, option), option_title(title, option), kind) for option in item.choices]
    if kind == DROPDOWN:
        return [Slot(tag, title, kind, items=tuple(item.options))]
    if kind == DATE:
        return [Slot(tag, title, kind, date_format=DATE_FORMAT_WORD)]
    return [Slot(tag, title, kind, multiline=item.type == "long_text")]


def row_slots(group: Group, row: int) -> list[Slot]:
    """The controls of row *row* (from 1) of a repeat group, left to right."""
    return [
        slot
        for item in group.fields
        for slot in field_slots(item, group_tag(group.id, row, item.id), row_title(item.label, row))
    ]


@dataclass(frozen=True)
class Fixed:
    """Controls that appear once, in this order."""

    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Repeat:
    """A repeat group's rows: its row pattern, as many times as the table has rows."""

    group: Group


Segment = Union[Fixed, Repeat]


def form_layout(spec: FormSpec) -> list[Segment]:
    """The form's controls in document order, repeat groups left open."""
    segments: list[Segment] = []
    for section in spec.sections:
        segments += [Repeat(item) for item in section.items if isinstance(item, Group)]
        slots = [slot for item in section.items if isinstance(item, Field) for slot in field_slots(item, item.id, item.label)]
        if slots:
            segments.append(Fixed(tuple(slots)))
    return segments


def form_slots(spec: FormSpec, rows: Mapping[str, int] | None = None) -> Iterator[Slot]:
    """Every control of the form in document order, each repeat group with *rows*[id] rows (default: as printed)."""
    for segment in form_layout(spec):
        if isinstance(segment, Fixed):
            yield from segment.slots
        else:
            group = segment.group
            for row in range(1, (rows or {}).get(group.id, group.rows) + 1):
                yield from row_slots(group, row)

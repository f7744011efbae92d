"""Place the answers of a Word form whose controls lost their names, by the form's layout — or not at all.

LibreOffice (and other editors) re-save a form keeping its controls' order, their kind, a drop-down's
list, a date picker's format and date, a check box's tick and the tables they sit in, but dropping
the names of date pickers, drop-downs and check boxes. The form's layout (``formfile.layout``)
says which controls it holds, in which order, of which kind, and where the tables begin and end;
a repeat group's rows may be any number. The file's controls are matched against it: each must
have the kind (and list, date format, multi-line flag) of its place, keep any tag or title it
still has, and sit in the same table as the rest of its section (one table row per repeat row).
Only when exactly one reading of the layout fits are the answers placed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..formfile.layout import Fixed, Slot, form_layout, row_slots
from ..formfile.oxml import DATE, DROPDOWN, TEXT, ContentControl, w
from ..spec import FormSpec

_TBL, _TR = w("tbl"), w("tr")


@dataclass(frozen=True)
class _Found:
    """What a control in the file still says about itself, and where it sits."""

    kind: str
    items: tuple[str, ...]
    date_format: str | None
    multiline: bool
    tag: str | None
    title: str | None
    table: object  # the enclosing table and table row, as elements (None outside a table)
    row: object

    def fits(self, slot: Slot) -> bool:
        """Whether this control can be the control *slot* describes."""
        if self.kind != slot.kind or (self.tag is not None and self.tag != slot.tag):
            return False
        if self.title is not None and self.title != slot.title:
            return False
        if self.kind == DROPDOWN:
            return self.items == slot.items
        if self.kind == DATE:
            return self.date_format == slot.date_format
        if self.kind == TEXT:
            return self.multiline == slot.multiline
        return True


def place_by_layout(controls: list[ContentControl], spec: FormSpec) -> list[str] | None:
    """The tag each of *controls* (in document order) must have had, if exactly one reading of the layout fits; else None."""
    found = [_found(control) for control in controls]
    segments = form_layout(spec)
    memo: dict[tuple[int, int], tuple[int, tuple[str, ...]]] = {}

    def fits(segment: int, position: int) -> tuple[int, tuple[str, ...]]:
        """How many readings (0, 1 or 2 for 'more') place segments[segment:] on found[position:], and one of them."""
        if segment == len(segments):
            return (1, ()) if position == len(found) else (0, ())
        if (segment, position) in memo:
            return memo[(segment, position)]
        layout = segments[segment]
        before = found[position - 1].table if position else _NOWHERE
        readings, reading = 0, ()
        if isinstance(layout, Fixed):
            end = position + len(layout.slots)
            here = found[position:end]
            if len(here) == len(layout.slots) and _one_table(here, before) and all(f.fits(s) for f, s in zip(here, layout.slots)):
                readings, rest = fits(segment + 1, end)
                reading = tuple(slot.tag for slot in layout.slots) + rest
        else:
            tags: list[str] = []
            table, row, at = _NOWHERE, 1, position
            while True:  # this group with row - 1 rows, then try one row more
                count, rest = fits(segment + 1, at)
                if count and not readings:
                    reading = (*tags, *rest)
                readings += count
                slots = row_slots(layout.group, row)
                here = found[at : at + len(slots)]
                if len(here) < len(slots) or not all(f.fits(s) for f, s in zip(here, slots)):
                    break
                if not _one_row(here, table if row > 1 else None, before, found[at - 1].row if row > 1 else _NOWHERE):
                    break
                table = here[0].table
                tags += [slot.tag for slot in slots]
                at, row = at + len(slots), row + 1
        memo[(segment, position)] = (min(readings, 2), reading)
        return memo[(segment, position)]

    readings, reading = fits(0, 0)
    return list(reading) if readings == 1 else None


_NOWHERE = object()  # before the first control: no table at all


def _found(control: ContentControl) -> _Found:
    table = row = None
    for ancestor in control.element.iterancestors(_TR, _TBL):
        if ancestor.tag == _TR and row is None and table is None:
            row = ancestor
        elif ancestor.tag == _TBL:
            table = ancestor
            break
    return _Found(control.kind, control.items, control.date_format, control.multiline, control.tag, control.title, table, row)


def _one_table(here: list[_Found], before: object) -> bool:
    """A section's fields fill one table of their own, not the one the controls before them sit in."""
    return all(f.table is here[0].table for f in here) and here[0].table is not before


def _one_row(here: list[_Found], table: object, before: object, previous_row: object) -> bool:
    """A repeat row's controls share one table row, below the previous row in the group's own table."""
    first = here[0]
    if not all(f.row is first.row and f.table is first.table for f in here) or first.row is previous_row:
        return False
    return first.table is table if table is not None else first.table is not before

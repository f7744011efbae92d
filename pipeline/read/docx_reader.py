"""Read a Word form's content controls with lxml: raw answers by field id, never a value in the wrong field."""

from __future__ import annotations

from ..errors import Problem, ReadError, message
from ..formfile.layout import Fixed, form_layout
from ..formfile.names import group_tag, option_tag, parse_group_tag, parse_row_title
from ..formfile.oxml import MC_NS, iter_controls, w
from ..spec import Field, FormSpec
from .docx_resaved import place_by_layout
from .package import OfficePackage
from .raw import RawSubmission

_FALLBACK = f"{{{MC_NS}}}Fallback"


def read_docx(package: OfficePackage, spec: FormSpec) -> RawSubmission:
    """Read every control of a .docx built from *spec* into a RawSubmission.

    A file whose controls all carry their tags (as Word saves it) is read by tag. When some lost
    their names (a re-save by another editor), the answers are placed by the form's layout if
    exactly one reading of it fits; failing that, by their titles if every answer has one; failing
    that, the file is refused with one note (ReadError), nothing placed by guesswork.
    """
    root = package.xml(package.main_part or "word/document.xml")  # the part the content types name, as Word reads it
    # Text boxes are stored twice (mc:Choice for Word 2010+, mc:Fallback for older readers):
    # dropping the fallback copy means each control is read once.
    for fallback in list(root.iter(_FALLBACK)):
        fallback.getparent().remove(fallback)
    result = RawSubmission(kind="docx", properties=package.properties)
    # Containers some editors wrap around controls hold no answer of their own: their controls do.
    controls = [control for control in iter_controls(root) if not control.bare and not control.holds_controls()]
    keys: list[str | None] = [control.tag for control in controls]
    if not all(keys):
        placed = place_by_layout(controls, spec)
        if placed is None:
            titles = _TitleMap(spec)
            placed = [tag or titles.key(control.title) for tag, control in zip(keys, controls)]
            if any(key is None and control.value() not in (None, False) for key, control in zip(placed, controls)):
                raise ReadError(message("resaved_unplaceable"))
        result.recovered = any(key is not None and tag is None for key, tag in zip(placed, keys))
        keys = placed
    seen: dict[str, int] = {}
    rows: dict[tuple[str, int], dict[str, object]] = {}
    for control, key in zip(controls, keys):
        if key is None:
            continue
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            result.problems.append(Problem(message("duplicate_control", label=_label_for(spec, key)), field=key))
        if seen[key] == 1:
            _place(result, rows, key, control.value())
    _legacy_fields(root, spec, result)
    if not seen and not result.problems:
        result.problems.append(Problem(message("no_controls")))
    _collect(result, rows, spec)
    return result


class _TitleMap:
    """Control title → tag, to place answers when a word processor kept titles but dropped tags."""

    def __init__(self, spec: FormSpec) -> None:
        self.top = {slot.title: slot.tag for segment in form_layout(spec) if isinstance(segment, Fixed) for slot in segment.slots}
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
        parsed = parse_row_title(title)
        if parsed and parsed[0] in self.rows:
            group_id, field_id = self.rows[parsed[0]]
            return group_tag(group_id, parsed[1], field_id)
        return None


def _label_for(spec: FormSpec, key: str) -> str:
    parsed = parse_group_tag(key)
    try:
        if parsed:
            item = spec.group(parsed[0]).field(parsed[2].split(":")[0])
            return f"{item.label} (row {parsed[1]})"
        return spec.field(key.split(":")[0]).label
    except KeyError:
        return key


def _place(result: RawSubmission, rows: dict, key: str, value: object) -> None:
    parsed = parse_group_tag(key)
    if parsed:
        rows.setdefault((parsed[0], parsed[1]), {})[parsed[2]] = value
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
    ticked = [option for option in item.choices if cells.get(option_tag(item.id, option)) is True]
    return ticked or None


def _legacy_fields(root, spec: FormSpec, result: RawSubmission) -> None:
    """Old-style FORMTEXT/FORMCHECKBOX fields cannot be placed safely: say so, by the field's label."""
    for data in root.iter(w("ffData")):
        name_element = data.find(w("name"))
        name = (name_element.get(w("val")) if name_element is not None else None) or "A form field"
        label = name
        for item in spec.fields():
            if name in (item.id, item.label):
                label = item.label
        result.problems.append(Problem(message("legacy_fields", label=label), field=name))

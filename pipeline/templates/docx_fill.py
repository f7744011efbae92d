"""Fill a Word form's content controls the way Word does: used to pre-fill issued forms and by the demo."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

from lxml import etree

from ..formfile.names import DATE_FORMAT_PY, PROP_ISSUE, group_tag, option_tag, option_title, parse_group_tag, row_title
from ..formfile.oxml import ContentControl, custom_properties, custom_properties_xml, highest_control_id, iter_controls, w
from ..spec import Field, FormSpec

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
            _add_rows(root, spec, group.id, len(rows))
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


def _controls_by_tag(root) -> dict[str, ContentControl]:
    return {control.tag: control for control in iter_controls(root) if control.tag}


def _row_count(controls: dict, group_id: str, first_field: str) -> int:
    count = 0
    while group_tag(group_id, count + 1, first_field) in controls:
        count += 1
    return count


def _fill_field(controls: dict[str, ContentControl], item: Field, tag: str, value: object) -> None:
    if item.type == "multi_choice":
        chosen = set(value or ())
        for option in item.choices:
            controls[option_tag(tag, option)].set_checked(option in chosen)
        return
    control = controls[tag]
    if item.type == "yes_no":
        control.set_checked(bool(value))
    elif value is None or value == "":
        return
    elif isinstance(value, dt.date):
        control.set_date(value, value.strftime(DATE_FORMAT_PY))
    else:
        control.set_text(str(value))


def _add_rows(root, spec: FormSpec, group_id: str, wanted: int) -> None:
    """Clone the group's last row until it has *wanted* rows, renumbering the controls' tags, titles and ids."""
    rows = []
    for tr in root.iter(w("tr")):
        tags = [control.tag for control in iter_controls(tr)]
        if tags and all(tag and (parse_group_tag(tag) or ("",))[0] == group_id for tag in tags):
            rows.append(tr)
    labels = {item.id: item.label for item in spec.group(group_id).fields}
    last = rows[-1]
    next_id = highest_control_id(root) + 1
    for number in range(len(rows) + 1, wanted + 1):
        clone = copy.deepcopy(last)
        for control in iter_controls(clone):
            _, _, rest = parse_group_tag(control.tag)
            field_id, _, option = rest.partition(":")
            title = row_title(labels[field_id], number)
            tag = group_tag(group_id, number, field_id)
            if option:
                tag, title = option_tag(tag, option), option_title(title, option)
            control.rename(tag, title, next_id)
            next_id += 1
        last.addnext(clone)
        last = clone


def _properties(source: zipfile.ZipFile) -> dict[str, str]:
    try:
        return custom_properties(etree.fromstring(source.read("docProps/custom.xml")))
    except KeyError:
        return {}


def _rewrite(source: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = replaced.get(info.filename)
            target.writestr(info, blob if blob is not None else source.read(info.filename), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()

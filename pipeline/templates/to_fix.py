"""A rejected form's TO FIX copy: the author's own file with a comment on each answer that failed.

Word: a comment (python-docx ≥ 1.2) anchored on the runs inside the failing content control, so
Word shows it beside that very box; Excel: a cell comment (openpyxl) on the failing cell. The text
is the problem as the note beside the rejected file words it: the field by its label, what is wrong
and how to fix it. A problem about the form as a whole (no field) is put on the form's first line or
cell. Only forms that were opened safely and read are annotated (ingest decides); the answers are
left exactly as the author typed them, so the copy, fixed and dropped in the inbox, is read like any
resubmission.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from lxml import etree

from ..errors import Problem
from ..formfile.names import column_name, excel_name, parse_group_tag
from ..formfile.oxml import element_of, iter_controls, w
from ..spec import FormSpec
from ..validate import xml_safe

AUTHOR, INITIALS = "QA team", "QA"
WHOLE_FORM = "About the whole form: "


def to_fix_copy(data: bytes, spec: FormSpec, problems: Sequence[Problem]) -> bytes:
    """*data* (a form of *spec* that failed validation) with a comment on each failing answer, as file bytes."""
    if spec.format == "xlsx":
        return _annotate_xlsx(data, spec, problems)
    return _annotate_docx(data, problems)


# --- Word ---------------------------------------------------------------------------------------


def _annotate_docx(data: bytes, problems: Sequence[Problem]) -> bytes:
    from docx import Document
    from docx.text.run import Run

    document = Document(io.BytesIO(data))
    body = document.element.body
    _drop_earlier_remarks(document, body)
    controls: dict[str, list[etree._Element]] = {}
    for control in iter_controls(body):
        if control.tag:
            controls.setdefault(control.tag, []).append(control.element)
    for problem in problems:
        targets = _controls_for(controls, problem.field)
        runs = [run for sdt in targets[:1] + targets[-1:] for run in _runs_in(sdt)] if targets else _first_runs(body)
        text = xml_safe(problem.message if targets else WHOLE_FORM + problem.message)
        document.add_comment([Run(runs[0], document), Run(runs[-1], document)], text=text, author=AUTHOR, initials=INITIALS)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _drop_earlier_remarks(document, body: etree._Element) -> None:
    """Take out the QA team's comments from an earlier TO FIX copy (the author's own comments stay)."""
    ours = [comment for comment in document.comments if comment.author == AUTHOR]
    ids = {str(comment.comment_id) for comment in ours}
    for comment in ours:
        element = element_of(comment)
        element.getparent().remove(element)
    for name in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        for marker in [m for m in body.iter(w(name)) if m.get(w("id")) in ids]:
            gone = marker.getparent() if name == "commentReference" else marker  # a reference sits in a run of its own
            gone.getparent().remove(gone)


def _controls_for(controls: dict[str, list[etree._Element]], field: str | None) -> list[etree._Element]:
    """The controls a problem is about: the field's own, its options' check boxes, or a repeat group's first row."""
    if not field:
        return []
    if field in controls:
        return controls[field][:1]
    options = [sdt for tag, found in controls.items() if tag.startswith(field + ":") for sdt in found[:1]]
    if options:
        return options
    rows = [(parts[1], sdt) for tag, found in controls.items()
            if (parts := parse_group_tag(tag)) and parts[0] == field for sdt in found[:1]]
    first = min((number for number, _ in rows), default=None)
    return [sdt for number, sdt in rows if number == first]


def _runs_in(sdt: etree._Element) -> list[etree._Element]:
    """The runs inside a control's content (one made, empty, if the author deleted them all)."""
    content = sdt.find(w("sdtContent"))
    if content is None:
        content = etree.SubElement(sdt, w("sdtContent"))
    runs = list(content.iter(w("r")))
    if runs:
        return runs
    paragraph = next(content.iter(w("p")), None)
    return [etree.SubElement(paragraph if paragraph is not None else content, w("r"))]


def _first_runs(body: etree._Element) -> list[etree._Element]:
    """The runs of the form's first paragraph with text (its title), for problems about the whole form."""
    for paragraph in body.iter(w("p")):
        runs = [run for run in paragraph.iter(w("r")) if run.find(w("t")) is not None]
        if runs:
            return runs
    paragraph = next(body.iter(w("p")), None)
    if paragraph is None:
        paragraph = etree.Element(w("p"))
        body.insert(0, paragraph)
    return [etree.SubElement(paragraph, w("r"))]


# --- Excel --------------------------------------------------------------------------------------


def _annotate_xlsx(data: bytes, spec: FormSpec, problems: Sequence[Problem]) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment

    with warnings.catch_warnings():  # openpyxl warns about parts it keeps without understanding (extensions)
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(io.BytesIO(data))
    texts: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        where = _cell_for(workbook, spec, problem.field)
        if where is None:
            where = (workbook.worksheets[0].title, "A1")
            texts.setdefault(where, []).append(xml_safe(WHOLE_FORM + problem.message))
        else:
            texts.setdefault(where, []).append(xml_safe(problem.message))
    for (sheet, ref), lines in texts.items():
        text = "\n\n".join(lines)
        comment = Comment(text, AUTHOR, width=320, height=max(90, 18 * (len(text) // 45 + len(lines))))
        workbook[sheet][ref].comment = comment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_for(workbook, spec: FormSpec, field: str | None) -> tuple[str, str] | None:
    """(sheet, 'B7') of the cell a problem is about: a header field's named cell, or a table row's cell."""
    if not field:
        return None
    parts = parse_group_tag(field)
    if parts is not None:
        group, row, field_id = parts
        return _offset(workbook, column_name(group, field_id.split(":")[0]), row - 1)
    try:
        group = spec.group(field)
    except KeyError:
        return _offset(workbook, excel_name(field), 0)
    return _offset(workbook, column_name(group.id, group.fields[0].id), 0)


def _offset(workbook, name: str, rows: int) -> tuple[str, str] | None:
    from openpyxl.utils.cell import coordinate_from_string

    defined = workbook.defined_names.get(name)
    if defined is None:
        return None
    for sheet, ref in defined.destinations:
        first = ref.replace("$", "").split(":")[0]
        column, row = coordinate_from_string(first)
        return sheet, f"{column}{row + rows}"
    return None

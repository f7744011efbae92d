"""Build a Word form from its spec: labelled tables of content controls, restricted to filling in forms."""

from __future__ import annotations

import io
import itertools

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt, RGBColor

from ..formfile.layout import field_slots
from ..formfile.names import form_properties, group_tag, row_title
from ..formfile.oxml import CUSTOM_PROPS_CT, ContentControl, custom_properties_xml, element_of, w
from ..spec import Field, FormSpec, Group, Section

LABEL_FILL = "DCE6F0"
HEADER_FILL = "1F4E79"
INPUT_FILL = "FFFFFF"
GUIDANCE_GREY = RGBColor(0x59, 0x59, 0x59)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)


def build_docx(spec: FormSpec, issue_id: str | None = None) -> bytes:
    """The blank Word form for *spec*, as .docx bytes (fill it with fill_docx to pre-fill or test)."""
    document = Document()
    _page_setup(document, landscape=False)
    _styles(document)
    ids = itertools.count(1001)

    title = document.add_paragraph(style="Title")
    title.add_run(spec.display_title)
    if spec.description:
        intro = document.add_paragraph(spec.description)
        intro.runs[0].font.color.rgb = GUIDANCE_GREY
    for section in spec.sections:
        _section(document, section, ids)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"{spec.display_title} · form {spec.key} version {spec.version}"
    footer.runs[0].font.size = Pt(8)
    footer.runs[0].font.color.rgb = GUIDANCE_GREY

    _restrict_to_forms(document)
    _set_properties(document, spec, issue_id)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document, landscape: bool) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(2)
    title = document.styles["Title"]
    title.font.name = "Arial"
    title.font.size = Pt(20)
    title.font.color.rgb = ACCENT
    heading = document.styles["Heading 2"]
    heading.font.name = "Arial"
    heading.font.size = Pt(13)
    heading.font.color.rgb = ACCENT
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True


def _section(document, section: Section, ids) -> None:
    document.add_paragraph(section.title, style="Heading 2")
    if section.guidance and section.layout != "grid":
        note = document.add_paragraph(section.guidance)
        note.runs[0].italic = True
        note.runs[0].font.color.rgb = GUIDANCE_GREY
    for item in section.items:
        if isinstance(item, Group):
            _group_table(document, item, ids)
    fields = [item for item in section.items if isinstance(item, Field)]
    if not fields:
        return
    if section.layout == "grid":
        _grid_table(document, section, fields, ids)
    elif section.layout == "wide":
        _wide_table(document, fields, ids)
    else:
        _label_table(document, fields, ids)


def _label_table(document, fields: list[Field], ids) -> None:
    """Label on the left, answer on the right: the layout of the framework's appendices."""
    table = document.add_table(rows=len(fields), cols=2)
    _table_style(table)
    for row, item in zip(table.rows, fields):
        _label_cell(row.cells[0], item)
        _answer(row.cells[1], item, item.id, item.label, ids)
        _widths(row, (Cm(6.4), Cm(11.0)))
        _keep_whole(row)


def _wide_table(document, fields: list[Field], ids) -> None:
    """A shaded question above a roomy answer box, for long answers."""
    table = document.add_table(rows=2 * len(fields), cols=1)
    _table_style(table)
    for index, item in enumerate(fields):
        _label_cell(table.rows[2 * index].cells[0], item)
        _keep_whole(table.rows[2 * index], with_next=True)  # a question never ends a page without its answer box
        answer = table.rows[2 * index + 1]
        _keep_whole(answer)
        _answer(answer.cells[0], item, item.id, item.label, ids)
        if item.type == "long_text":
            _min_height(answer, Cm(2.2))


def _grid_table(document, section: Section, fields: list[Field], ids) -> None:
    """The CCR domain grid: number, domain, evaluation, grade — pairs of (evaluation, grade) fields."""
    pairs = _pairs(fields)
    table = document.add_table(rows=1 + len(pairs), cols=4)
    _table_style(table)
    headings = ("", "Area of practice", section.guidance or "Evaluation", "Grade the quality of the work in this area")
    for cell, text in zip(table.rows[0].cells, headings):
        _header_cell(cell, text)
    _repeat_header(table.rows[0])
    for number, (row, (evaluation, grade)) in enumerate(zip(table.rows[1:], pairs), 1):
        _shade(row.cells[0], LABEL_FILL)
        row.cells[0].paragraphs[0].add_run(f"{number}.").bold = True
        _shade(row.cells[1], LABEL_FILL)
        row.cells[1].paragraphs[0].add_run(evaluation.label).bold = True
        if evaluation is not grade:
            _answer(row.cells[2], evaluation, evaluation.id, evaluation.label, ids)
        if grade is not None:
            _answer(row.cells[3], grade, grade.id, grade.label, ids)
        _widths(row, (Cm(0.9), Cm(4.6), Cm(8.3), Cm(3.6)))
        _min_height(row, Cm(2.0))


def _pairs(fields: list[Field]) -> list[tuple[Field, Field | None]]:
    pairs: list[tuple[Field, Field | None]] = []
    queue = list(fields)
    while queue:
        first = queue.pop(0)
        if queue and queue[0].type == "grade" and first.type != "grade":
            pairs.append((first, queue.pop(0)))
        else:
            pairs.append((first, None))
    return pairs


def _group_table(document, group: Group, ids) -> None:
    """A repeat group: a header row of labels and one row of controls per entry."""
    if group.guidance:
        note = document.add_paragraph(group.guidance)
        note.runs[0].italic = True
        note.runs[0].font.color.rgb = GUIDANCE_GREY
    table = document.add_table(rows=1 + group.rows, cols=len(group.fields))
    _table_style(table)
    for cell, item in zip(table.rows[0].cells, group.fields):
        _header_cell(cell, item.label + (" *" if item.required else ""))
    _repeat_header(table.rows[0])
    for number, row in enumerate(table.rows[1:], 1):
        for cell, item in zip(row.cells, group.fields):
            _answer(cell, item, group_tag(group.id, number, item.id), row_title(item.label, number), ids)


def _table_style(table) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False


def _label_cell(cell, item: Field) -> None:
    _shade(cell, LABEL_FILL)
    paragraph = cell.paragraphs[0]
    paragraph.add_run(item.label).bold = True
    if item.required:
        star = paragraph.add_run(" *")
        star.bold = True
        star.font.color.rgb = RGBColor(0xA0, 0x1C, 0x1C)
    if item.guidance:
        hint = cell.add_paragraph().add_run(item.guidance)
        hint.font.size = Pt(8)
        hint.font.color.rgb = GUIDANCE_GREY


def _header_cell(cell, text: str) -> None:
    _shade(cell, HEADER_FILL)
    run = cell.paragraphs[0].add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for name, value in (("val", "clear"), ("color", "auto"), ("fill", fill)):
        shading.set(w(name), value)
    element_of(cell).get_or_add_tcPr().append(shading)


def _widths(row, widths) -> None:
    # Word reads cell widths, LibreOffice the table grid: set both so the form looks the same in each.
    for cell, width in zip(row.cells, widths):
        cell.width = width
    for column, width in zip(row.table.columns, widths):
        column.width = width


def _min_height(row, height) -> None:
    row.height = height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _keep_whole(row, with_next: bool = False) -> None:
    """The row is never split across two pages; *with_next*: it stays on the page of the row below it."""
    element_of(row).get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if with_next:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    element_of(row).get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _answer(cell, item: Field, tag: str, title: str, ids) -> None:
    """Put the content control(s) for *item* into *cell*: one per paragraph, each followed by its words."""
    if item.type == "multi_choice":
        words = [f" {option}" for option in item.choices]
    else:
        words = [" Yes" if item.type == "yes_no" else ""]
    paragraph = cell.paragraphs[0]
    for index, (slot, after) in enumerate(zip(field_slots(item, tag, title), words)):
        target = paragraph if index == 0 else cell.add_paragraph()
        element_of(target).append(ContentControl.new(slot, next(ids)).element)
        if after:
            target.add_run(after)


def _restrict_to_forms(document) -> None:
    """Restrict editing to filling in the controls, with no password (anyone may lift it on purpose)."""
    settings = document.settings.element
    protection = OxmlElement("w:documentProtection")
    protection.set(w("edit"), "forms")
    protection.set(w("enforcement"), "1")
    anchor = settings.find(w("defaultTabStop"))
    if anchor is not None:
        anchor.addprevious(protection)
    else:
        settings.append(protection)


def _set_properties(document, spec: FormSpec, issue_id: str | None) -> None:
    core = document.core_properties
    core.title = spec.display_title
    core.subject = f"St Helens Children's Social Care quality assurance · {spec.key} v{spec.version}"
    core.author = "QA team"
    properties = form_properties(spec.id, spec.version, spec.variant, issue_id)
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPS_CT, custom_properties_xml(properties), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)

"""Build a Word form from its spec: labelled tables of content controls, restricted to filling in forms."""

from __future__ import annotations

import io
import itertools
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt, RGBColor

from ..ooxml import (
    CHECKBOX_FONT,
    CUSTOM_PROPS_CT,
    CUSTOM_PROPS_FMTID,
    CUSTOM_PROPS_NS,
    DATE_FORMAT_WORD,
    PLACEHOLDER_CHOICE,
    PLACEHOLDER_DATE,
    PLACEHOLDER_TEXT,
    UNCHECKED_GLYPH,
    VT_NS,
    group_tag,
    option_tag,
    w,
)
from ..read.raw import PROP_FORM, PROP_ISSUE, PROP_VARIANT, PROP_VERSION
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


def _wide_table(document, fields: list[Field], ids) -> None:
    """A shaded question above a roomy answer box, for long answers."""
    table = document.add_table(rows=2 * len(fields), cols=1)
    _table_style(table)
    for index, item in enumerate(fields):
        _label_cell(table.rows[2 * index].cells[0], item)
        answer = table.rows[2 * index + 1]
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
            _answer(cell, item, group_tag(group.id, number, item.id), f"{item.label} (row {number})", ids)


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
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def _widths(row, widths) -> None:
    # Word reads cell widths, LibreOffice the table grid: set both so the form looks the same in each.
    for cell, width in zip(row.cells, widths):
        cell.width = width
    for column, width in zip(row.table.columns, widths):
        column.width = width


def _min_height(row, height) -> None:
    row._tr.get_or_add_trPr().append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{int(height.twips)}" w:hRule="atLeast"/>'))


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def _answer(cell, item: Field, tag: str, title: str, ids) -> None:
    """Put the content control(s) for *item* into *cell*'s first paragraph."""
    paragraph = cell.paragraphs[0]
    if item.type == "multi_choice":
        for index, option in enumerate(item.choices):
            target = paragraph if index == 0 else cell.add_paragraph()
            target._p.append(_sdt_xml(item, option_tag(tag, option), f"{title}: {option}", next(ids), checkbox=True))
            target.add_run(f" {option}")
        return
    paragraph._p.append(_sdt_xml(item, tag, title, next(ids), checkbox=item.type == "yes_no"))
    if item.type == "yes_no":
        paragraph.add_run(" Yes")


def _sdt_xml(item: Field, tag: str, title: str, control_id: int, checkbox: bool):
    """One inline content control, in the shape Word itself writes."""
    head = f'<w:alias w:val="{_attr(title)}"/><w:tag w:val="{_attr(tag)}"/><w:id w:val="{control_id}"/>'
    if checkbox:
        props = (
            f"{head}<w14:checkbox><w14:checked w14:val=\"0\"/>"
            f'<w14:checkedState w14:val="2612" w14:font="{CHECKBOX_FONT}"/>'
            f'<w14:uncheckedState w14:val="2610" w14:font="{CHECKBOX_FONT}"/></w14:checkbox>'
        )
        content = (
            f'<w:r><w:rPr><w:rFonts w:ascii="{CHECKBOX_FONT}" w:eastAsia="{CHECKBOX_FONT}" '
            f'w:hAnsi="{CHECKBOX_FONT}" w:hint="eastAsia"/></w:rPr><w:t>{UNCHECKED_GLYPH}</w:t></w:r>'
        )
    else:
        if item.type == "date":
            kind = (
                f'<w:date><w:dateFormat w:val="{DATE_FORMAT_WORD}"/><w:lid w:val="en-GB"/>'
                '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>'
            )
            placeholder = PLACEHOLDER_DATE
        elif item.type in ("choice", "grade"):
            options = "".join(f'<w:listItem w:displayText="{_attr(o)}" w:value="{_attr(o)}"/>' for o in item.options)
            kind = f"<w:dropDownList>{options}</w:dropDownList>"
            placeholder = PLACEHOLDER_CHOICE
        else:
            kind = '<w:text w:multiLine="1"/>' if item.type == "long_text" else "<w:text/>"
            placeholder = PLACEHOLDER_TEXT
        props = f"{head}<w:showingPlcHdr/>{kind}"
        content = f'<w:r><w:rPr><w:color w:val="808080"/></w:rPr><w:t>{escape(placeholder)}</w:t></w:r>'
    return parse_xml(f"<w:sdt {nsdecls('w', 'w14')}><w:sdtPr>{props}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>")


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _restrict_to_forms(document) -> None:
    """Restrict editing to filling in the controls, with no password (anyone may lift it on purpose)."""
    settings = document.settings.element
    protection = parse_xml(f'<w:documentProtection {nsdecls("w")} w:edit="forms" w:enforcement="1"/>')
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
    properties = {PROP_FORM: spec.id, PROP_VERSION: str(spec.version), PROP_VARIANT: spec.variant or ""}
    if issue_id:
        properties[PROP_ISSUE] = issue_id
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPS_CT, custom_properties_xml(properties), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def custom_properties_xml(properties: dict[str, str]) -> bytes:
    """docProps/custom.xml holding *properties* as text properties."""
    body = "".join(
        f'<property fmtid="{CUSTOM_PROPS_FMTID}" pid="{pid}" name="{_attr(name)}"><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(properties.items(), 2)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_PROPS_NS}" xmlns:vt="{VT_NS}">{body}</Properties>'
    ).encode("utf-8")

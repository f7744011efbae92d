"""python-docx helpers for writing the report template: styles, tagged paragraphs, loop tables, fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..formfile.oxml import element_of

ACCENT = RGBColor(0x1F, 0x4E, 0x79)
ACCENT_HEX = "1F4E79"
MUTED = RGBColor(0x59, 0x59, 0x59)
FONT = "Arial"

# A cell or paragraph is a string, or runs of (text, style) where style is "", "b", "i", "small", "muted".
Runs = Union[str, Sequence[tuple[str, str]]]


def set_up(document) -> None:
    """A4 with 2 cm margins, Arial, a house colour for headings, compact tables."""
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    section.different_first_page_header_footer = True  # the cover has no header or footer
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before in (("Title", 26, 0), ("Heading 1", 16, 14), ("Heading 2", 12.5, 10), ("Heading 3", 11, 8)):
        style = styles[name]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.color.rgb = ACCENT
        _plain_font(style)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(before), Pt(4)
        style.paragraph_format.keep_with_next = True
    styles["Title"].paragraph_format.space_after = Pt(12)
    for name in ("List Bullet", "Caption"):
        styles[name].font.name = FONT
        _plain_font(styles[name])
    styles["Caption"].font.size, styles["Caption"].font.italic = Pt(8.5), True
    styles["Caption"].font.color.rgb = MUTED


def _plain_font(style) -> None:
    # Heading styles point at theme fonts; name Arial outright so Word and LibreOffice agree.
    fonts = style.element.rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        style.element.rPr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def write_runs(paragraph, content: Runs) -> None:
    """Append *content* to *paragraph*, keeping spaces (tags' values may start with spaces)."""
    for text, style in [(content, "")] if isinstance(content, str) else content:
        run = paragraph.add_run(text)
        _preserve(run)
        if "b" in style.split():
            run.bold = True
        if "i" in style.split():
            run.italic = True
        if "small" in style.split():
            run.font.size = Pt(8)
        if "muted" in style.split():
            run.font.color.rgb = MUTED
        if "white" in style.split():
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        if "head" in style.split():
            run.font.size = Pt(8.5)
        if "large" in style.split():
            run.font.size = Pt(14)
        if "cover" in style.split():
            run.font.size = Pt(24)
            run.bold = True
        if "big" in style.split():
            run.font.size = Pt(20)
            run.bold = True
            run.font.color.rgb = ACCENT


def _preserve(run) -> None:
    # A value rendered into this run may begin or end with spaces: Word must keep them.
    for text in element_of(run).findall(qn("w:t")):
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def para(document, content: Runs = "", style: str | None = None, keep: bool = False):
    """A paragraph of text (or runs) in *style*; *keep* holds it on the page of what follows (a table)."""
    paragraph = document.add_paragraph(style=style)
    write_runs(paragraph, content)
    if keep:
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def tag(document, statement: str) -> None:
    """A paragraph holding only a docxtpl block tag such as '{%p if x %}' (removed on rendering)."""
    document.add_paragraph(statement)


def page_break(document) -> None:
    """Start the next content on a new page."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def loop_table(
    document,
    headers: Sequence[str],
    cells: Sequence[Runs],
    loop: str,
    widths: Sequence[float] | None = None,
    fills: dict[int, str] | None = None,
    note: Runs | None = None,
) -> None:
    """A table with a header row and one row per item of *loop* ('x in xs'), cells holding tags.

    *fills* maps a column to a Jinja expression for its background colour (docxtpl's cellbg); *note*
    is a second row per item, one cell across the table, for text too long for a column.
    """
    table = document.add_table(rows=5 if note is not None else 4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers):
        shade(cell, ACCENT_HEX)
        write_runs(cell.paragraphs[0], [(text, "b white head")])
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for " + loop + " %}")
    _keep_row_together(table.rows[2])
    for index, (cell, content) in enumerate(zip(table.rows[2].cells, cells)):
        if fills and index in fills:
            cell.paragraphs[0].add_run("{% cellbg " + fills[index] + " %}")
        write_runs(cell.paragraphs[0], content)
    if note is not None:
        _keep_row_together(table.rows[2], with_next=True)
        merged = table.rows[3].cells[0].merge(table.rows[3].cells[-1])
        write_runs(merged.paragraphs[0], note)
    table.rows[-1].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    _compact(table, widths)


def fixed_table(document, rows: Sequence[Sequence[Runs]], widths: Sequence[float] | None = None, header: bool = True) -> None:
    """A table with fixed rows (the first one a header row when *header*)."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for number, (row, contents) in enumerate(zip(table.rows, rows)):
        for cell, content in zip(row.cells, contents):
            if header and number == 0:
                shade(cell, ACCENT_HEX)
                write_runs(cell.paragraphs[0], [(content, "b white head")] if isinstance(content, str) else content)
            else:
                write_runs(cell.paragraphs[0], content)
    if header:
        _repeat_header(table.rows[0])
    _compact(table, widths)


def band(document, lines: Sequence[Runs], fill: str = ACCENT_HEX) -> None:
    """A full-width coloured panel (the cover's title block, a box to write in), one paragraph per line."""
    table = document.add_table(rows=1, cols=1)
    cell = table.rows[0].cells[0]
    shade(cell, fill)
    for index, content in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(10 if index == 0 else 4)
        paragraph.paragraph_format.space_after = Pt(10 if index == len(lines) - 1 else 4)
        paragraph.paragraph_format.left_indent = Cm(0.4)
        write_runs(paragraph, content)
    _compact(table, (17.0,))


def shade(cell, fill: str) -> None:
    """Fill a table cell with a colour (hex RRGGBB)."""
    properties = element_of(cell).get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _keep_row_together(row, with_next: bool = False) -> None:
    # A row broken across a page leaves a stub at the top of the next page; move it whole instead
    # (and with its note row, when it has one: keep-with-next on its paragraphs holds them together).
    element_of(row).get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if with_next:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    properties = element_of(row).get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _compact(table, widths: Sequence[float] | None) -> None:
    if widths:
        # Word reads the cell widths, LibreOffice the grid: set both, and a fixed layout so neither
        # re-flows the columns to fit their content.
        table.autofit = False
        for column, width in zip(element_of(table).tblGrid.findall(qn("w:gridCol")), widths):
            column.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(1)
                paragraph.paragraph_format.space_before = Pt(1)
                for run in paragraph.runs:
                    if run.font.size is None:
                        run.font.size = Pt(9)
            if widths:
                cell.width = Cm(widths[index])


def field(paragraph, instruction: str, cached: str = "") -> None:
    """A simple Word field (PAGE, NUMPAGES) with its last calculated text."""
    runs = []
    for kind in ("begin", None, "separate", "text", "end"):
        run = OxmlElement("w:r")
        if kind in ("begin", "separate", "end"):
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        elif kind is None:
            text = OxmlElement("w:instrText")
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            text.text = f" {instruction} "
            run.append(text)
        else:
            text = OxmlElement("w:t")
            text.text = cached
            run.append(text)
        runs.append(run)
    for run in runs:
        element_of(paragraph).append(run)


def contents(document, entries: Sequence[tuple[int, str]]) -> None:
    """A table-of-contents field whose last result is *entries*, so it reads well before Word updates it.

    Word refreshes it (with page numbers) when the document is opened, because the settings ask
    it to update fields; LibreOffice shows the list as it is.
    """
    for index, (level, text) in enumerate(entries):
        paragraph = document.add_paragraph(style="Normal")
        paragraph.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        paragraph.paragraph_format.space_after = Pt(3)
        if index == 0:
            _fld(paragraph, "begin")
            instruction = OxmlElement("w:r")
            instr = OxmlElement("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = ' TOC \\o "1-2" \\h \\z \\u '
            instruction.append(instr)
            element_of(paragraph).append(instruction)
            _fld(paragraph, "separate")
        run = paragraph.add_run(text)
        run.bold = level == 1
        if index == len(entries) - 1:
            _fld(paragraph, "end")
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _fld(paragraph, kind: str) -> None:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    element_of(paragraph).append(run)

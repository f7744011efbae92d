"""The hostile and broken-file corpus (issue 5), generated in code: no binaries are committed.

Each case is a file someone could drop in the shared inbox — a zip bomb, an XML entity attack, a
renamed or macro-laden file, a very long name, a 10,000-row form — with what the pipeline must do
with it: reject it with the exact reason from the message catalogue, or accept it and store exactly
what was typed. tests/test_hostile.py ingests every case through the real path.

    python tests/hostile_corpus.py OUT_DIR

writes the whole corpus to OUT_DIR (with the symbolic link and the canary file it points at), to
drop into a workspace's inbox by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from answers import full_answers
from filling import fill
from pipeline.errors import message
from pipeline.read.package import MAX_XML_PART_BYTES
from pipeline.spec import Catalogue
from pipeline.validate import MAX_TEXT

# Written to a file outside the workspace that external entities point at. If it ever shows up in
# a stored value, a note or an outcome, the pipeline read outside the workspace.
CANARY = "CANARY-5f0c2e9a: this text lives outside the workspace and must never be read"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MIB = 1024 * 1024


@dataclass
class Built:
    """One corpus file and what ingesting it must give."""

    data: bytes
    problems: list[str] = field(default_factory=list)  # exact, in order; empty when accepted
    stored: dict[str, object] = field(default_factory=dict)  # accepted: field id → value as the store returns it


@dataclass(frozen=True)
class Case:
    """A named corpus case: the file name dropped in the inbox, the expected status and how to build it."""

    id: str
    name: str
    status: str  # accepted | rejected
    build: Callable[[Kit], Built]
    link: bool = False  # dropped as a symbolic link to the built file, kept outside the workspace

    @property
    def description(self) -> str:
        """What the case is, from its builder's docstring."""
        return (self.build.__doc__ or self.id).strip()


class Kit:
    """What cases are made from: the catalogue, filled forms, and a folder outside the workspace."""

    def __init__(self, catalogue: Catalogue, outside: Path, http_url: str = "http://127.0.0.1:9/qa-canary") -> None:
        self.catalogue = catalogue
        self.outside = outside
        self.http_url = http_url  # an external entity's web address; tests point it at their own listener
        outside.mkdir(parents=True, exist_ok=True)
        self.canary = outside / "canary.txt"
        self.canary.write_text(CANARY, encoding="utf-8")

    @property
    def canary_url(self) -> str:
        """The canary as a file:// address, as an external entity would name it."""
        return self.canary.resolve().as_uri()

    def form(self, key: str, rows: int = 3, **changes: object) -> bytes:
        """A completed, valid form for *key*, with *changes* to its top-level answers."""
        spec = self.catalogue.find(key)
        values, groups = full_answers(spec, rows)
        values.update(changes)
        return fill(spec, values, groups)


# --- zip surgery ---------------------------------------------------------------------------------


def rezip(data: bytes, replace: dict[str, Callable[[bytes], bytes]] | None = None, add: dict[str, bytes] | None = None,
          compression: dict[str, int] | None = None) -> bytes:
    """*data* re-zipped with some parts transformed, added or compressed differently."""
    replace, add, compression = replace or {}, add or {}, compression or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename in replace:
                blob = replace[info.filename](blob)
            target.writestr(info.filename, blob, compression.get(info.filename, zipfile.ZIP_DEFLATED))
        for name, blob in add.items():
            target.writestr(name, blob, compression.get(name, zipfile.ZIP_DEFLATED))
    return out.getvalue()


def patch_entry(data: bytes, name: str, *, method: int | None = None, crc: int | None = None,
                file_size: int | None = None, flag_bits: int | None = None) -> bytes:
    """Rewrite header fields of one entry, in both its local header and the central directory."""
    blob = bytearray(data)
    wanted = name.encode()
    position = 0
    while (position := blob.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", blob, position + 28)[0]
        if bytes(blob[position + 46:position + 46 + name_length]) == wanted:
            local = struct.unpack_from("<I", blob, position + 42)[0]
            # (central directory offset, local header offset) of each field
            for value, central, local_offset, fmt in (
                (flag_bits, 8, 6, "<H"), (method, 10, 8, "<H"), (crc, 16, 14, "<I"), (file_size, 24, 22, "<I"),
            ):
                if value is not None:
                    struct.pack_into(fmt, blob, position + central, value)
                    struct.pack_into(fmt, blob, local + local_offset, value)
        position += 4
    return bytes(blob)


def with_raw_deflate(data: bytes, name: str, stream: bytes, size: int, crc: int) -> bytes:
    """*data* plus an entry *name* whose deflate stream is given ready-made (too large to compress each run)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as target:
        target.writestr(name, stream, zipfile.ZIP_STORED)
    return patch_entry(out.getvalue(), name, method=zipfile.ZIP_DEFLATED, crc=crc, file_size=size)


def without_part(data: bytes, part: str) -> bytes:
    """*data* with one part left out."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def spaces_bomb(mib: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of *mib* MiB of spaces, its size and CRC, built in milliseconds.

    After a full flush deflate starts afresh, so every flushed MiB compresses to the same bytes:
    compress one and repeat it.
    """
    chunk = b" " * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    compressor.compress(chunk)
    compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * mib + compressor.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return stream, mib * MIB, crc


def edit_part(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """*data* with one part transformed."""
    return rezip(data, {part: edit})


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """*xml* with *doctype* after its XML declaration (or at its start)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + doctype.encode() + xml[end:]
    return doctype.encode() + xml


def billion_laughs(root: str) -> str:
    """The classic entity expansion: ten levels, each ten of the last, a billion 'lol's in all."""
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)]
    return f"<!DOCTYPE {root} [{''.join(levels)}]>"


def external_entity(root: str, url: str) -> str:
    """A DOCTYPE declaring entity 'xxe' as the contents of *url*."""
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>'


def in_control_text(xml: bytes, tag: str, reference: str) -> bytes:
    """*xml* (document.xml) with an entity reference put in place of control *tag*'s first text."""
    text = xml.decode("utf-8")
    start = text.index(f'<w:tag w:val="{tag}"/>')
    t_open = text.index("<w:t", start)
    content_start = text.index(">", t_open) + 1
    content_end = text.index("</w:t>", content_start)
    return (text[:content_start] + reference + text[content_end:]).encode("utf-8")


def _unsafe(part: str) -> list[str]:
    return [message("unsafe_xml", detail=f"a DOCTYPE in {part}")]


# --- Excel helpers -------------------------------------------------------------------------------


def excel(data: bytes, edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Open a workbook as Excel would, apply *edit*, save."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def named_cell(workbook: openpyxl.Workbook, name: str, row_offset: int = 0):
    """The cell a defined name points at (the first cell of a column range, moved down *row_offset* rows)."""
    ((sheet, reference),) = list(workbook.defined_names[name].destinations)
    first = reference.replace("$", "").split(":")[0]
    column = "".join(ch for ch in first if ch.isalpha())
    row = int("".join(ch for ch in first if ch.isdigit()))
    return workbook[sheet][f"{column}{row + row_offset}"]


def with_shared_string(data: bytes, shared_strings: bytes) -> bytes:
    """An Excel form whose Auditor cell is a shared string, with *shared_strings* as the table (as Excel saves it)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    auditor = named_cell(workbook, "auditor").coordinate
    relationship = (
        '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"'
        ' Target="sharedStrings.xml"/></Relationships>'
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )

    def cell(sheet: bytes) -> bytes:
        pattern = rb'<c r="' + auditor.encode() + rb'"([^>]*?) t="inlineStr"([^>]*)>.*?</c>'
        return re.sub(pattern, rb'<c r="' + auditor.encode() + rb'"\1 t="s"\2><v>0</v></c>', sheet, count=1, flags=re.S)

    return rezip(
        data,
        {
            "xl/_rels/workbook.xml.rels": lambda b: b.replace(b"</Relationships>", relationship.encode()),
            "[Content_Types].xml": lambda b: b.replace(b"</Types>", override.encode()),
            "xl/worksheets/sheet1.xml": cell,
        },
        add={"xl/sharedStrings.xml": shared_strings},
    )


def shared_strings(text: str, doctype: str = "") -> bytes:
    """A one-string shared-string table, with an optional DOCTYPE."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + doctype
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        + f"<si><t>{text}</t></si></sst>"
    ).encode()


# --- the cases -----------------------------------------------------------------------------------
# Accepted cases each carry their own author, so that no two are the same form + child + quarter +
# author and, ingested together, none replaces another.


def zip_bomb(kit: Kit) -> Built:
    """A 1.2 MB Word file whose document part expands to 1.1 GB (declared honestly)."""
    stream, size, crc = spaces_bomb(1100)
    data = with_raw_deflate(without_part(kit.form("observation"), "word/document.xml"), "word/document.xml", stream, size, crc)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    ratio = info.file_size // info.compress_size
    return Built(data, [message("unsafe_zip", detail=f"'word/document.xml' would expand {ratio:,} times (a zip bomb)")])


def lying_zip_bomb(kit: Kit) -> Built:
    """A Word file whose document part says it is 300 KB but inflates to 1.1 GB."""
    stream, _, _ = spaces_bomb(1100)
    data = with_raw_deflate(without_part(kit.form("observation"), "word/document.xml"), "word/document.xml", stream, 300_000, 0)
    return Built(data, [message("unsafe_zip", detail="'word/document.xml' holds more than it declares (a zip bomb)")])


def lying_workbook_bomb(kit: Kit) -> Built:
    """An Excel file whose workbook part (read whole before any cell) says 20 KB but inflates to 1.1 GB."""
    stream, _, _ = spaces_bomb(1100)
    data = with_raw_deflate(without_part(kit.form("dip_sample"), "xl/workbook.xml"), "xl/workbook.xml", stream, 20_000, 0)
    return Built(data, [message("unsafe_zip", detail="'xl/workbook.xml' holds more than it declares (a zip bomb)")])


def lzma_entry(kit: Kit) -> Built:
    """A Word file whose document part is LZMA-compressed, which Office never writes and zipfile inflates unbounded."""
    data = rezip(kit.form("observation"), compression={"word/document.xml": zipfile.ZIP_LZMA})
    return Built(data, [message("unsafe_zip", detail="'word/document.xml' is compressed in a way Office never uses")])


def zip_encrypted(kit: Kit) -> Built:
    """A Word file whose parts are zip-encrypted (by an archiver, not by Word)."""
    data = patch_entry(kit.form("observation"), "word/document.xml", flag_bits=0x1)
    return Built(data, [message("encrypted")])


def billion_laughs_document(kit: Kit) -> Built:
    """Billion laughs in word/document.xml, the entity used in a control's answer."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(in_control_text(xml, "strengths", "&lol9;"), billion_laughs("w:document"))
    return Built(edit_part(kit.form("observation"), "word/document.xml", attack), _unsafe("word/document.xml"))


def external_file_document(kit: Kit) -> Built:
    """An external entity in word/document.xml reading a file:// canary outside the workspace into an answer."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(in_control_text(xml, "strengths", "&xxe;"), external_entity("w:document", kit.canary_url))
    return Built(edit_part(kit.form("observation"), "word/document.xml", attack), _unsafe("word/document.xml"))


def external_http_custom_properties(kit: Kit) -> Built:
    """An external entity in docProps/custom.xml fetching an http:// address into the form id."""
    def attack(xml: bytes) -> bytes:
        xml = xml.replace(b"<vt:lpwstr>observation</vt:lpwstr>", b"<vt:lpwstr>&xxe;</vt:lpwstr>")
        return with_doctype(xml, external_entity("Properties", kit.http_url))
    return Built(edit_part(kit.form("observation"), "docProps/custom.xml", attack), _unsafe("docProps/custom.xml"))


def billion_laughs_core_properties(kit: Kit) -> Built:
    """Billion laughs in docProps/core.xml, a part the Word reader never parses."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(xml, billion_laughs("cp:coreProperties"))
    return Built(edit_part(kit.form("observation"), "docProps/core.xml", attack), _unsafe("docProps/core.xml"))


def external_dtd_app_properties(kit: Kit) -> Built:
    """An external DTD (file:// canary) in an Excel file's docProps/app.xml."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(xml, f'<!DOCTYPE Properties SYSTEM "{kit.canary_url}">')
    return Built(edit_part(kit.form("dip_sample"), "docProps/app.xml", attack), _unsafe("docProps/app.xml"))


def billion_laughs_sheet(kit: Kit) -> Built:
    """Billion laughs in the form's worksheet XML."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(xml, billion_laughs("worksheet"))
    return Built(edit_part(kit.form("dip_sample"), "xl/worksheets/sheet1.xml", attack), _unsafe("xl/worksheets/sheet1.xml"))


def external_file_shared_strings(kit: Kit) -> Built:
    """An external entity in xl/sharedStrings.xml reading the file:// canary into the Auditor answer."""
    table = shared_strings("&xxe;", external_entity("sst", kit.canary_url))
    return Built(with_shared_string(kit.form("dip_sample"), table), _unsafe("xl/sharedStrings.xml"))


def billion_laughs_shared_strings(kit: Kit) -> Built:
    """Billion laughs in xl/sharedStrings.xml, used as the Auditor answer."""
    table = shared_strings("&lol9;", billion_laughs("sst"))
    return Built(with_shared_string(kit.form("dip_sample"), table), _unsafe("xl/sharedStrings.xml"))


def doctype_after_long_comment(kit: Kit) -> Built:
    """A DOCTYPE hidden behind a 100 KB comment in the worksheet, past where a quick look at the head would stop."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(xml, "<!--" + "padding " * 12_800 + "-->" + external_entity("worksheet", kit.canary_url))
    return Built(edit_part(kit.form("dip_sample"), "xl/worksheets/sheet1.xml", attack), _unsafe("xl/worksheets/sheet1.xml"))


def doctype_in_relationships(kit: Kit) -> Built:
    """A DOCTYPE in the package relationships (_rels/.rels)."""
    def attack(xml: bytes) -> bytes:
        return with_doctype(xml, external_entity("Relationships", kit.canary_url))
    return Built(edit_part(kit.form("observation"), "_rels/.rels", attack), _unsafe("_rels/.rels"))


def doctype_utf16(kit: Kit) -> Built:
    """word/document.xml re-encoded as UTF-16 with an external entity, where a byte search for '<!DOCTYPE' finds nothing."""
    def attack(xml: bytes) -> bytes:
        text = with_doctype(in_control_text(xml, "strengths", "&xxe;"), external_entity("w:document", kit.canary_url)).decode("utf-8")
        text = text.replace("encoding='UTF-8'", "encoding='UTF-16'").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")
    return Built(edit_part(kit.form("observation"), "word/document.xml", attack), _unsafe("word/document.xml"))


def hundred_megabytes(kit: Kit) -> Built:
    """A 100 MB Word file (a form with a video pasted in)."""
    data = rezip(kit.form("observation"), add={"word/media/video1.mp4": bytes(100 * MIB)}, compression={"word/media/video1.mp4": zipfile.ZIP_STORED})
    return Built(data, [message("too_large", size_mb=len(data) / MIB, limit_mb=50)])


def xlsx_named_docx(kit: Kit) -> Built:
    """An Excel form renamed .docx: read by its content, not its name."""
    data = kit.form("dip_sample", completed_by="Corpus: xlsx named docx", auditor="Renamed Reviewer")
    return Built(data, stored={"auditor": "Renamed Reviewer"})


def real_docm(kit: Kit) -> Built:
    """A real .docm: macro-enabled content type and a vbaProject.bin."""
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    data = rezip(
        kit.form("observation"),
        {"[Content_Types].xml": lambda b: b.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", macro.encode())},
        add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 Sub AutoOpen() Shell \"calc\" End Sub"},
    )
    return Built(data, [message("macro_enabled", kind="a Word .docm", save_as="Word Document (.docx)")])


def real_xlsm(kit: Kit) -> Built:
    """A real .xlsm: macro-enabled content type and a vbaProject.bin."""
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    data = rezip(
        kit.form("dip_sample"),
        {"[Content_Types].xml": lambda b: b.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", macro.encode())},
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 Sub Workbook_Open() End Sub"},
    )
    return Built(data, [message("macro_enabled", kind="an Excel .xlsm", save_as="Excel Workbook (.xlsx)")])


def vba_in_plain_xlsx(kit: Kit) -> Built:
    """An .xlsx whose content type says 'no macros' but which carries a vbaProject.bin."""
    data = rezip(kit.form("dip_sample"), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    return Built(data, [message("macro_enabled", kind="a vbaProject.bin", save_as="Excel Workbook (.xlsx)")])


def _outside_part(name: str) -> Callable[[Kit], Built]:
    def build(kit: Kit) -> Built:
        data = rezip(kit.form("observation"), add={name: b"<x>overwrite me</x>"})
        return Built(data, [message("unsafe_zip", detail=f"a part named '{name}' points outside the document")])

    build.__doc__ = f"A zip entry named '{name}', which a careless unzip would write outside its folder."
    return build


def symlink_outside(kit: Kit) -> Built:
    """A symbolic link in the inbox to a completed form kept outside the workspace."""
    return Built(kit.form("observation"), [message("symlink")])


def _named(name: str, key: str = "observation") -> Callable[[Kit], Built]:
    def build(kit: Kit) -> Built:
        author = f"Corpus: {name[:40]}"
        return Built(kit.form(key, completed_by=author), stored={"completed_by": author})

    build.__doc__ = f"A valid form with an odd but legal file name ({len(name)} characters)."
    return build


def many_rows_word(kit: Kit) -> Built:
    """A Word CCR with 10,000 action rows added: more content than a form may hold."""
    data = kit.form("ccr", rows=10_000)
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size
    return Built(data, [message("too_much_content", size_mb=size / MIB, limit_mb=MAX_XML_PART_BYTES // MIB)])


def many_rows_excel(kit: Kit) -> Built:
    """An Excel dip sample with 10,000 children: over the 5,000-row limit."""
    return Built(kit.form("dip_sample", rows=10_000), [message("too_many_rows", label="Children sampled", count=10_000, limit=5_000)])


def prose(characters: int, seed: int = 5) -> str:
    """*characters* of varied, word-like text (repeated text would compress like a zip bomb)."""
    words = "child family visit plan safety voice worry goal school health review meeting network".split()
    chooser = random.Random(seed)
    text = []
    length = 0
    while length < characters:
        word = chooser.choice(words) + chooser.choice(" ,. ") + str(chooser.randrange(1000))
        text.append(word)
        length += len(word) + 1
    return " ".join(text)[:characters]


def megabyte_text_word(kit: Kit) -> Built:
    """1 MB of text pasted into one Word answer."""
    text = prose(MIB)
    data = kit.form("observation", strengths=text)
    return Built(data, [message("too_long", label="Identified strengths", length=MIB, limit=MAX_TEXT)])


def megabyte_text_excel(kit: Kit) -> Built:
    """1 MB of text in one Excel cell, which Excel itself would cut at 32,767 characters (so written into the XML)."""
    marker = "MEGABYTE-GOES-HERE"
    data = kit.form("dip_sample", theme=marker)
    data = edit_part(data, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(marker.encode(), prose(MIB).encode()))
    return Built(data, [message("too_long", label="Theme of the sample", length=MIB, limit=MAX_TEXT)])


def excel_dates_as_text_and_serials(kit: Kit) -> Built:
    """Excel dates typed as text ('03/11/2022') and as bare serial numbers in General format."""
    def edit(workbook: openpyxl.Workbook) -> None:
        named_cell(workbook, "completed_on").value = "03/11/2022"
        due = named_cell(workbook, "children.due_date", row_offset=1)
        due.value = 44_900  # 5 Dec 2022 in Excel's 1900 date system
        due.number_format = "General"

    data = excel(kit.form("dip_sample", completed_by="Corpus: text and serial dates"), edit)
    return Built(data, stored={"completed_on": "2022-11-03", "children.2.due_date": "2022-12-05"})


def excel_1904_epoch(kit: Kit) -> Built:
    """A workbook in the 1904 date system (Excel for Mac): formatted dates and a bare serial number."""
    def edit(workbook: openpyxl.Workbook) -> None:
        workbook.epoch = CALENDAR_MAC_1904
        named_cell(workbook, "completed_on").value = dt.datetime(2022, 11, 3)
        due = named_cell(workbook, "children.due_date")
        due.value = 43_438  # 5 Dec 2022 counted from 1 Jan 1904
        due.number_format = "General"

    data = excel(kit.form("dip_sample", completed_by="Corpus: 1904 dates"), edit)
    return Built(data, stored={"completed_on": "2022-11-03", "children.1.due_date": "2022-12-05"})


def word_date_typed_as_text(kit: Kit) -> Built:
    """A Word date picker where the date was typed as words, so Word stored no date value."""
    data = kit.form("observation", completed_by="Corpus: typed date", observation_date="3 November 2022")
    return Built(data, stored={"observation_date": "2022-11-03"})


def formula_cell(kit: Kit) -> Built:
    """A formula in an Excel answer cell, one that would call out to a web address."""
    formula = f'=WEBSERVICE("{kit.http_url}")'

    def edit(workbook: openpyxl.Workbook) -> None:
        named_cell(workbook, "auditor").value = formula

    return Built(excel(kit.form("dip_sample"), edit), [message("formula", label="Auditor", formula=formula)])


def duplicate_tag(kit: Kit) -> Built:
    """Two Word controls tagged 'practitioner' holding different names (a pasted copy of the box)."""
    def duplicate(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        start = text.rindex("<w:sdt>", 0, text.index('<w:tag w:val="practitioner"/>'))
        end = text.index("</w:sdt>", start) + len("</w:sdt>")
        copy = text[start:end]
        copy = re.sub(r'(<w:t xml:space="preserve">)[^<]*', r"\1Somebody Else", copy, count=1)
        return (text[:end] + copy + text[end:]).encode("utf-8")

    data = edit_part(kit.form("observation"), "word/document.xml", duplicate)
    return Built(data, [message("duplicate_control", label="Practitioner observed")])


def controls_in_text_box(kit: Kit) -> Built:
    """Two answers moved into a Word text box, stored twice (mc:Choice and the VML mc:Fallback)."""
    namespaces = (
        f'xmlns:w="{W_NS}" xmlns:mc="{MC_NS}" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"'
    )

    def move(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        controls = []
        for tag in ("reflections", "other_comments"):
            start = text.rindex("<w:sdt>", 0, text.index(f'<w:tag w:val="{tag}"/>'))
            end = text.index("</w:sdt>", start) + len("</w:sdt>")
            controls.append(text[start:end])
            text = text[:start] + text[end:]
        inner = "".join(f"<w:p>{control}</w:p>" for control in controls)
        box = (
            f'<w:p {namespaces}><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="5000000" cy="1000000"/>'
            '<wp:wrapNone/><wp:docPr id="90" name="Text Box 90"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f"<wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
            "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
            f'<mc:Fallback><w:pict><v:shape style="width:400pt;height:80pt"><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>'
            "</mc:AlternateContent></w:r></w:p>"
        )
        body_end = text.rindex("<w:sectPr")
        return (text[:body_end] + box + text[body_end:]).encode("utf-8")

    reflections = "Reflected together on the visit; agreed next steps."
    data = edit_part(
        kit.form("observation", completed_by="Corpus: text box", reflections=reflections, other_comments="In a text box"),
        "word/document.xml", move,
    )
    return Built(data, stored={"reflections": reflections, "other_comments": "In a text box"})


def legacy_checkbox(kit: Kit) -> Built:
    """An old-style FORMCHECKBOX field added to a Word form."""
    def add(xml: bytes) -> bytes:
        field_xml = (
            '<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/>'
            '<w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="1"/></w:checkBox></w:ffData>'
            '</w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
        text = xml.decode("utf-8")
        body_end = text.rindex("<w:sectPr")
        return (text[:body_end] + field_xml + text[body_end:]).encode("utf-8")

    return Built(edit_part(kit.form("observation"), "word/document.xml", add), [message("legacy_fields", label="Check1")])


def forged_row_number(kit: Kit) -> Built:
    """A worksheet claiming two billion rows, with a cell in row 2,000,000,000 (beyond any real workbook)."""
    def forge(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:H2000000000"/>', xml)
        cell = b'<row r="2000000000"><c r="A2000000000" t="inlineStr"><is><t>X999</t></is></c></row>'
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    data = edit_part(kit.form("dip_sample", completed_by="Corpus: forged rows"), "xl/worksheets/sheet1.xml", forge)
    return Built(data, stored={"completed_by": "Corpus: forged rows"})


LONG_NAME = "Collaborative case review " + "x" * (250 - len("Collaborative case review ") - len(".docx")) + ".docx"

CASES: list[Case] = [
    Case("zip bomb", "observation bomb.docx", "rejected", zip_bomb),
    Case("zip bomb lying about its size", "observation liar.docx", "rejected", lying_zip_bomb),
    Case("workbook bomb lying about its size", "dip sample liar.xlsx", "rejected", lying_workbook_bomb),
    Case("LZMA-compressed part", "lzma.docx", "rejected", lzma_entry),
    Case("zip-encrypted part", "zipcrypto.docx", "rejected", zip_encrypted),
    Case("billion laughs in document.xml", "laughs.docx", "rejected", billion_laughs_document),
    Case("file:// entity in document.xml", "xxe-file.docx", "rejected", external_file_document),
    Case("http:// entity in custom properties", "xxe-http.docx", "rejected", external_http_custom_properties),
    Case("billion laughs in core properties", "laughs-core.docx", "rejected", billion_laughs_core_properties),
    Case("external DTD in app properties", "dtd-app.xlsx", "rejected", external_dtd_app_properties),
    Case("billion laughs in sheet XML", "laughs-sheet.xlsx", "rejected", billion_laughs_sheet),
    Case("file:// entity in sharedStrings", "xxe-strings.xlsx", "rejected", external_file_shared_strings),
    Case("billion laughs in sharedStrings", "laughs-strings.xlsx", "rejected", billion_laughs_shared_strings),
    Case("DOCTYPE after a long comment", "late-doctype.xlsx", "rejected", doctype_after_long_comment),
    Case("DOCTYPE in relationships", "rels-doctype.docx", "rejected", doctype_in_relationships),
    Case("DOCTYPE in UTF-16", "utf16-doctype.docx", "rejected", doctype_utf16),
    Case("100 MB file", "observation with video.docx", "rejected", hundred_megabytes),
    Case("xlsx renamed docx", "dip sample.docx", "accepted", xlsx_named_docx),
    Case("real docm", "observation.docm", "rejected", real_docm),
    Case("real xlsm", "dip sample.xlsm", "rejected", real_xlsm),
    Case("vbaProject.bin in a plain xlsx", "dip sample macros.xlsx", "rejected", vba_in_plain_xlsx),
    Case("zip entry ../", "slip.docx", "rejected", _outside_part("../../outside.xml")),
    Case("zip entry absolute", "slip-absolute.docx", "rejected", _outside_part("/tmp/outside.xml")),
    Case("zip entry backslash ..", "slip-backslash.docx", "rejected", _outside_part("..\\..\\outside.xml")),
    Case("symlink pointing outside", "observation link.docx", "rejected", symlink_outside, link=True),
    Case("spaces in name", "  observation   with  spaces .docx", "accepted", _named("  observation   with  spaces .docx")),
    Case("accents in name", "Évaluation Zoë Brontë – Noël.docx", "accepted", _named("Évaluation Zoë Brontë – Noël.docx")),
    Case("emoji in name", "visit 👩🏽‍⚕️ notes 🏠.docx", "accepted", _named("visit 👩🏽‍⚕️ notes 🏠.docx")),
    Case("250-character name", LONG_NAME, "accepted", _named(LONG_NAME, "ccr")),
    Case("10,000 rows in Word", "ccr 10000 actions.docx", "rejected", many_rows_word),
    Case("10,000 rows in Excel", "dip sample 10000 children.xlsx", "rejected", many_rows_excel),
    Case("1 MB of text in Word", "observation megabyte.docx", "rejected", megabyte_text_word),
    Case("1 MB of text in Excel", "dip sample megabyte.xlsx", "rejected", megabyte_text_excel),
    Case("Excel dates as text and serial numbers", "dip sample dates.xlsx", "accepted", excel_dates_as_text_and_serials),
    Case("Excel 1904 date system", "dip sample 1904.xlsx", "accepted", excel_1904_epoch),
    Case("Word date typed as words", "observation typed date.docx", "accepted", word_date_typed_as_text),
    Case("formula cell", "dip sample formula.xlsx", "rejected", formula_cell),
    Case("two controls with one tag", "observation pasted box.docx", "rejected", duplicate_tag),
    Case("controls in a text box", "observation text box.docx", "accepted", controls_in_text_box),
    Case("legacy FORMCHECKBOX", "observation legacy checkbox.docx", "rejected", legacy_checkbox),
    Case("row two billion", "dip sample forged rows.xlsx", "accepted", forged_row_number),
]


def write_corpus(catalogue: Catalogue, folder: Path) -> list[Path]:
    """Write every case into *folder* (symbolic links to files in folder/outside); return the paths."""
    kit = Kit(catalogue, folder / "outside")
    written = []
    for case in CASES:
        built = case.build(kit)
        path = folder / case.name
        if case.link:
            target = kit.outside / f"target of {case.name}"
            target.write_bytes(built.data)
            path.symlink_to(target)
        else:
            path.write_bytes(built.data)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Command line: write the corpus to the folder given."""
    if len(argv) != 1:
        print("usage: python tests/hostile_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    from pipeline.workspace import BUILTIN_SPECS

    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for case, path in zip(CASES, write_corpus(Catalogue.load(BUILTIN_SPECS), folder)):
        print(f"{path}\t{case.status}\t{case.description}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Open a dropped file safely: size and zip limits, no DTDs, OLE and macro detection, form identity."""

from __future__ import annotations

import codecs
import functools
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Iterable, Iterator

from lxml import etree

from ..errors import ReadError, message
from ..formfile.names import PROP_FORM, PROP_ISSUE, PROP_VARIANT, PROP_VERSION
from ..formfile.oxml import custom_properties

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_RATIO = 200  # compression ratio beyond which an entry is treated as a bomb
# Any one XML part may be parsed into a tree, which takes about ten times its
# size in memory: 10 MB keeps a file within a 300 MB process while holding several thousand rows.
MAX_XML_PART_BYTES = 10 * 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
# Deflate cannot expand more than about 1032:1. An entry whose compressed size times that stays
# under this bound cannot hurt however it lies about its size; larger ones are inflated (in
# bounded steps) to check the size they declare before anything reads them whole.
_DEFLATE_MAX_RATIO = 1032
_UNCHECKED_EXPANSION = 32 * 1024 * 1024
_STEP = 64 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
EXCEL_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": ("a Word .docm", "Word Document (.docx)"),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": ("a Word .dotm", "Word Document (.docx)"),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ("an Excel .xlsm", "Excel Workbook (.xlsx)"),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": ("an Excel .xltm", "Excel Workbook (.xlsx)"),
}
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

# resolve_entities=False keeps entity references unexpanded (no billion laughs); no_network and
# load_dtd=False mean an external entity is never fetched. DOCTYPEs are refused outright below.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)


def parse_xml(data: bytes, part: str) -> etree._Element:
    """Parse one XML part with the safe parser; ReadError for DOCTYPEs and malformed XML.

    open_package() has already refused any part declaring a DOCTYPE; the parser neither loads DTDs
    nor expands entities, and the check after parsing refuses a DOCTYPE however it was spelt.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        raise ReadError(message("corrupt", detail=f"{part} is not well-formed XML")) from err
    if root.getroottree().docinfo.doctype:
        raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {part}"))
    return root


def _doctype_in_prolog(pieces: Iterable[bytes]) -> bool:
    """Whether an XML document declares a DOCTYPE (and so entities) before its root element.

    A DOCTYPE may stand only in the prolog, after the XML declaration, comments and processing
    instructions; anywhere else the XML is not well-formed and every parser refuses it. So only the
    prolog is read, however long a comment pads it, and usually that is the first few bytes.
    """
    decoder = None
    head = b""  # the first bytes, until there are enough to tell the encoding
    text = ""  # what is still undecided, from the start of the next prolog item
    for piece in pieces:
        if decoder is None:
            head += piece
            if len(head) < 4:
                continue
            decoder = codecs.getincrementaldecoder(_encoding(head))("replace")
            piece = head
        verdict, text = _scan_prolog(text + decoder.decode(piece))
        if verdict is not None:
            return verdict
    if decoder is None:
        text = head.decode("utf-8", "replace")
    return bool(_scan_prolog(text, final=True)[0])


def _encoding(head: bytes) -> str:
    # Office writes UTF-8, now and then UTF-16. Any other ASCII-compatible encoding spells
    # '<!DOCTYPE' as UTF-8 does; anything stranger is refused by the parsers themselves.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8-sig"


_PROLOG_SKIPS = (("<?", "?>"), ("<!--", "-->"))
# UTF-8 (or ASCII) with at most a BOM, an XML declaration and white space before a root element.
_PLAIN_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*(?:<\?xml [^<>]*\?>)?[ \t\r\n]*<[A-Za-z_]")
_PROLOG_WORDS = ("<!DOCTYPE", "<!ENTITY", "<!--", "<?")


def _scan_prolog(text: str, final: bool = False) -> tuple[bool | None, str]:
    """(True: a DOCTYPE, False: the root element or junk, None: read on) and the text still undecided."""
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        rest = text[position:position + 9]
        if rest.startswith(("<!DOCTYPE", "<!ENTITY")):
            return True, ""
        for opening, closing in _PROLOG_SKIPS:
            if rest.startswith(opening):
                end = text.find(closing, position + len(opening))
                if end < 0:
                    # Keep only what could begin the closing mark: a long comment costs no more than a short one.
                    tail = text[max(position + len(opening), len(text) - len(closing) + 1):]
                    return (False if final else None), opening + tail
                position = end + len(closing)
                break
        else:
            if not final and len(rest) < 9 and any(word.startswith(rest) for word in _PROLOG_WORDS):
                return None, rest  # too few characters yet to tell
            return False, ""


def iter_xml(data: bytes, part: str, tag: str) -> Iterator[etree._Element]:
    """The *tag* elements of one XML part in document order, each emptied once the caller moves on.

    For parts that grow with the form (worksheet rows, shared strings): memory stays that of one
    element however long the part. Same safety as parse_xml: no DOCTYPE, no DTD, no entities.
    """
    plain = _PLAIN_PROLOG.match(data[:_HEAD]) is not None
    if not plain and _doctype_in_prolog(data[start:start + 4096] for start in range(0, len(data), 4096)):
        raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {part}"))
    events = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=tag, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        for _, element in events:
            yield element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as err:
        raise ReadError(message("corrupt", detail=f"{part} is not well-formed XML")) from err


@dataclass
class OfficePackage:
    """A checked Office zip held in memory, with its kind ('docx' or 'xlsx') and custom properties."""

    name: str
    data: bytes
    archive: zipfile.ZipFile
    kind: str
    properties: dict[str, str]
    main_part: str = ""  # the document or workbook part, as the content types name it

    def has(self, part: str) -> bool:
        """Whether the package holds *part*."""
        try:
            self.archive.getinfo(part)
        except KeyError:
            return False
        return True

    def read(self, part: str) -> bytes:
        """The bytes of one part; ReadError if it is missing or damaged."""
        try:
            return self.archive.read(part)
        except KeyError as err:
            raise ReadError(message("corrupt", detail=f"{part} is missing")) from err
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError) as err:
            raise ReadError(message("corrupt", detail=f"{part} cannot be unpacked")) from err

    def xml(self, part: str) -> etree._Element:
        """One part parsed with the safe parser."""
        return parse_xml(self.read(part), part)

    @property
    def form_id(self) -> str | None:
        """The form id written in the file's properties, if any."""
        return self.properties.get(PROP_FORM) or None

    @property
    def variant(self) -> str | None:
        """The themed variant, if any."""
        return self.properties.get(PROP_VARIANT) or None

    @property
    def version(self) -> str | None:
        """The form version as written in the file."""
        return self.properties.get(PROP_VERSION) or None

    @property
    def issue_id(self) -> str | None:
        """The issue id of a pre-filled copy, if any."""
        return self.properties.get(PROP_ISSUE) or None


def open_package(name: str, data: bytes) -> OfficePackage:
    """Check *data* (the whole file) is a safe .docx or .xlsx and return it opened; ReadError if not."""
    if not data:
        raise ReadError(message("empty_file"))
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(message("too_large", size_mb=len(data) / 1024 / 1024, limit_mb=MAX_FILE_BYTES // 1024 // 1024))
    if data.startswith(OLE_MAGIC):
        raise ReadError(_ole_message(data))
    if not data.startswith(ZIP_MAGIC):
        raise ReadError(message("not_office"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    # NotImplementedError: a header asking for a zip version Python cannot read (a damaged byte, mostly)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as err:
        raise ReadError(message("corrupt", detail="not a complete zip archive")) from err
    _check_entries(entries)
    _check_true_sizes(data, entries)
    _check_xml_parts(data, entries)
    kind, main_part = _kind(archive)
    properties = _custom_properties(archive)
    return OfficePackage(name, data, archive, kind, properties, main_part)


def _ole_message(data: bytes) -> str:
    def utf16(text: str) -> bytes:
        return text.encode("utf-16-le")

    if utf16("EncryptionInfo") in data or utf16("EncryptedPackage") in data:
        return message("encrypted")
    if utf16("WordDocument") in data:
        return message("legacy_doc")
    if utf16("Workbook") in data or utf16("Book") in data:
        return message("legacy_xls")
    return message("legacy_ole")


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise ReadError(message("unsafe_zip", detail=f"it holds {len(entries):,} parts"))
    total = 0
    for info in entries:
        name = info.filename
        climbs = ".." in name and posixpath.normpath(name).startswith("..")
        if name.startswith(("/", "\\")) or "\\" in name or climbs or ":" in name.split("/")[0]:
            raise ReadError(message("unsafe_zip", detail=f"a part named '{name}' points outside the document"))
        if info.flag_bits & 0x1:
            raise ReadError(message("encrypted"))  # zip-level encryption, e.g. by 7-Zip
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and LZMA are never used by Office, and zipfile inflates them without a bound.
            raise ReadError(message("unsafe_zip", detail=f"'{name}' is compressed in a way Office never uses"))
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(message("unsafe_zip", detail=f"'{name}' would expand {info.file_size // max(info.compress_size, 1):,} times (a zip bomb)"))
    if total > MAX_EXPANDED_BYTES:
        raise ReadError(message("unsafe_zip", detail=f"it would expand to {total / 1024 / 1024:,.0f} MB"))
    for info in entries:
        if info.filename.endswith(XML_SUFFIXES) and info.file_size > MAX_XML_PART_BYTES:
            raise ReadError(message("too_much_content", size_mb=info.file_size / 1024 / 1024, limit_mb=MAX_XML_PART_BYTES // 1024 // 1024))


def _check_true_sizes(data: bytes, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse entries that inflate to more than they declare: the size checks above trust declarations."""
    for info in entries:
        if info.compress_type != zipfile.ZIP_DEFLATED or info.compress_size * _DEFLATE_MAX_RATIO <= _UNCHECKED_EXPANSION:
            continue
        actual = 0
        for piece in _inflate(data, info):
            actual += len(piece)
            if actual > info.file_size:
                raise ReadError(message("unsafe_zip", detail=f"'{info.filename}' holds more than it declares (a zip bomb)"))
        if actual < info.file_size:
            raise ReadError(message("corrupt", detail=f"{info.filename} cannot be unpacked"))


def _stored_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """One entry's bytes as stored in the zip (compressed or not), found through its local header."""
    start = info.header_offset
    if data[start:start + 4] != b"PK\x03\x04" or len(data) < start + 30:
        raise ReadError(message("corrupt", detail=f"{info.filename} cannot be unpacked"))
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    begin = start + 30 + name_length + extra_length
    return memoryview(data)[begin:begin + info.compress_size]


def _inflate(data: bytes, info: zipfile.ZipInfo, step: int = _STEP) -> Iterator[bytes]:
    """One entry's bytes in pieces of at most *step*, however large it claims or turns out to be.

    zipfile's own read() inflates a whole entry in one call before cutting it to the declared
    size, so a lying entry costs its full size in memory; this never holds more than one step.
    """
    compressed = _stored_bytes(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(compressed), step):
            yield bytes(compressed[offset:offset + step])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for offset in range(0, len(compressed), step):
            pending = compressed[offset:offset + step]
            while pending:
                piece = inflater.decompress(pending, step)
                if piece:
                    yield piece
                pending = inflater.unconsumed_tail
            if inflater.eof:
                return
        piece = inflater.flush()
    except zlib.error as err:
        raise ReadError(message("corrupt", detail=f"{info.filename} cannot be unpacked")) from err
    if piece:
        yield piece


def _kind(archive: zipfile.ZipFile) -> tuple[str, str]:
    """'docx' or 'xlsx' and the main part's name, from the content types; ReadError for macros or other files."""
    try:
        types = parse_xml(archive.read("[Content_Types].xml"), "[Content_Types].xml")
    except KeyError as err:
        raise ReadError(message("not_office")) from err
    except ReadError:
        raise
    except Exception as err:  # zlib and zip errors on a damaged entry
        raise ReadError(message("corrupt", detail="[Content_Types].xml cannot be unpacked")) from err
    parts = {el.get("ContentType"): (el.get("PartName") or "").lstrip("/") for el in types.iter(f"{{{CT_NS}}}Override")}
    for macro_type, (kind, save_as) in MACRO_TYPES.items():
        if macro_type in parts:
            raise ReadError(message("macro_enabled", kind=kind, save_as=save_as))
    names = archive.namelist()
    if any(n.rpartition("/")[2].lower() == "vbaproject.bin" for n in names):
        save_as = "Word Document (.docx)" if any(n.startswith("word/") for n in names) else "Excel Workbook (.xlsx)"
        raise ReadError(message("macro_enabled", kind="a vbaProject.bin", save_as=save_as))
    for kind, main_types in (("docx", (WORD_MAIN, WORD_TEMPLATE_MAIN)), ("xlsx", (EXCEL_MAIN, EXCEL_TEMPLATE_MAIN))):
        for main_type in main_types:
            if main_type in parts:
                return kind, parts[main_type]
    raise ReadError(message("not_office"))


def _custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        data = archive.read("docProps/custom.xml")
    except KeyError:
        return {}
    except Exception as err:
        raise ReadError(message("corrupt", detail="docProps/custom.xml cannot be unpacked")) from err
    return custom_properties(parse_xml(data, "docProps/custom.xml"))


_HEAD = 256  # bytes of a part, compressed, whose inflated start shows the prolog


@functools.lru_cache(maxsize=4096)
def _plain_prolog(compress_type: int, stored_head: bytes) -> bool:
    """Whether a part whose stored (compressed) data starts with *stored_head* plainly starts with its root element.

    Inflating depends on nothing but the bytes inflated, so the answer for a given start is always
    the same: cached, the styles, theme and settings every copy of a form shares cost nothing to
    check again. False means "look properly", including when the start does not inflate.
    """
    if compress_type == zipfile.ZIP_STORED:
        return _PLAIN_PROLOG.match(stored_head) is not None
    try:
        # Deflate never packs more than about 1032 bytes into one, so _HEAD bytes of input suffice.
        head = zlib.decompressobj(-zlib.MAX_WBITS).decompress(stored_head, _HEAD)
    except zlib.error:
        return False
    return _PLAIN_PROLOG.match(head) is not None


def _check_xml_parts(data: bytes, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse DOCTYPEs in any XML part, including those no reader of ours will parse."""
    for info in entries:
        if not info.filename.endswith(XML_SUFFIXES):
            continue
        # Nearly every part starts with its root element straight after the XML declaration:
        # a glance at the first bytes settles it. Anything else gets the full prolog scan.
        if _plain_prolog(info.compress_type, bytes(_stored_bytes(data, info)[:_HEAD])):
            continue
        if _doctype_in_prolog(_inflate(data, info, step=1024)):
            raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {info.filename}"))

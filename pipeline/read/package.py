"""Open a dropped file safely: size and zip limits, no DTDs, OLE and macro detection, form identity."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

from ..errors import ReadError, message
from .raw import PROP_FORM, PROP_ISSUE, PROP_VARIANT, PROP_VERSION

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_RATIO = 200  # compression ratio beyond which an entry is treated as a bomb

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
    """Parse one XML part with the safe parser; ReadError for DOCTYPEs and malformed XML."""
    if _declares_doctype(data):
        raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {part}"))
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as err:
        raise ReadError(message("corrupt", detail=f"{part} is not well-formed XML")) from err
    if root.getroottree().docinfo.doctype:
        raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {part}"))
    return root


def _declares_doctype(data: bytes) -> bool:
    head = data[:65536]
    return b"<!DOCTYPE" in head or b"<\x00!\x00D\x00O\x00C\x00T\x00Y\x00P\x00E" in head or b"<!ENTITY" in head


@dataclass
class OfficePackage:
    """A checked Office zip held in memory, with its kind ('docx' or 'xlsx') and custom properties."""

    name: str
    data: bytes
    archive: zipfile.ZipFile
    kind: str
    properties: dict[str, str]

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
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
            # zlib.error subclasses none of these but is caught by the caller's broad wrap
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
        raise ReadError(message("corrupt", detail="not a complete zip archive")) from err
    _check_entries(entries)
    kind = _kind(archive)
    properties = _custom_properties(archive)
    _check_xml_parts(archive, entries)
    return OfficePackage(name, data, archive, kind, properties)


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
        normal = posixpath.normpath(name)
        if name.startswith(("/", "\\")) or "\\" in name or normal.startswith("..") or ":" in name.split("/")[0]:
            raise ReadError(message("unsafe_zip", detail=f"a part named '{name}' points outside the document"))
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(message("unsafe_zip", detail=f"'{name}' would expand {info.file_size // max(info.compress_size, 1):,} times (a zip bomb)"))
    if total > MAX_EXPANDED_BYTES:
        raise ReadError(message("unsafe_zip", detail=f"it would expand to {total / 1024 / 1024:,.0f} MB"))


def _kind(archive: zipfile.ZipFile) -> str:
    try:
        types = parse_xml(archive.read("[Content_Types].xml"), "[Content_Types].xml")
    except KeyError as err:
        raise ReadError(message("not_office")) from err
    except ReadError:
        raise
    except Exception as err:  # zlib and zip errors on a damaged entry
        raise ReadError(message("corrupt", detail="[Content_Types].xml cannot be unpacked")) from err
    content_types = {el.get("ContentType") for el in types.iter(f"{{{CT_NS}}}Override")}
    for macro_type, (kind, save_as) in MACRO_TYPES.items():
        if macro_type in content_types:
            raise ReadError(message("macro_enabled", kind=kind, save_as=save_as))
    names = set(archive.namelist())
    if any(posixpath.basename(n).lower() == "vbaproject.bin" for n in names):
        save_as = "Word Document (.docx)" if any(n.startswith("word/") for n in names) else "Excel Workbook (.xlsx)"
        raise ReadError(message("macro_enabled", kind="a vbaProject.bin", save_as=save_as))
    if content_types & {WORD_MAIN, WORD_TEMPLATE_MAIN}:
        return "docx"
    if content_types & {EXCEL_MAIN, EXCEL_TEMPLATE_MAIN}:
        return "xlsx"
    raise ReadError(message("not_office"))


def _custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        data = archive.read("docProps/custom.xml")
    except KeyError:
        return {}
    except Exception as err:
        raise ReadError(message("corrupt", detail="docProps/custom.xml cannot be unpacked")) from err
    root = parse_xml(data, "docProps/custom.xml")
    properties = {}
    for prop in root:
        name = prop.get("name")
        if name and len(prop):
            properties[name] = (prop[0].text or "").strip()
    return properties


def _check_xml_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Refuse DOCTYPEs in any XML part, including those only openpyxl will parse."""
    for info in entries:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as stream:
                head = stream.read(65536)
        except Exception as err:
            raise ReadError(message("corrupt", detail=f"{info.filename} cannot be unpacked")) from err
        if _declares_doctype(head):
            raise ReadError(message("unsafe_xml", detail=f"a DOCTYPE in {info.filename}"))

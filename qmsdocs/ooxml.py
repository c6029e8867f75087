"""Low-level OOXML: core properties, deterministic zip packages, text extraction.

Knows nothing of documents, revisions or scores: only parts, XML and zip entries.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CORE_PART = "docProps/core.xml"
#: A fixed timestamp for every zip entry, so the same content gives the same bytes.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_CORE_ELEMENTS = (
    ("title", "dc:title"),
    ("subject", "dc:subject"),
    ("creator", "dc:creator"),
    ("identifier", "dc:identifier"),
    ("language", "dc:language"),
    ("version", "cp:version"),
    ("contentStatus", "cp:contentStatus"),
    ("lastModifiedBy", "cp:lastModifiedBy"),
)


def core_xml(props: dict[str, str]) -> bytes:
    """Return a docProps/core.xml part holding the given core properties."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    ]
    for key, tag in _CORE_ELEMENTS:
        if props.get(key):
            parts.append(f"<{tag}>{escape(props[key])}</{tag}>")
    for key in ("created", "modified"):
        if props.get(key):
            parts.append(f'<dcterms:{key} xsi:type="dcterms:W3CDTF">{escape(props[key])}</dcterms:{key}>')
    parts.append("</cp:coreProperties>")
    return "".join(parts).encode("utf-8")


class Deflated:
    """One zip entry compressed once: its name, CRC, sizes and deflated bytes, ready to copy."""

    __slots__ = ("name", "crc", "size", "payload")

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.crc = zlib.crc32(data)
        self.size = len(data)
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.payload = compressor.compress(data) + compressor.flush()


_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00:00


def write_package(entries: list[tuple[str, bytes | Deflated]]) -> bytes:
    """Return a zip package of the entries in the given order, with fixed timestamps and attributes.

    Entries already :class:`Deflated` (a template's unchanged parts) are copied as they are,
    not compressed again: that is most of the cost of writing a document.
    """
    out = io.BytesIO()
    central = []
    for name, data in entries:
        entry = data if isinstance(data, Deflated) else Deflated(name, data)
        raw_name = name.encode("utf-8")
        flags = 0x800 if not raw_name.isascii() else 0
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, 8, _DOS_TIME, _DOS_DATE, entry.crc,
                              len(entry.payload), entry.size, len(raw_name), 0))
        out.write(raw_name)
        out.write(entry.payload)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                                   entry.crc, len(entry.payload), entry.size, len(raw_name), 0, 0, 0, 0, 0,
                                   offset) + raw_name)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def read_package(data: bytes) -> list[tuple[str, bytes]]:
    """Return the (name, bytes) entries of a zip package in stored order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def paragraph_texts(xml: bytes) -> list[str]:
    """Return the text of each ``w:p`` of a WordprocessingML part (tabs as \\t, breaks as \\n)."""
    from lxml import etree

    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    t, tab, br, cr, p = (f"{{{W_NS}}}{n}" for n in ("t", "tab", "br", "cr", "p"))
    out = []
    for para in root.iter(p):
        chunks = []
        for el in para.iter(t, tab, br, cr):
            if el.tag == t:
                chunks.append(el.text or "")
            elif el.tag == tab:
                chunks.append("\t")
            else:
                chunks.append("\n")
        out.append("".join(chunks))
    return out


def document_text(package: bytes) -> str:
    """Return the text of the body, headers and footers of a .docx, one paragraph per line."""
    texts = []
    for name, data in read_package(package):
        if name == "word/document.xml" or (name.startswith("word/header") or name.startswith("word/footer")) \
                and name.endswith(".xml"):
            texts.extend(paragraph_texts(data))
    return "\n".join(texts)

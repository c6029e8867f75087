"""Low-level OOXML: core properties, deterministic zip packages, text extraction.

Knows nothing of documents, revisions or scores: only parts, XML and zip entries.
"""
from __future__ import annotations

import io
import zipfile
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


def write_package(entries: list[tuple[str, bytes]]) -> bytes:
    """Return a zip package of the entries in the given order, with fixed timestamps and attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


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

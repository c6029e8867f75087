"""Low-level OOXML: core properties, deterministic zip packages, text extraction.

Knows nothing of documents, revisions or scores: only parts, XML and zip entries.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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


def escape(text: str) -> str:
    """Return ``text`` escaped for XML character data (``&``, ``<``, ``>``).

    Not xml.sax.saxutils.escape: importing that module pulls in urllib, http and ssl.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


APP_PART = "docProps/app.xml"
SETTINGS_PART = "word/settings.xml"
#: The extended properties of every document qmsdocs writes: who made it, and nothing stale from
#: the template's editor (page and word counts, company, the editor's name and version).
APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b"<Application>qmsdocs</Application><DocSecurity>0</DocSecurity></Properties>")
_THEME_FONT_LANG = re.compile(rb"<w:themeFontLang\b[^>]*/>")


_DRAWING = re.compile(rb"<w:drawing>.*?</w:drawing>", re.S)
_SLOT_NAME = re.compile(rb'<wp:docPr\b[^>]*\bdescr="\{\{\s*(\w+)\s*\}\}"')
_EMBED = re.compile(rb'r:embed="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")


def picture_slots(document: bytes, rels: bytes) -> dict[str, list[str]]:
    """Return the media parts of the named pictures of a document: slot name → part names.

    A picture is a slot when its alternative text (``descr``) is a placeholder such as
    ``{{ chart_totals }}``, whatever its media file is called. A name found twice lists two parts.
    """
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        rid, target = re.search(rb'Id="([^"]+)"', tag), re.search(rb'Target="([^"]+)"', tag)
        if rid and target:
            targets[rid.group(1)] = "word/" + target.group(1).decode().lstrip("/").removeprefix("word/")
    slots: dict[str, list[str]] = {}
    for drawing in _DRAWING.findall(document):
        name, embed = _SLOT_NAME.search(drawing), _EMBED.search(drawing)
        if name and embed and embed.group(1) in targets:
            slots.setdefault(name.group(1).decode(), []).append(targets[embed.group(1)])
    return slots


def with_theme_language(settings: bytes, language: str) -> bytes:
    """Return word/settings.xml with the theme fonts' languages set: ``language`` for Latin text, zh-CN for CJK.

    Word picks the East Asian theme font by this setting; the default template says Japanese.
    """
    tag = f'<w:themeFontLang w:val="{language}" w:eastAsia="zh-CN"/>'.encode()
    return _THEME_FONT_LANG.sub(lambda _: tag, settings, count=1)


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


CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_xml(props: dict[str, str]) -> bytes:
    """Return a docProps/custom.xml part holding text properties (sorted by name)."""
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
             'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">']
    for pid, key in enumerate(sorted(props), start=2):
        parts.append(f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{escape(key)}">'
                     f"<vt:lpwstr>{escape(props[key])}</vt:lpwstr></property>")
    parts.append("</Properties>")
    return "".join(parts).encode("utf-8")


def with_custom_part(name: str, data: bytes) -> bytes:
    """Return the content-types or package-relationships part ``name`` declaring docProps/custom.xml."""
    text = data.decode("utf-8")
    if name == "[Content_Types].xml" and "/docProps/custom.xml" not in text:
        text = text.replace("</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_TYPE}"/></Types>')
    elif name == "_rels/.rels" and "docProps/custom.xml" not in text:
        text = text.replace("</Relationships>",
                            f'<Relationship Id="rIdQmsCustom" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/>'
                            "</Relationships>")
    return text.encode("utf-8")


def add_custom_properties(package: bytes, props: dict[str, str]) -> bytes:
    """Return ``package`` with its custom properties replaced by ``props`` (other parts unchanged)."""
    out: list[tuple[str, bytes | Deflated]] = []
    for name, data in read_package(package):
        if name == CUSTOM_PART:
            continue
        out.append((name, with_custom_part(name, data) if name in ("[Content_Types].xml", "_rels/.rels") else data))
    out.append((CUSTOM_PART, custom_xml(props)))
    return write_package(out)


def custom_properties(data: bytes) -> dict[str, str]:
    """Return the text custom properties of a package's docProps/custom.xml (empty if none)."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(data)
    except Exception:
        return {}
    out = {}
    for prop in root:
        name = prop.get("name")
        if name:
            out[name] = "".join(prop.itertext())
    return out


class Deflated:
    """One zip entry compressed once: its name, CRC, sizes and deflated bytes, ready to copy."""

    __slots__ = ("name", "crc", "size", "payload")

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.crc = zlib.crc32(data)
        self.size = len(data)
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.payload = compressor.compress(data) + compressor.flush()

    @classmethod
    def streamed(cls, name: str, chunks: Iterable[bytes]) -> Deflated:
        """Return the entry of the concatenated ``chunks``, compressed as they come.

        zlib's output does not depend on how its input is cut, so this gives the same bytes as
        ``Deflated(name, b"".join(chunks))`` without ever holding the uncompressed part whole.
        """
        entry = cls.__new__(cls)
        entry.name, entry.crc, entry.size = name, 0, 0
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = []
        for chunk in chunks:
            entry.crc = zlib.crc32(chunk, entry.crc)
            entry.size += len(chunk)
            payload.append(compressor.compress(chunk))
        payload.append(compressor.flush())
        entry.payload = b"".join(payload)
        return entry


_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01 00:00:00


def write_package(entries: Sequence[tuple[str, bytes | Deflated]]) -> bytes:
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


def iter_paragraph_texts(stream: Any) -> Iterator[str]:
    """Yield the text of each ``w:p`` of a part read from a file object, as :func:`paragraph_texts` reads it.

    Paragraphs come as they end (a text box's paragraph before the paragraph holding it).

    The tree is never held whole: each outermost paragraph is cleared once read, so the read-back of
    a document of thousands of pages stays small in memory.
    """
    from lxml import etree

    t, tab, br, cr, p = (f"{{{W_NS}}}{n}" for n in ("t", "tab", "br", "cr", "p"))
    marks = {tab: "\t", br: "\n", cr: "\n"}
    open_paragraphs: list[list[str]] = []  # the chunks of each paragraph not yet ended, outermost first
    for event, element in etree.iterparse(stream, events=("start", "end"), tag=(p, t, tab, br, cr),
                                           resolve_entities=False, no_network=True, huge_tree=True):
        tag = element.tag
        if tag == p:
            if event == "start":
                open_paragraphs.append([])
                continue
            yield "".join(open_paragraphs.pop())
            if not open_paragraphs:  # an outermost paragraph: nothing later needs it, nor what came before it
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
        elif event == "end" and open_paragraphs:
            chunk = (element.text or "") if tag == t else marks[tag]
            for chunks in open_paragraphs:  # a paragraph's text includes the text boxes inside it
                chunks.append(chunk)


_PARAGRAPH = re.compile(r"<w:p(?:\s[^>]*)?>(.*?)</w:p>|<w:p(?:\s[^>]*)?/>", re.S)
_PARAGRAPH_TOKEN = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(tab)\b[^>]*>|<w:(?:br|cr)\b[^>]*>")


def plain_paragraph_texts(xml: str) -> list[str] | None:
    """Return the text of each ``w:p`` as :func:`paragraph_texts` reads it, by patterns on the text.

    For parts written the plain way (the ``w`` prefix bound once, no paragraph inside another,
    as qmsdocs writes its own documents), this reads a large part several times faster than a
    parser; for any other part it returns None and the caller uses :func:`iter_paragraph_texts`.
    """
    from html import unescape

    if not plain_prefix(xml) or "txbxContent" in xml or "<![CDATA[" in xml:
        return None
    out = []
    for match in _PARAGRAPH.finditer(xml):
        body = match.group(1)
        if not body:
            out.append("")
            continue
        chunks = []
        for token in _PARAGRAPH_TOKEN.finditer(body):
            if token.group(1) is not None:
                chunks.append(unescape(token.group(1)) if "&" in token.group(1) else token.group(1))
            else:
                chunks.append("\t" if token.group(2) else "\n")
        out.append("".join(chunks))
    return out


def is_text_part(name: str) -> bool:
    """Return whether ``name`` is the body, a header or a footer of a .docx."""
    return name == "word/document.xml" or (name.startswith(("word/header", "word/footer")) and name.endswith(".xml"))


def document_text(package: bytes) -> str:
    """Return the text of the body, headers and footers of a .docx, one paragraph per line."""
    texts = []
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for info in zf.infolist():
            if is_text_part(info.filename):  # pictures and styles are never unpacked
                texts.extend(paragraph_texts(zf.read(info)))
    return "\n".join(texts)


# -- reading a part while it is written --------------------------------------------------------

_W_PREFIX = re.compile(r"""xmlns:w\s*=\s*["']""" + re.escape(W_NS) + """["']""")
#: Run and paragraph marks, as paragraph_texts reads them: a tab, a line break, a paragraph's end.
_TAB_MARK = re.compile(r"<w:tab\b[^>]*>")
_BREAK_MARK = re.compile(r"<w:(?:br|cr)\b[^>]*>|</w:p>|<w:p(?:\s[^>]*)?/>")
_TEXT_RUN = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def plain_prefix(source: str) -> bool:
    """Return whether a WordprocessingML source binds its namespace once, to the prefix ``w``.

    Then its text can be read with patterns on ``w:`` tags (as Word and LibreOffice write every
    part); a part declaring the namespace otherwise is read through a full XML tree.
    """
    return source.count(W_NS) == 1 and _W_PREFIX.search(source) is not None


class _Discard:
    """An lxml parser target that builds nothing: the parser then only checks the XML."""

    def close(self) -> None:
        return None


class PartReader:
    """Check a WordprocessingML part for well-formedness and collect its text, fed in pieces.

    The text is what :func:`paragraph_texts` gives, each paragraph followed by a line break.
    ``fast`` parts (see :func:`plain_prefix`) are never held whole: the XML is checked by a
    parser that builds no tree and the text is taken from each piece with patterns, so a
    document of thousands of pages costs a few megabytes instead of a tree of hundreds.
    """

    def __init__(self, fast: bool) -> None:
        from lxml import etree

        self.fast = fast
        self._parser = etree.XMLParser(target=_Discard(), resolve_entities=False,  # type: ignore[arg-type]
                                       no_network=True, huge_tree=True)
        self._pending = ""
        self._texts: list[str] = []
        self._whole: list[bytes] = []

    def feed(self, text: str, data: bytes) -> None:
        """Take the next piece: ``text`` and the same piece encoded, ``data``.

        Raise ``lxml.etree.XMLSyntaxError`` as soon as the XML is found broken.
        """
        self._parser.feed(data)
        if not self.fast:
            self._whole.append(data)
            return
        text = self._pending + text
        cut = text.rfind("</w:p>") + 6 if "</w:p>" in text else 0  # a paragraph split between pieces waits
        self._pending = text[cut:]
        if cut:
            self._texts.append(_marked_text(text[:cut]))

    def close(self) -> str:
        """Return the part's text; raise ``lxml.etree.XMLSyntaxError`` if the XML is not complete."""
        self._parser.close()
        if not self.fast:
            return "".join(t + "\n" for t in paragraph_texts(b"".join(self._whole)))
        if self._pending:
            self._texts.append(_marked_text(self._pending))
        return _unescape("".join(self._texts))


_REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """Return XML character data with its references (the five named ones, numeric) resolved."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda m: chr(int(m[1], 16)) if m[1] else chr(int(m[2])) if m[2] else _NAMED[m[3]],
                          text)


def _marked_text(xml: str) -> str:
    # Marks become text runs first, so one pass over the runs gives the text in document order.
    if "<w:tab" in xml:
        xml = _TAB_MARK.sub("<w:t>\t</w:t>", xml)
    return "".join(_TEXT_RUN.findall(_BREAK_MARK.sub("<w:t>\n</w:t>", xml)))


def read_part(data: bytes) -> str:
    """Return the text of a whole WordprocessingML part, as :class:`PartReader` does."""
    text = data.decode("utf-8")
    reader = PartReader(plain_prefix(text))
    reader.feed(text, data)
    return reader.close()


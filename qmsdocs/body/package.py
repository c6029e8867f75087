"""A foreign .docx package read with bounds: its parts, content types and relationships.

Every part is unpacked through a size cap and a compression-ratio cap, counting the bytes that
actually come out of the zip rather than trusting the sizes it declares; the whole package has a
total cap. XML is parsed by lxml without entity resolution or network access, and a part that
declares a DOCTYPE is refused: no Word part needs one.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from qmsdocs import ooxml
from qmsdocs.errors import DataError
from qmsdocs.i18n import _
from qmsdocs.text import one_line

#: A 300-page procedure with photographs has parts of a few megabytes; these leave headroom.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: Deflate reaches about 1:1000 on runs of one byte; real XML and pictures stay far below 1:200.
MAX_RATIO = 200
#: Parts smaller than this are not held to the ratio: a tiny repetitive XML part may compress well.
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 10_000
_CHUNK = 1 << 20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = ooxml.W_NS
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"
CONTENT_TYPES = "[Content_Types].xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#: Relationship types, by the last word of their URI.
OFFICE_DOCUMENT = REL + "officeDocument"
HEADER, FOOTER = REL + "header", REL + "footer"
FOOTNOTES, ENDNOTES, COMMENTS = REL + "footnotes", REL + "endnotes", REL + "comments"
STYLES, NUMBERING = REL + "styles", REL + "numbering"
CUSTOM_PROPERTIES = REL + "custom-properties"
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def w(name: str) -> str:
    """Return the Clark name ``{w-namespace}name`` of a WordprocessingML element or attribute."""
    return f"{{{W}}}{name}"


def parse_xml(data: bytes, part: str, display: str) -> Any:
    """Return the root element of an XML part; raise DataError if it is broken or declares a DOCTYPE."""
    from lxml import etree

    # Refused before parsing: libxml2 reports an entity bomb as an amplification error, not as the
    # DOCTYPE it is, and the user is told what the part declares rather than how the parser failed.
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise _doctype(display, part)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise DataError(_("{display}: part {part} nests its elements deeper than Word does; refused as a "
                              "possible XML bomb").format(display=display, part=part)) from None
        raise DataError(_("{display}: part {part} holds damaged XML ({error}); "
                          "open and save it again in Word").format(display=display, part=part,
                                                                   error=one_line(str(exc), 100))) from None
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise _doctype(display, part)
    return root


#: "<!DOCTYPE" as it appears in a part encoded in UTF-8 (or any ASCII superset) or UTF-16.
_DOCTYPE_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _doctype(display: str, part: str) -> DataError:
    return DataError(_("{display}: part {part} declares a DOCTYPE (XML entities), which no Word document "
                       "needs; refused as a possible XML bomb").format(display=display, part=part))


def serialize(root: Any) -> bytes:
    """Return an XML part as Word writes it: UTF-8, declared standalone."""
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool


def read_entries(data: bytes, display: str) -> list[tuple[str, bytes]]:
    """Return the (name, bytes) parts of a zip package, unpacked within the caps.

    Raise DataError with one line for data that is not a zip package, an encrypted document
    (an OLE compound file), a damaged zip, or a part over the caps.
    """
    if data[:8] == OLE_MAGIC:
        raise DataError(_("{display} is an old binary Word file (.doc) or a password-protected document: "
                          "remove the password in Word (File > Info > Protect Document) and save it as "
                          "Word Document (.docx)").format(display=display))
    if not data.startswith(b"PK"):
        raise DataError(_("{display} is not a Word document (not a zip package); save it as "
                          "Word Document (.docx)").format(display=display))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise DataError(_("{display} is a truncated or damaged zip package; save it again as "
                          "Word Document (.docx)").format(display=display)) from None
    entries = []
    total = 0
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_PARTS:
            raise DataError(_("{display} holds {count} parts; refused as a possible zip bomb").format(
                display=display, count=len(infos)))
        for info in infos:
            try:
                part = _read_part(zf, info, display, MAX_TOTAL_BYTES - total)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                    NotImplementedError) as exc:
                if "encrypted" in str(exc):
                    raise DataError(_("{display} is an encrypted zip package; save it as Word Document (.docx) "
                                      "without a password").format(display=display)) from None
                raise DataError(_("{display} cannot be unpacked ({error}); save it again as "
                                  "Word Document (.docx)").format(display=display, error=str(exc)[:100])) from None
            total += len(part)
            entries.append((info.filename, part))
    return entries


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, room: int) -> bytes:
    """Return one part's bytes, stopping as soon as it passes a cap."""
    def over(size: int) -> DataError | None:
        mib = 1024 * 1024
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            return DataError(_("{display}: part {part} is compressed more than {ratio} to 1; "
                               "refused as a possible zip bomb").format(display=display, part=info.filename,
                                                                        ratio=MAX_RATIO))
        if size > MAX_PART_BYTES:
            return DataError(_("{display}: part {part} unpacks to more than {mib} MiB; "
                               "refused as a possible zip bomb").format(display=display, part=info.filename,
                                                                        mib=MAX_PART_BYTES // mib))
        if size > room:
            return DataError(_("{display} unpacks to more than {mib} MiB; "
                               "refused as a possible zip bomb").format(display=display, mib=MAX_TOTAL_BYTES // mib))
        return None

    # The declared size refuses an honest bomb unread; the bytes counted refuse one that lies
    # (zipfile never reads more compressed bytes than the directory declares).
    problem = over(info.file_size)
    if problem:
        raise problem
    chunks = []
    size = 0
    with zf.open(info) as f:
        while chunk := f.read(_CHUNK):
            size += len(chunk)
            chunks.append(chunk)
            problem = over(size)
            if problem:
                raise problem
    return b"".join(chunks)


class Package:
    """The parts of a .docx in stored order, with their content types and relationships."""

    def __init__(self, entries: list[tuple[str, bytes]], display: str) -> None:
        self.display = display
        self.parts: dict[str, bytes] = dict(entries)
        self._trees: dict[str, Any] = {}
        #: The serialization of each part as parsed: a part that serializes the same when written
        #: was not edited and keeps its original bytes.
        self._pristine: dict[str, bytes] = {}
        if CONTENT_TYPES not in self.parts or "_rels/.rels" not in self.parts:
            raise DataError(_("{display} is a zip package but not a Word document (no [Content_Types].xml "
                              "or package relationships); save it as Word Document (.docx)").format(display=display))
        if "content.xml" in self.parts and "mimetype" in self.parts:
            raise DataError(_("{display} is an OpenDocument file; convert it to .docx first").format(display=display))
        main = [r for r in self.rels("") if r.type == OFFICE_DOCUMENT or r.type.endswith("/officeDocument")]
        self.main = self.resolve("", main[0].target) if main else ""
        if not self.main or self.main not in self.parts:
            raise DataError(_("{display} is not a Word document (no main document part); save it as "
                              "Word Document (.docx)").format(display=display))
        if STRICT_W.encode() in self.parts[self.main][:4096]:
            raise DataError(_("{display} is saved in Strict Open XML format; save it as Word Document (.docx)").format(
                display=display))
        if W.encode() not in self.parts[self.main][:65536]:
            raise DataError(_("{display} is not a Word document (its main part is not WordprocessingML)").format(
                display=display))

    @classmethod
    def read(cls, data: bytes, display: str) -> Package:
        """Return the package of ``data``; raise DataError for anything that is not a readable .docx."""
        return cls(read_entries(data, display), display)

    # -- XML ----------------------------------------------------------------------------------

    def xml(self, name: str) -> Any:
        """Return the parsed root of part ``name`` (parsed once; later edits are kept)."""
        if name not in self._trees:
            self._trees[name] = parse_xml(self.parts[name], name, self.display)
            self._pristine[name] = serialize(self._trees[name])
        return self._trees[name]

    def put_xml(self, name: str, root: Any) -> None:
        """Make ``root`` the content of part ``name`` (serialized when the package is written)."""
        self._trees[name] = root
        self._pristine.pop(name, None)
        self.parts.setdefault(name, b"")

    def remove(self, name: str) -> None:
        self.parts.pop(name, None)
        self._trees.pop(name, None)
        self._pristine.pop(name, None)

    def to_bytes(self) -> bytes:
        """Return the package as a zip with fixed timestamps: the same parts give the same bytes."""
        out = []
        for name, data in self.parts.items():
            if name in self._trees:
                xml = serialize(self._trees[name])
                out.append((name, data if xml == self._pristine.get(name) else xml))
            else:
                out.append((name, data))
        return ooxml.write_package(out)

    # -- relationships ------------------------------------------------------------------------

    @staticmethod
    def rels_name(part: str) -> str:
        """Return the name of the relationships part of ``part`` ('' = the package)."""
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    def rels(self, part: str) -> list[Relationship]:
        """Return the relationships of ``part`` ('' = the package), in stored order."""
        name = self.rels_name(part)
        if name not in self.parts:
            return []
        return [Relationship(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""),
                             el.get("TargetMode") == "External")
                for el in self.xml(name) if el.tag == f"{{{PKG_RELS}}}Relationship"]

    def resolve(self, source: str, target: str) -> str:
        """Return the part name a relationship target of ``source`` points to."""
        if target.startswith("/"):
            return target[1:]
        return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))

    def related(self, source: str, rel_type: str) -> list[str]:
        """Return the internal parts ``source`` refers to with relationships of ``rel_type``."""
        return [self.resolve(source, r.target) for r in self.rels(source)
                if r.type == rel_type and not r.external and self.resolve(source, r.target) in self.parts]

    def add_rel(self, source: str, rel_type: str, target: str) -> str:
        """Add a relationship from ``source`` and return its id (the first free ``rIdQms<n>``)."""
        from lxml import etree

        name = self.rels_name(source)
        if name not in self.parts:
            rels = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})  # type: ignore[dict-item]
            self.put_xml(name, rels)
        root = self.xml(name)
        taken = {el.get("Id") for el in root}
        n = 1
        while f"rIdQms{n}" in taken:
            n += 1
        etree.SubElement(root, f"{{{PKG_RELS}}}Relationship", Id=f"rIdQms{n}", Type=rel_type, Target=target)
        return f"rIdQms{n}"

    def drop_rels(self, source: str, keep: Any) -> list[str]:
        """Remove the relationships of ``source`` for which ``keep(rel)`` is false; return their targets."""
        name = self.rels_name(source)
        if name not in self.parts:
            return []
        gone = []
        root = self.xml(name)
        for el in list(root):
            rel = Relationship(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""),
                               el.get("TargetMode") == "External")
            if not keep(rel):
                root.remove(el)
                if not rel.external:
                    gone.append(self.resolve(source, rel.target))
        return gone

    # -- content types ------------------------------------------------------------------------

    def content_type(self, part: str) -> str:
        """Return the content type of ``part`` (its override, else its extension's default)."""
        root = self.xml(CONTENT_TYPES)
        for el in root:
            if el.tag == f"{{{CT_NS}}}Override" and el.get("PartName", "").lstrip("/") == part:
                return el.get("ContentType", "")
        ext = part.rsplit(".", 1)[-1].lower()
        for el in root:
            if el.tag == f"{{{CT_NS}}}Default" and el.get("Extension", "").lower() == ext:
                return el.get("ContentType", "")
        return ""

    def set_override(self, part: str, content_type: str | None) -> None:
        """Declare (or with None, forget) the content type of ``part``."""
        from lxml import etree

        root = self.xml(CONTENT_TYPES)
        for el in list(root):
            if el.tag == f"{{{CT_NS}}}Override" and el.get("PartName", "").lstrip("/") == part:
                root.remove(el)
        if content_type:
            etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type)

    # -- the parts holding text ---------------------------------------------------------------

    def story_parts(self) -> list[str]:
        """Return the parts holding document text: the body, headers, footers, notes and comments."""
        out = [self.main]
        for rel_type in (HEADER, FOOTER, FOOTNOTES, ENDNOTES, COMMENTS):
            out += [p for p in self.related(self.main, rel_type) if p not in out]
        return out

"""Framing a foreign Word body: a cover before it, the control header on every page, properties.

The body stays what it was: its paragraphs, styles, numbering, tables, pictures, notes, fields,
content controls, shapes and sections are carried over part for part. The frame only adds:

- a cover section before the body (when asked), ending in a section break, so the body's first
  section keeps its own page size, orientation and margins;
- the control table at the top of every header of every section (the body's own header content,
  a logo for instance, stays below it), and a header of its own where a section had none;
- core properties from the frame and custom properties, with :data:`FRAME_MARKER`.

The same body and frame always give the same bytes.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qmsdocs import ooxml
from qmsdocs.body.cover import control_table, cover, kind_label
from qmsdocs.body.inspect import CUSTOM_NS, FRAME_MARKER, VT_NS
from qmsdocs.body.package import CORE_PROPERTIES, CUSTOM_PROPERTIES, HEADER, R_NS, STYLES, Package, w
from qmsdocs.body.wml import TABLE_STYLE, TEXT_STYLE, el, para, styles
from qmsdocs.frame import Frame
from qmsdocs.labels import labels

HEADER_TYPES = ("default", "first", "even")
#: The header part the frame adds for the pages whose section had no header of that kind.
FRAME_HEADER = "word/header-qmsdocs.xml"
HEADER_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
CORE_CT = "application/vnd.openxmlformats-package.core-properties+xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
#: Word's default page (US Letter, one-inch margins), used where a section leaves a value out.
_DEFAULT_PAGE = {"w": 12240, "left": 1440, "right": 1440}
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def frame_body(body: bytes, frame: Frame, *, cover: bool = True, custom: dict[str, str] | None = None,
               display: str = "body", label: str | None = None) -> bytes:
    """Return the .docx of ``body`` inside the control frame of ``frame`` (see the module's notes).

    ``custom`` names extra custom properties (name → text); ``label`` is what the cover calls the
    document's kind (default: the built-in kind's name). Raise DataError if ``body`` is no
    readable .docx.
    """
    package = Package.read(body, display)
    ctx = frame.context()
    L = labels(frame.language)
    document = package.xml(package.main)
    body_el = document.find(w("body"))
    sections = _sections(body_el)
    _add_styles(package)
    blank_header = _frame_headers(package, sections, control_table(ctx, L, frame.language))
    for sect in sections:
        _whole_document_numbering(sect)
    if cover:
        _add_cover(body_el, sections[0], blank_header(),
                   cover_blocks(frame, ctx, L, _text_width(sections[0]), label))
    _set_core(package, frame)
    _set_custom(package, {FRAME_MARKER: frame.doc_no, **(custom or {})})
    return package.to_bytes()


def cover_blocks(frame: Frame, ctx: dict[str, Any], L: dict[str, str], text_width: int,
                 label: str | None = None) -> list[Any]:
    """Return the cover's blocks for ``frame`` at ``text_width`` twips."""
    return cover(ctx, L, label or kind_label(frame.doc_type, frame.language, L), text_width)


# -- sections and headers -------------------------------------------------------------------

def _sections(body_el: Any) -> list[Any]:
    """Return the section properties of the body in order (the body's own last one included)."""
    found = [s for s in body_el.iter(w("sectPr")) if s.getparent().tag in (w("pPr"), w("body"))]
    if not found or found[-1].getparent() is not body_el:
        last = el("sectPr")
        body_el.append(last)
        found.append(last)
    return found


def _header_refs(sect: Any) -> dict[str, Any]:
    return {ref.get(w("type"), "default"): ref for ref in sect.findall(w("headerReference"))}


def _frame_headers(package: Package, sections: list[Any], table: Any) -> Callable[[], str]:
    """Put the control table on top of every header of every section.

    Return a function giving the relationship id of the frame's own header (made on first use).

    A section shows the header of each kind (default, first page, even pages) it names or
    inherits from the section before; each such header gets the control table, and where a
    section has none of a kind, the frame's own header takes its place. Every section then
    names all three explicitly, so the cover section put before the body changes nothing.
    """
    from copy import deepcopy

    main = package.main
    by_id = {r.id: package.resolve(main, r.target) for r in package.rels(main) if r.type == HEADER}
    rel_of: dict[str, str] = {}
    for rel_id, target in by_id.items():
        rel_of.setdefault(target, rel_id)
    framed: set[str] = set()
    blank_rel = ""

    def blank() -> str:
        nonlocal blank_rel
        if not blank_rel:
            hdr = el("hdr")
            hdr.append(deepcopy(table))
            hdr.append(para())
            package.put_xml(FRAME_HEADER, hdr)
            package.set_override(FRAME_HEADER, HEADER_CT)
            blank_rel = package.add_rel(main, HEADER, FRAME_HEADER.split("/", 1)[1])
        return blank_rel

    current: dict[str, str | None] = {kind: None for kind in HEADER_TYPES}
    for sect in sections:
        refs = _header_refs(sect)
        for kind in HEADER_TYPES:
            ref = refs.get(kind)
            if ref is not None and by_id.get(ref.get(f"{{{R_NS}}}id", "")) in package.parts:
                current[kind] = by_id[ref.get(f"{{{R_NS}}}id")]
        for ref in refs.values():
            sect.remove(ref)
        new_refs = []
        for kind in HEADER_TYPES:
            part = current[kind]
            if part is None:
                rel_id = blank()
            else:
                if part not in framed:
                    _prepend(package.xml(part), deepcopy(table))
                    framed.add(part)
                rel_id = rel_of[part]
            ref = el("headerReference", {"type": kind})
            ref.set(f"{{{R_NS}}}id", rel_id)
            new_refs.append(ref)
        # Header references come first in a section's properties (the schema's order).
        for index, ref in enumerate(new_refs):
            sect.insert(index, ref)
    return blank


def _prepend(hdr: Any, table: Any) -> None:
    """Put the control table at the top of a header, the header's own content below it."""
    hdr.insert(0, table)
    if len(hdr) == 1 or hdr[-1].tag != w("p"):
        hdr.append(para())
    elif hdr[1].tag == w("tbl"):
        hdr.insert(1, para())  # two tables in a row would merge into one


def _whole_document_numbering(sect: Any) -> None:
    """Drop a section's page-number restart, so PAGE and NUMPAGES count the whole document."""
    numbering = sect.find(w("pgNumType"))
    if numbering is not None and numbering.get(w("start")) is not None:
        del numbering.attrib[w("start")]


def _text_width(sect: Any) -> int:
    """Return the text width (twips) of a section: page width less the side margins."""
    size, margins = sect.find(w("pgSz")), sect.find(w("pgMar"))

    def value(node: Any, key: str) -> int:
        raw = node.get(w(key)) if node is not None else None
        try:
            return int(float(raw)) if raw is not None else _DEFAULT_PAGE[key]
        except ValueError:
            return _DEFAULT_PAGE[key]

    width = value(size, "w") - value(margins, "left") - value(margins, "right")
    return width if width > 2000 else 9360


def _add_cover(body_el: Any, first: Any, header_rel: str, blocks: list[Any]) -> None:
    """Put the cover before the body, in a section of its own shaped like the body's first page."""
    from copy import deepcopy

    sect = el("sectPr")
    for kind in HEADER_TYPES:
        ref = el("headerReference", {"type": kind})
        ref.set(f"{{{R_NS}}}id", header_rel)
        sect.append(ref)
    for tag in ("pgSz", "pgMar"):
        node = first.find(w(tag))
        if node is not None:
            sect.append(deepcopy(node))
    breaker = el("p", None, el("pPr", None, el("pStyle", {"val": TEXT_STYLE}), sect))
    for index, block in enumerate(blocks + [breaker]):
        body_el.insert(index, block)
    # The body starts on a page of its own even if its first section was meant to run on.
    kind = first.find(w("type"))
    if kind is not None and kind.get(w("val")) == "continuous":
        kind.set(w("val"), "nextPage")


# -- styles and properties ------------------------------------------------------------------

def _add_styles(package: Package) -> None:
    """Add the frame's styles to the body's styles part (made if the body has none)."""
    parts = package.related(package.main, STYLES)
    if parts:
        name = parts[0]
        root = package.xml(name)
    else:
        name = "word/styles-qmsdocs.xml"
        root = el("styles")
        package.put_xml(name, root)
        package.set_override(name, STYLES_CT)
        package.add_rel(package.main, STYLES, name.split("/", 1)[1])
    for style in list(root.findall(w("style"))):
        if style.get(w("styleId")) in (TEXT_STYLE, TABLE_STYLE):
            root.remove(style)
    for style in styles():
        root.append(style)


def _set_core(package: Package, frame: Frame) -> None:
    """Write the frame's core properties over the body's."""
    parts = package.related("", CORE_PROPERTIES)
    name = parts[0] if parts else "docProps/core.xml"
    if not parts:
        package.add_rel("", CORE_PROPERTIES, name)
        package.set_override(name, CORE_CT)
    package.remove(name)
    package.parts[name] = ooxml.core_xml(frame.core_properties())


def _set_custom(package: Package, values: dict[str, str]) -> None:
    """Write custom properties: the body's own kept, ours (the frame marker first) after them."""
    from lxml import etree

    parts = package.related("", CUSTOM_PROPERTIES)
    if parts:
        name = parts[0]
        root = package.xml(name)
    else:
        name = "docProps/custom.xml"
        namespaces: Any = {None: CUSTOM_NS, "vt": VT_NS}  # lxml's default namespace is keyed by None
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap=namespaces)
        package.put_xml(name, root)
        package.set_override(name, CUSTOM_CT)
        package.add_rel("", CUSTOM_PROPERTIES, name)
    for prop in list(root):
        if prop.get("name") in values:
            root.remove(prop)
    for key, value in values.items():
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=_FMTID, name=key)
        text = etree.SubElement(prop, f"{{{VT_NS}}}lpwstr")
        text.text = value
    for pid, prop in enumerate(root, start=2):
        prop.set("pid", str(pid))

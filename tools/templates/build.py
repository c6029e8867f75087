"""Write a template: the frame, the body of its type, then a package that is the same bytes every time.

``python -m tools.templates [NAME ...]`` (``make templates``) builds every template, or those named,
into ``templates/``.
"""
from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

from docx.oxml.ns import qn

from qmsdocs import ooxml
from tools.templates import minutes, plan, revlog, scores
from tools.templates.fit import overflowing_words
from tools.templates.frame import new_document

OUT = Path(__file__).resolve().parent.parent.parent / "templates"
#: The body builder of each template, by the template's name.
BODIES: dict[str, Callable] = {"plan": plan.body, "revlog": revlog.body, "minutes": minutes.body,
                               "scores": scores.body}


def trimmed_styles(styles: bytes, parts: list[bytes]) -> bytes:
    """Return styles.xml holding only the styles ``parts`` use, the defaults, and the styles they build on."""
    from lxml import etree

    root = etree.fromstring(styles)
    by_id = {style.get(qn("w:styleId")): style for style in root.iter(qn("w:style"))}
    used = {m.decode() for m in re.findall(rb'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"',
                                           b"".join(parts))}
    used |= {sid for sid, style in by_id.items() if style.get(qn("w:default")) == "1"}
    todo = list(used)
    while todo:
        style = by_id.get(todo.pop())
        for ref in ("w:basedOn", "w:link", "w:next"):
            found = style.find(qn(ref)) if style is not None else None
            if found is not None and found.get(qn("w:val")) not in used:
                used.add(found.get(qn("w:val")))
                todo.append(found.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in used:
            root.remove(style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def build(name: str, out: Path = OUT) -> Path:
    """Write ``<out>/<name>.docx`` and return its path; report words too wide for their cells on stderr."""
    doc = new_document(cover=name != "revlog", landscape=name == "revlog")
    BODIES[name](doc)
    for problem in overflowing_words(doc):
        print(f"{name}: {problem}", file=sys.stderr)
    buffer = io.BytesIO()
    doc.save(buffer)
    # Fixed zip timestamps and properties: rebuilding an unchanged template gives the same bytes.
    entries = ooxml.read_package(buffer.getvalue())
    # python-docx's default package carries a thumbnail of an empty page and a 430 kB copy of the
    # styles for Word 2010 (stylesWithEffects); neither is needed: drop them and their references.
    dropped = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")
    entries = [(n, re.sub(rb'<(Relationship|Override) [^>]*(thumbnail|stylesWithEffects)[^>]*/>', b"", d))
               if n in ("_rels/.rels", "word/_rels/document.xml.rels", "[Content_Types].xml") else (n, d)
               for n, d in entries if n not in dropped]
    # Only the styles the template uses (python-docx's default carries 350 kB of them), and
    # extended properties that name qmsdocs, not the editor python-docx's default was saved with.
    parts = [d for n, d in entries if re.fullmatch(r"word/(document|header\d*|footer\d*|numbering)\.xml", n)]
    fixed = {ooxml.CORE_PART: ooxml.core_xml({"title": name, "creator": "qmsdocs"}), ooxml.APP_PART: ooxml.APP_XML}
    entries = [(n, fixed.get(n) or (trimmed_styles(d, parts) if n == "word/styles.xml" else d)) for n, d in entries]
    path = out / f"{name}.docx"
    out.mkdir(exist_ok=True)
    path.write_bytes(ooxml.write_package(entries))
    return path


def main(names: list[str]) -> None:
    """Build the templates ``names`` (all when empty), printing each path written."""
    unknown = [name for name in names if name not in BODIES]
    if unknown:
        raise SystemExit(f"no template {', '.join(unknown)}; the templates are {', '.join(BODIES)}")
    for name in names or list(BODIES):
        print(build(name))

"""Proof that framing kept the body: every paragraph of the body, in order, in the framed file."""
from __future__ import annotations

from typing import Any

from qmsdocs.body.package import Package, w
from qmsdocs.errors import ReadbackError
from qmsdocs.i18n import _
from qmsdocs.text import one_line


def paragraph_texts(root: Any) -> list[str]:
    """Return the text of each ``w:p`` under ``root`` in document order (tabs as \\t, breaks as \\n).

    Deleted text (``w:delText``) is not text; a text box's paragraphs count inside the paragraph
    that anchors it and again on their own, the same way in the body and in the framed file.
    """
    t, tab, br, cr = w("t"), w("tab"), w("br"), w("cr")
    out = []
    for para in root.iter(w("p")):
        chunks = []
        for el in para.iter(t, tab, br, cr):
            if el.tag == t:
                chunks.append(el.text or "")
            elif el.tag == tab:
                # A tab stop definition (w:tabs/w:tab in paragraph properties) is no tab character.
                if el.getparent() is not None and el.getparent().tag != w("tabs"):
                    chunks.append("\t")
            else:
                chunks.append("\n")
        out.append("".join(chunks))
    return out


def body_paragraphs(data: bytes, display: str = "document") -> list[str]:
    """Return the text of every paragraph of the main document part of the .docx ``data``."""
    package = Package.read(data, display)
    return paragraph_texts(package.xml(package.main))


def check_body_readback(framed: bytes, body: bytes, display: str) -> None:
    """Raise ReadbackError unless every non-empty paragraph of ``body`` is in ``framed``, in order.

    The framed file may hold more paragraphs (the cover) between and around them.
    """
    wanted = [p for p in body_paragraphs(body, display) if p.strip()]
    found = iter(body_paragraphs(framed, display))
    for number, text in enumerate(wanted, start=1):
        if not any(text == have for have in found):
            raise ReadbackError(_("{display}: the framed document lost paragraph {number} of the body "
                                  "({text}); nothing was written").format(
                                      display=display, number=number, text=repr(one_line(text))))

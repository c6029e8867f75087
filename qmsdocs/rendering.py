"""Rendering one registered revision to .docx bytes, and proving nothing was lost on the way."""
from __future__ import annotations

import datetime as dt
from typing import Any

from qmsdocs import doctypes, ooxml
from qmsdocs.frame import Frame, RevisionRow, Signature
from qmsdocs.labels import labels
from qmsdocs.register import valid_signatures
from qmsdocs.render import check_text, load_template
from qmsdocs.workspace import Workspace


def build_frame(ws: Workspace, rev_id: int, copy_no: str = "") -> Frame:
    """Return the frame of a revision as the register has it now (signatures, history, status)."""
    conn = ws.conn
    rev = conn.execute("SELECT * FROM revisions WHERE id = ?", (rev_id,)).fetchone()
    doc = conn.execute("SELECT * FROM documents WHERE id = ?", (rev["document_id"],)).fetchone()
    L = labels(ws.config.language)
    signatures = tuple(Signature(s["role"], s["name"], s["date"]) for s in valid_signatures(conn, rev))
    history = []
    for r in conn.execute("SELECT * FROM revisions WHERE document_id = ? AND (major < ? OR (major = ? AND minor <= ?)) "
                          "ORDER BY major, minor", (doc["id"], rev["major"], rev["major"], rev["minor"])):
        changed_by = r["changed_by"]
        if not changed_by:  # the initial issue: its author is whoever compiled it
            changed_by = next((s["name"] for s in valid_signatures(conn, r) if s["role"] == "compile"), "")
        history.append(RevisionRow(
            version=r["version"], pages=r["pages"] or L["all_pages"], change_no=r["change_no"] or "",
            changed_by=changed_by, effective_date=r["effective_date"] or "", summary=r["summary"]))
    return Frame(
        company=ws.config.company, department=ws.config.department, language=ws.config.language,
        reference=ws.config.reference, doc_no=doc["doc_no"], doc_type=doc["type"], title=rev["title"],
        version=rev["version"], status=rev["status"], created_on=dt.date.fromisoformat(rev["created_on"]),
        release_date=rev["release_date"] or "", effective_date=rev["effective_date"] or "", copy_no=copy_no,
        signatures=signatures, history=tuple(history))


def render_revision(ws: Workspace, rev_id: int, data: Any = None, copy_no: str = "") -> bytes:
    """Return the .docx bytes of a revision; ``data`` is re-read from the stored workbook when None.

    The result is read back and must contain every value of the frame and the content;
    a missing value raises ReadbackError and nothing is written.
    """
    frame = build_frame(ws, rev_id, copy_no)
    rev = ws.conn.execute("SELECT input_sha256 FROM revisions WHERE id = ?", (rev_id,)).fetchone()
    kind = doctypes.get(frame.doc_type)
    if data is None:
        stored = ws.path(ws.input_file(rev["input_sha256"]))
        data, _ = kind.read(stored, str(stored))
    content = kind.context(data, ws.config)
    context = {"frame": frame.context(), "L": labels(ws.config.language), **content}
    template = load_template(ws.template_for(frame.doc_type))
    filled = template.fill(context, frame.core_properties(), kind.media(data, ws.config) if kind.media else None)
    check_readback(filled.package, frame.values() + doctypes.leaf_texts(content), frame.doc_no, filled.text)
    return filled.package


def check_readback(package: bytes, expected: list[str], what: str, text: str | None = None) -> None:
    """Raise ReadbackError unless every expected value appears in the document's text.

    ``text`` is that text when the renderer already read it from the filled XML
    (:meth:`CompiledTemplate.fill`); otherwise it is read from ``package``.
    """
    check_text(ooxml.document_text(package) if text is None else text, expected, what)

"""Rendering one registered revision to .docx bytes, from its frozen bundle and its register state.

A render is a pure function of the bundle (input, template, settings) and the revision's state
in the register (signatures, dates, the status it shows, the copy number and the trail head it
witnesses): the same bundle and state give the same bytes.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from qmsdocs import bundle as bundle_mod
from qmsdocs import kinds, ooxml
from qmsdocs.audit import Head
from qmsdocs.db import Register, Row
from qmsdocs.frame import Frame, RevisionRow, Signature
from qmsdocs.i18n import _
from qmsdocs.labels import labels
from qmsdocs.render import check_text
from qmsdocs.status import derive
from qmsdocs.workspace import Workspace

#: The custom document properties every controlled file carries.
PROP_CHAIN, PROP_DOC, PROP_VERSION, PROP_STATE, PROP_COPY = (
    "qmsdocs.chain", "qmsdocs.doc_no", "qmsdocs.version", "qmsdocs.state", "qmsdocs.copy_no")


def valid_signatures(register: Register, rev: Row) -> list[Row]:
    """Return a revision's signatures that count: given on its current bundle and not voided, in order."""
    return register.query("SELECT * FROM signatures WHERE revision_id = ? AND bundle_sha256 = ? "
                          "AND void_reason IS NULL ORDER BY id", (rev["id"], rev["bundle_sha256"]))


#: A document's revisions, oldest first.
REVISIONS_SQL = "SELECT * FROM revisions WHERE document_id = ? ORDER BY major, minor"


def revisions_of(register: Register, document_id: int) -> list[Row]:
    return register.query(REVISIONS_SQL, (document_id,))


def parse_input(ws: Workspace, bundle: bundle_mod.Bundle) -> Any:
    """Return the parsed input of a bundle (read from the store once per command)."""
    if bundle.input_sha256 in ws.parsed:
        return ws.parsed[bundle.input_sha256]
    data = ws.store.get(bundle.input_sha256, _("input {name}").format(name=bundle.input_name))
    parsed = kinds.of_bundle(bundle).parse(data, bundle.input_name)
    ws.parsed[bundle.input_sha256] = parsed
    return parsed


def build_frame(ws: Workspace, rev: Row, state: str, as_of: dt.date, bundle: bundle_mod.Bundle,
                copy_no: str = "") -> Frame:
    """Return the frame of a revision showing ``state``, with its history as of ``as_of``."""
    register = ws.register
    doc = register.one("SELECT * FROM documents WHERE id = ?", (rev["document_id"],))
    assert doc is not None
    config = bundle.config(ws.config)
    L = labels(config.language)
    signatures = tuple(Signature(s["role"], s["name"], s["date"]) for s in valid_signatures(register, rev))
    revisions = [r for r in revisions_of(register, doc["id"]) if r["status"] != "withdrawn"]
    statuses = derive(revisions, as_of)
    # Rows taken over with a document registered at its existing number come first, marked as such.
    taken = TAKEN_OVER[config.language]
    history = [RevisionRow(version=v, pages=p or L["all_pages"], change_no=c, changed_by=b, effective_date=e,
                           summary=f"{s}{taken}") for v, p, c, b, e, s in bundle.history]
    for r in revisions:
        if (r["major"], r["minor"]) > (rev["major"], rev["minor"]):
            break
        changed_by = r["changed_by"]
        if not changed_by:  # the initial issue: its author is whoever compiled it
            changed_by = next((s["name"] for s in valid_signatures(register, r) if s["role"] == "compile"), "")
        shown_effective = r["effective_date"] or ""
        if r["id"] != rev["id"] and statuses[r["id"]] == "approved":
            shown_effective = ""
        history.append(RevisionRow(
            version=r["version"], pages=r["pages"] or L["all_pages"], change_no=r["change_no"] or "",
            changed_by=changed_by, effective_date=shown_effective, summary=r["summary"]))
    return Frame(
        company=config.company, department=config.department, language=config.language,
        reference=config.reference, doc_no=doc["doc_no"], doc_type=doc["kind"], title=rev["title"],
        version=rev["version"], status=state, created_on=dt.date.fromisoformat(rev["created_on"]),
        release_date=rev["release_date"] or "", effective_date=rev["effective_date"] or "", copy_no=copy_no,
        signatures=signatures, history=tuple(history))


#: How the revision record marks a row taken over from before the document came under qmsdocs.
TAKEN_OVER = {"zh": "（沿用）", "en": " (taken over)"}


def witness_properties(frame: Frame, head: Head, state: str) -> dict[str, str]:
    """Return the custom properties of a controlled file: what it is and the trail head it witnesses."""
    return {PROP_CHAIN: head.text(), PROP_DOC: frame.doc_no, PROP_VERSION: frame.version, PROP_STATE: state,
            PROP_COPY: frame.copy_no}


def render_revision(ws: Workspace, rev: Row, state: str, head: Head, as_of: dt.date, copy_no: str = "") -> bytes:
    """Return the .docx bytes of a revision showing ``state`` (read back before it is returned).

    A missing value raises ReadbackError and nothing is written.
    """
    bundle = bundle_mod.load(ws.store, rev["bundle_sha256"])
    frame = build_frame(ws, rev, state, as_of, bundle, copy_no)
    return kinds.of_bundle(bundle).render(ws, bundle, frame, witness_properties(frame, head, state),
                                          parse_input(ws, bundle))


def check_readback(package: bytes, expected: list[str], what: str, text: str | None = None, *,
                   template: tuple[str, dict[str, str]] | None = None,
                   context: dict[str, Any] | None = None) -> None:
    """Raise ReadbackError unless the saved ``package`` shows what it must.

    Every expected value must appear in the document's text; with ``template`` (its sha256 and
    patched sources) and the ``context`` it was filled with, every templated paragraph must also be
    found exactly, in its part, in the package opened again (see :mod:`qmsdocs.readback`).
    """
    check_text(ooxml.document_text(package) if text is None else text, expected, what)
    if template is not None and context is not None:
        from qmsdocs import readback

        readback.check_saved(package, readback.layout_for(*template), context, what)

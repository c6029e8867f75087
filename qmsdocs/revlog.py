"""The revision log (修订记录) of one document: every revision, who changed and approved it, when.

Rendered by the writing commands that change a document's history (and stored like any render);
``qms revlog DOC -o FILE`` copies the stored log out.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from qmsdocs import bundle as bundle_mod
from qmsdocs import clock
from qmsdocs.audit import Head
from qmsdocs.frame import CONTENT_STATUS
from qmsdocs.i18n import _
from qmsdocs.labels import labels
from qmsdocs.render import load_frozen_template
from qmsdocs.rendering import build_frame, check_readback, revisions_of, valid_signatures, witness_properties
from qmsdocs.status import derive
from qmsdocs.workspace import Workspace


def log_rows(ws: Workspace, document_id: int, as_of: dt.date, language: str) -> list[dict[str, str]]:
    """Return one display row per revision (withdrawn drafts left out), oldest first."""
    L = labels(language)
    revisions = [r for r in revisions_of(ws.register, document_id) if r["status"] != "withdrawn"]
    statuses = derive(revisions, as_of)
    rows = []
    for rev in revisions:
        sigs = valid_signatures(ws.register, rev)
        compiler = next((s["name"] for s in sigs if s["role"] == "compile"), "")
        approver = next((f"{s['name']} {s['date']}" for s in sigs if s["role"] == "approve"), "")
        rows.append({
            "version": rev["version"], "status": L[f"status_{statuses[rev['id']]}"],
            "change_no": rev["change_no"] or "", "changed_by": rev["changed_by"] or compiler,
            "pages": rev["pages"] or L["all_pages"], "summary": rev["summary"],
            "effective_date": rev["effective_date"] or "", "approved_by": approver,
        })
    return rows


def render_log(ws: Workspace, document_id: int, as_of: dt.date, head: Head) -> bytes:
    """Return the revision log .docx of a document as of ``as_of`` (its newest revision's frame)."""
    revisions = [r for r in revisions_of(ws.register, document_id) if r["status"] != "withdrawn"]
    current = revisions[-1]
    state = derive(revisions, as_of)[current["id"]]
    bundle = bundle_mod.load(ws.store, current["bundle_sha256"])
    frame = build_frame(ws, current, state, as_of, bundle)
    language = bundle.config(ws.config).language
    L = labels(language)
    log = {"current": f"{current['version']} ({L['status_' + state]})", "generated": as_of.isoformat(),
           "revisions": log_rows(ws, document_id, as_of, language)}
    context = {"frame": frame.context(), "L": L, "log": log}
    core = frame.core_properties() | {"title": f"{L['revision_log']}: {frame.title}", "subject": "revlog",
                                      "contentStatus": CONTENT_STATUS[state]}
    template = load_frozen_template(ws.store.get(bundle.revlog_template_sha256, _("revision log template")),
                                    "revlog.docx")
    filled = template.fill(context, core, None, witness_properties(frame, head, "revlog"))
    rows: list[dict[str, str]] = log["revisions"]  # type: ignore[assignment]
    expected = [frame.doc_no, frame.title] + [v for row in rows for v in row.values() if v]
    check_readback(filled.package, expected, _("{doc_no} revision log").format(doc_no=frame.doc_no), filled.text,
                   template=(bundle.revlog_template_sha256, template.sources), context=context)
    return filled.package


def stored_log(ws: Workspace, doc_no: str) -> tuple[dict[str, Any], bytes | None]:
    """Return the document's log rows as of today and the stored log file that shows them."""
    from qmsdocs.lifecycle import document_row
    from qmsdocs.views import expected

    doc = document_row(ws.register, doc_no)
    revisions = revisions_of(ws.register, doc["id"])
    language = ws.config.language
    if revisions:
        language = bundle_mod.load(ws.store, revisions[-1]["bundle_sha256"]).config(ws.config).language
    rows = log_rows(ws, doc["id"], clock.today(), language)
    view = next((v for v in expected(ws, doc["id"]) if v.path == ws.revlog_view(doc["doc_no"])), None)
    data = ws.store.get(view.sha256, _("{doc_no} revision log").format(doc_no=doc["doc_no"])) \
        if view and view.sha256 else None
    return {"doc_no": doc["doc_no"], "revisions": rows,
            "path": str(ws.path(ws.revlog_view(doc["doc_no"])).resolve())}, data


def write_log(ws: Workspace, doc_no: str, out: str | Path | None = None, force: bool = False) -> dict[str, Any]:
    """Return the revision log; with ``out``, copy the stored log file there."""
    from qmsdocs.outputs import write_output
    from qmsdocs.store import sha256_bytes

    result, data = stored_log(ws, doc_no)
    if data is not None:
        result["sha256"] = sha256_bytes(data)
    if out is not None and data is not None:
        result["path"] = str(write_output(Path(out), data, workspace_root=ws.root, force=force, option="-o").resolve())
    return result

"""The revision log (修订记录) of one document: every revision, who changed and approved it, when."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qmsdocs import clock
from qmsdocs.files import sha256_bytes, write_atomic
from qmsdocs.frame import CONTENT_STATUS
from qmsdocs.labels import labels
from qmsdocs.register import valid_signatures
from qmsdocs.lifecycle import current_revision, document_row, revisions_of
from qmsdocs.render import load_template
from qmsdocs.rendering import build_frame, check_readback
from qmsdocs.workspace import Workspace


def log_rows(ws: Workspace, doc_id: int) -> list[dict[str, str]]:
    """Return one display row per revision, oldest first."""
    L = labels(ws.config.language)
    rows = []
    for rev in revisions_of(ws.conn, doc_id):
        sigs = valid_signatures(ws.conn, rev)
        compiler = next((s["name"] for s in sigs if s["role"] == "compile"), "")
        approver = next((f"{s['name']} {s['date']}" for s in sigs if s["role"] == "approve"), "")
        rows.append({
            "version": rev["version"], "status": L[f"status_{rev['status']}"], "change_no": rev["change_no"] or "",
            "changed_by": rev["changed_by"] or compiler, "pages": rev["pages"] or L["all_pages"],
            "summary": rev["summary"], "effective_date": rev["effective_date"] or "", "approved_by": approver,
        })
    return rows


def render_log(ws: Workspace, doc_no: str) -> tuple[bytes, dict[str, Any]]:
    """Return the revision log .docx of ``doc_no`` and the rows it shows."""
    doc = document_row(ws.conn, doc_no)
    revisions = revisions_of(ws.conn, doc["id"])
    current = current_revision(revisions)
    frame = build_frame(ws, current["id"])
    L = labels(ws.config.language)
    log = {"current": f"{current['version']} ({L['status_' + current['status']]})",
           "generated": clock.today().isoformat(), "revisions": log_rows(ws, doc["id"])}
    context = {"frame": frame.context(), "L": L, "log": log}
    core = frame.core_properties() | {"title": f"{L['revision_log']}: {frame.title}", "subject": "revlog",
                                      "contentStatus": CONTENT_STATUS[current["status"]]}
    filled = load_template(ws.template_for("revlog")).fill(context, core)
    expected = [frame.doc_no, frame.title] + [v for row in log["revisions"] for v in row.values() if v]
    check_readback(filled.package, expected, f"{doc_no} revision log", filled.text)
    return filled.package, log


def write_log(ws: Workspace, doc_no: str, out: str | Path | None = None) -> dict[str, Any]:
    """Write the revision log (default: beside the document's revisions) and return what was written."""
    package, log = render_log(ws, doc_no)
    path = Path(out) if out else ws.path(f"documents/{doc_no}/{doc_no}_revision-log.docx")
    write_atomic(path, package)
    return {"doc_no": doc_no, "path": str(path.resolve()), "sha256": sha256_bytes(package),
            "revisions": log["revisions"]}

"""What the register says, for people to read: the master list, one document, pending work, the trail.

Reading only: every status is derived from the register and today's date.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from qmsdocs import audit, clock, people
from qmsdocs.db import Row
from qmsdocs.i18n import _
from qmsdocs.lifecycle import document_row, recorded_control
from qmsdocs.names import ROLES
from qmsdocs.rendering import revisions_of, valid_signatures
from qmsdocs.status import derive, in_force, open_draft
from qmsdocs.workspace import Workspace


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def next_review(ws: Workspace, doc: Row, rev: Row | None) -> str | None:
    """Return the date the document's periodic review is due (None: no review, or nothing effective)."""
    months = int(recorded_control(ws.register).get("review.interval_months", 24) or 0)
    if rev is None or not months or doc["obsolete_on"]:
        return None
    last = ws.register.scalar("SELECT MAX(reviewed_on) FROM reviews WHERE document_id = ?", (doc["id"],))
    since = max(filter(None, [rev["effective_date"], last]))
    return _add_months(dt.date.fromisoformat(since), months).isoformat()


def list_documents(ws: Workspace, doc_type: str | None = None, status: str | None = None) -> dict[str, Any]:
    """Return the master list (受控文件清单): per document, the revision in force and any open draft.

    ``status`` filters on the status shown; ``draft`` lists every document with an open draft,
    including new drafts of effective documents.
    """
    today = clock.today()
    out = []
    for doc in ws.register.query("SELECT * FROM documents ORDER BY doc_no"):
        if doc_type and doc["kind"] != doc_type:
            continue
        revisions = revisions_of(ws.register, doc["id"])
        if not revisions:
            continue
        statuses = derive(revisions, today)
        current = in_force(revisions, today)
        draft = open_draft(revisions)
        live = [r for r in revisions if statuses[r["id"]] != "withdrawn"]
        shown = current or (live[-1] if live else revisions[-1])
        shown_status = statuses[shown["id"]]
        if status and not (shown_status == status or (status == "draft" and draft is not None)):
            continue
        approver = next((s["name"] for s in valid_signatures(ws.register, shown) if s["role"] == "approve"), None)
        owner = next((s["name"] for s in valid_signatures(ws.register, shown) if s["role"] == "compile"), None)
        out.append({"doc_no": doc["doc_no"], "type": doc["kind"], "title": shown["title"], "version": shown["version"],
                    "status": shown_status, "effective_date": shown["effective_date"],
                    "change_no": shown["change_no"], "approver": approver, "owner": owner,
                    "next_review": next_review(ws, doc, current),
                    "open_draft": draft["version"] if draft is not None and draft is not shown else None})
    return {"documents": out}


def show(ws: Workspace, doc_no: str) -> dict[str, Any]:
    """Return a document with every revision, its signatures (void ones with the reason), files and hashes."""
    doc = document_row(ws.register, doc_no)
    revisions = revisions_of(ws.register, doc["id"])
    statuses = derive(revisions, clock.today())
    from qmsdocs.lifecycle import _view_sha

    from qmsdocs import bundle as bundle_mod
    from qmsdocs.kinds import of_bundle

    out = []
    for rev in revisions:
        # The file as given (a .doc converted, a body with changes accepted) is kept as evidence
        # beside the input that was frozen; the bundle names it.
        frozen = bundle_mod.load(ws.store, rev["bundle_sha256"])
        sigs = []
        for s in ws.register.query("SELECT * FROM signatures WHERE revision_id = ? ORDER BY id", (rev["id"],)):
            valid = s["void_reason"] is None and s["bundle_sha256"] == rev["bundle_sha256"]
            reason = s["void_reason"] or (None if valid else _("content changed after it was given"))
            sigs.append({"role": s["role"], "name": s["name"], "account": s["account"], "date": s["date"],
                         "mode": s["mode"], "valid": valid, "void_reason": reason,
                         "recorded": {"electronic": None,
                                      "recorded": _("recorded from paper by {account}").format(
                                          account=s["recorded_by"]),
                                      "legacy": _("recorded before the roster")}.get(s["mode"])})
        out.append({
            "version": rev["version"], "status": statuses[rev["id"]], "title": rev["title"],
            "change_no": rev["change_no"], "changed_by": rev["changed_by"], "summary": rev["summary"],
            "pages": rev["pages"], "created_on": rev["created_on"], "approved_on": rev["approved_on"],
            "release_date": rev["release_date"], "effective_date": rev["effective_date"],
            "withdrawn_on": rev["withdrawn_on"], "input": rev["input_name"], "input_sha256": rev["input_sha256"],
            "source": frozen.source_name or None, "source_sha256": frozen.source_sha256 or None,
            "input_is": "body" if of_bundle(frozen).input_option == "--body" else "workbook",
            "content_sha256": rev["bundle_sha256"],
            "path": str(ws.path(ws.document_view(doc["doc_no"], rev["version"])).resolve()),
            "sha256": _view_sha(ws, rev, statuses[rev["id"]]), "signatures": sigs,
        })
    status = "withdrawn" if revisions and all(r["status"] == "withdrawn" for r in revisions) else None
    return {"doc_no": doc["doc_no"], "type": doc["kind"], "created_on": doc["created_on"], "status": status,
            "obsolete_on": doc["obsolete_on"], "obsolete_by": doc["obsolete_by"],
            "obsolete_reason": doc["obsolete_reason"], "revisions": out}


def pending(ws: Workspace, name: str | None = None) -> dict[str, Any]:
    """Return what waits for whom: signatures, effective dates, recalls and periodic reviews.

    With ``name``, only signatures that person may give (and reviews, recalls and dates stay out).
    """
    today = clock.today()
    control = recorded_control(ws.register)
    required = control.get("release.required", ["compile", "review", "approve"])
    person = people.find(ws, name) if name else None
    items = []
    for doc in ws.register.query("SELECT * FROM documents ORDER BY doc_no"):
        revisions = revisions_of(ws.register, doc["id"])
        statuses = derive(revisions, today)
        draft = open_draft(revisions)
        if draft is not None:
            have = {s["role"] for s in valid_signatures(ws.register, draft)}
            own = control.get("release.required_by_kind", {}).get(doc["kind"])  # a kind's own roles
            missing = [r for r in ROLES if r in (own or required) and r not in have]
            if person is not None:
                missing = [r for r in missing if r in json.loads(person["roles"])]
            if missing:
                items.append({"doc_no": doc["doc_no"], "version": draft["version"], "reason": "signature",
                              "waiting_for": missing, "who": {r: people.who_may(ws, r) for r in missing},
                              "due": None, "since": draft["created_on"]})
        if person is not None:
            continue
        for rev in revisions:
            if statuses[rev["id"]] == "approved":
                items.append({"doc_no": doc["doc_no"], "version": rev["version"], "reason": "effective",
                              "waiting_for": [], "who": {}, "due": rev["effective_date"], "since": rev["release_date"]})
        current = in_force(revisions, today)
        for copy in ws.register.query("SELECT c.*, r.version FROM copies c JOIN revisions r ON r.id = c.revision_id "
                                      "WHERE r.document_id = ? AND c.recalled_on IS NULL ORDER BY c.copy_no",
                                      (doc["id"],)):
            rev_status = next(statuses[r["id"]] for r in revisions if r["version"] == copy["version"])
            if rev_status in ("superseded", "obsolete"):
                items.append({"doc_no": doc["doc_no"], "version": copy["version"], "reason": "recall",
                              "waiting_for": [copy["copy_no"]], "who": {copy["copy_no"]: [copy["holder"]]},
                              "due": None, "since": copy["issued_on"]})
        due = next_review(ws, doc, current)
        if current is not None and due is not None and due <= today.isoformat():
            items.append({"doc_no": doc["doc_no"], "version": current["version"], "reason": "review",
                          "waiting_for": [], "who": {}, "due": due, "since": current["effective_date"]})
    return {"pending": items}


def log_entries(ws: Workspace, doc_no: str | None = None) -> list[dict[str, Any]]:
    """Return the trail entries (of one document), oldest first, JSON fields parsed."""
    if doc_no:
        doc_no = document_row(ws.register, doc_no)["doc_no"]
    return audit.entries(ws.register, doc_no)

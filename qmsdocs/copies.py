"""Numbered controlled copies (副本编号) of the revision in force, and their recall."""
from __future__ import annotations

from typing import Any

from qmsdocs import audit, clock
from qmsdocs.command import run
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.i18n import _
from qmsdocs.lifecycle import document_row, required_text
from qmsdocs.rendering import render_revision, revisions_of
from qmsdocs.status import derive, in_force
from qmsdocs.workspace import Workspace

MAX_COPIES = 200


def issue(ws: Workspace, doc_no: str, holder: str, count: int = 1) -> dict[str, Any]:
    """Render ``count`` numbered copies of the revision in force for ``holder``, from its frozen bundle."""
    holder = required_text("--holder", holder)
    if not 1 <= count <= MAX_COPIES:
        raise UsageError(_("--count {count} must be between 1 and {most}").format(count=count, most=MAX_COPIES))
    today = clock.today()
    issued = []
    with run(ws) as cmd:
        doc = document_row(ws.register, doc_no)
        rev = in_force(revisions_of(ws.register, doc["id"]), today)
        if rev is None or doc["obsolete_on"]:
            raise RuleError(_("{doc_no} has no effective revision to copy").format(doc_no=doc["doc_no"]))
        last = ws.register.scalar("SELECT MAX(c.seq) FROM copies c JOIN revisions r ON r.id = c.revision_id "
                                  "WHERE r.document_id = ?", (doc["id"],)) or 0
        for seq in range(last + 1, last + count + 1):
            copy_no = f"{doc['doc_no']}-C{seq:02d}"
            content = render_revision(ws, rev, "effective", cmd.start, today, copy_no)
            sha = cmd.put(content)
            cmd.insert("copies", {"copy_no": copy_no, "revision_id": rev["id"], "seq": seq, "holder": holder,
                                  "issued_on": today.isoformat(), "issued_by": audit.os_user(), "sha256": sha})
            cmd.insert("renders", {"revision_id": rev["id"], "what": "copy", "state": "effective", "copy_no": copy_no,
                                   "sha256": sha, "rendered_on": today.isoformat()})
            issued.append({"copy_no": copy_no, "path": str(ws.path(ws.copy_view(doc["doc_no"], copy_no)).resolve()),
                           "sha256": sha})
        cmd.record("copy", {"holder": holder, "copies": [c["copy_no"] for c in issued]}, doc_no=doc["doc_no"],
                   version=rev["version"])
        cmd.touch(doc["id"])
    return {"doc_no": doc["doc_no"], "version": rev["version"], "holder": holder, "copies": issued,
            "warnings": cmd.warnings}


def _rows(ws: Workspace, where: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    rows = ws.register.query(
        "SELECT c.copy_no, c.holder, c.issued_on, c.recalled_on, d.doc_no, d.id AS document_id, r.id AS revision_id, "
        "r.version FROM copies c JOIN revisions r ON r.id = c.revision_id JOIN documents d ON d.id = r.document_id "
        f"WHERE {where} ORDER BY c.copy_no", args)
    statuses: dict[int, str] = {}
    for row in rows:
        if row["revision_id"] not in statuses:
            statuses |= derive(revisions_of(ws.register, row["document_id"]), clock.today())
        row["status"] = statuses[row["revision_id"]]
    return [{k: v for k, v in r.items() if k not in ("document_id", "revision_id")} for r in rows]


def outstanding(ws: Workspace) -> dict[str, Any]:
    """Return copies of superseded or obsolete revisions that have not been recalled yet."""
    return {"copies": [r for r in _rows(ws, "c.recalled_on IS NULL") if r["status"] in ("superseded", "obsolete")]}


def recall(ws: Workspace, copy_no: str) -> dict[str, Any]:
    """Record that copy ``copy_no`` came back."""
    today = clock.today().isoformat()
    with run(ws) as cmd:
        row = ws.register.one("SELECT * FROM copies WHERE copy_no = ?", ((copy_no or "").strip(),))
        if row is None:
            raise UsageError(_("unknown copy {copy_no}; see: qms copies outstanding").format(copy_no=copy_no))
        if row["recalled_on"]:
            raise RuleError(_("copy {copy_no} was already recalled on {date}").format(copy_no=copy_no,
                                                                                      date=row["recalled_on"]))
        cmd.update("copies", int(row["id"]), {"recalled_on": today, "recalled_by": audit.os_user()})
        info = _rows(ws, "c.copy_no = ?", (row["copy_no"],))[0]
        cmd.record("recall", {"copy_no": row["copy_no"], "recalled_on": [None, today]}, doc_no=info["doc_no"],
                   version=info["version"])
    return info | {"recalled_on": today, "warnings": cmd.warnings}

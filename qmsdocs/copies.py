"""Numbered controlled copies (副本编号) of effective revisions, and their recall."""
from __future__ import annotations

from typing import Any

from qmsdocs import audit, clock
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.files import sha256_bytes
from qmsdocs.lifecycle import command, document_row, effective_revision, required_text
from qmsdocs.rendering import render_revision
from qmsdocs.workspace import Workspace

MAX_COPIES = 200


def issue(ws: Workspace, doc_no: str, holder: str, count: int = 1) -> dict[str, Any]:
    """Render ``count`` numbered copies of the effective revision for ``holder`` and register them."""
    holder = required_text("--holder", holder)
    if not 1 <= count <= MAX_COPIES:
        raise UsageError(f"--count {count} must be between 1 and {MAX_COPIES}")
    today = clock.today().isoformat()
    conn = ws.conn
    issued = []
    with command(ws) as batch:
        doc = document_row(conn, doc_no)
        rev = effective_revision(conn, doc)
        if rev is None:
            raise RuleError(f"{doc_no} has no effective revision to copy")
        last = conn.execute("SELECT MAX(c.seq) FROM copies c JOIN revisions r ON r.id = c.revision_id "
                            "WHERE r.document_id = ?", (doc["id"],)).fetchone()[0] or 0
        for seq in range(last + 1, last + count + 1):
            copy_no = f"{doc_no}-C{seq:02d}"
            content = render_revision(ws, rev["id"], copy_no=copy_no)
            path = f"copies/{doc_no}/{copy_no}.docx"
            batch.stage(ws.path(path), content)
            sha = sha256_bytes(content)
            conn.execute("INSERT INTO copies (copy_no, revision_id, seq, holder, issued_on, issued_by, path, sha256) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (copy_no, rev["id"], seq, holder, today, audit.os_user(), path, sha))
            conn.execute("INSERT INTO renders (revision_id, status, copy_no, sha256, rendered_on) "
                         "VALUES (?, ?, ?, ?, ?)", (rev["id"], rev["status"], copy_no, sha, today))
            issued.append({"copy_no": copy_no, "path": str(ws.path(path).resolve()), "sha256": sha})
        audit.record(conn, "copy", None, doc_no, rev["version"],
                     {"holder": holder, "copies": [c["copy_no"] for c in issued]})
    return {"doc_no": doc_no, "version": rev["version"], "holder": holder, "copies": issued}


def _rows(ws: Workspace, where: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    sql = ("SELECT c.copy_no, c.holder, c.issued_on, c.recalled_on, d.doc_no, r.version, r.status "
           "FROM copies c JOIN revisions r ON r.id = c.revision_id JOIN documents d ON d.id = r.document_id "
           f"WHERE {where} ORDER BY c.copy_no")
    return [dict(row) for row in ws.conn.execute(sql, args)]


def outstanding(ws: Workspace) -> dict[str, Any]:
    """Return copies of superseded or obsolete revisions that have not been recalled yet."""
    return {"copies": _rows(ws, "c.recalled_on IS NULL AND r.status IN ('superseded', 'obsolete')")}


def recall(ws: Workspace, copy_no: str) -> dict[str, Any]:
    """Record that copy ``copy_no`` came back."""
    today = clock.today().isoformat()
    with command(ws):
        rows = _rows(ws, "c.copy_no = ?", (copy_no,))
        if not rows:
            raise UsageError(f"unknown copy {copy_no}; see: qms copies outstanding")
        if rows[0]["recalled_on"]:
            raise RuleError(f"copy {copy_no} was already recalled on {rows[0]['recalled_on']}")
        ws.conn.execute("UPDATE copies SET recalled_on = ?, recalled_by = ? WHERE copy_no = ?",
                        (today, audit.os_user(), copy_no))
        audit.record(ws.conn, "recall", None, rows[0]["doc_no"], rows[0]["version"],
                     {"copy_no": copy_no, "recalled_on": [None, today]})
    return rows[0] | {"recalled_on": today}

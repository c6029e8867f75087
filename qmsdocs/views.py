"""The views: ``documents/`` and ``copies/``, the human-facing files, materialized from the store.

A view file shows the stored render that matches today's status of its revision. Writing
commands and ``qms repair`` write views; reading commands never do. A missing view is written
again; one that holds an earlier render of ours is brought up to date; one whose bytes are not
any render of ours is never silently overwritten (it may be evidence of tampering): writing
commands warn, ``verify`` and ``export`` report it, and ``qms repair --by NAME`` moves it aside as
``….altered-YYYYMMDD.docx`` and restores the stored bytes.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from qmsdocs import clock
from qmsdocs.db import Row
from qmsdocs.errors import QmsError
from qmsdocs.i18n import _
from qmsdocs.rendering import REVISIONS_SQL
from qmsdocs.status import derive
from qmsdocs.store import read_own_file, safe_dir, sha256_bytes
from qmsdocs.workspace import Workspace


@dataclass(frozen=True)
class View:
    """One view file: where it goes and the object it shows (None: it should not exist)."""

    path: str
    sha256: str | None
    known: frozenset[str]


def expected(ws: Workspace, document_id: int) -> list[View]:
    """Return the view files of one document as of today."""
    # One batch: a server register answers the four reads in one round trip.
    docs, revisions, renders, copies = ws.register.batch([
        ("SELECT * FROM documents WHERE id = ?", (document_id,)),
        (REVISIONS_SQL, (document_id,)),
        ("SELECT r.* FROM renders r JOIN revisions v ON v.id = r.revision_id WHERE v.document_id = ? ORDER BY r.id",
         (document_id,)),
        ("SELECT c.* FROM copies c JOIN revisions v ON v.id = c.revision_id WHERE v.document_id = ? ORDER BY c.id",
         (document_id,))])
    if not docs:
        return []
    doc = docs[0]
    statuses = derive(revisions, clock.today())
    known = frozenset(r["sha256"] for r in renders)
    out = []
    for rev in revisions:
        path = ws.document_view(doc["doc_no"], rev["version"])
        if rev["status"] == "withdrawn":
            out.append(View(path, None, known))
            continue
        mine = [r for r in renders if r["revision_id"] == rev["id"] and r["what"] == "revision"]
        match = [r for r in mine if r["state"] == statuses[rev["id"]]] or mine
        if match:
            out.append(View(path, match[-1]["sha256"], known))
    logs = [r for r in renders if r["what"] == "revlog"]
    current = [r for r in logs if statuses.get(r["revision_id"]) == r["state"]] or logs
    if current:
        out.append(View(ws.revlog_view(doc["doc_no"]), current[-1]["sha256"], known))
    for copy in copies:
        out.append(View(ws.copy_view(doc["doc_no"], copy["copy_no"]), copy["sha256"], known | {copy["sha256"]}))
    return out


def state_of(ws: Workspace, view: View) -> str:
    """Return "ok", "missing", "stale" (an earlier render of ours), "altered" or "not-a-file"."""
    path = ws.path(view.path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "ok" if view.sha256 is None else "missing"
    if not stat.S_ISREG(info.st_mode):
        return "not-a-file"
    sha = sha256_bytes(read_own_file(path) or b"")
    if sha == view.sha256:
        return "ok"
    return "stale" if sha in view.known else "altered"


#: The documents with an approved revision whose date has come.
DUE_SQL = "SELECT DISTINCT document_id FROM revisions WHERE status = 'approved' AND effective_date <= ?"


def due_documents(ws: Workspace) -> list[int]:
    """Return the documents with an approved revision whose date has come (their views change)."""
    return [int(r["document_id"]) for r in ws.register.query(DUE_SQL, (clock.today().isoformat(),))]


#: On a shared register: the trail entry up to which this folder's views were brought up to date.
SYNCED_NAME = ".qms-views"


def _shared(ws: Workspace) -> bool:
    return ws.register.engine != "sqlite"


def changed_elsewhere(ws: Workspace) -> tuple[list[int], int]:
    """Return the documents changed (at any desk) since this folder's views were last brought up to
    date, and the trail entry that covers; nothing on an embedded register (one folder, one desk)."""
    if not _shared(ws):
        return [], 0
    return _changed_since(ws, _synced(ws))


def _synced(ws: Workspace) -> int:
    try:
        return int((read_own_file(ws.root / SYNCED_NAME, 64) or b"0").decode("ascii").strip() or 0)
    except (ValueError, QmsError):
        return 0  # a damaged marker: bring every document up to date


#: The newest trail entry and the documents of the entries after a given one, in one statement.
CHANGED_SQL = ("SELECT m.last AS last, d.id AS id FROM (SELECT MAX(seq) AS last FROM audit) m "
               "LEFT JOIN audit a ON a.seq > ? AND a.seq <= m.last LEFT JOIN documents d ON d.doc_no = a.doc_no "
               "GROUP BY m.last, d.id ORDER BY d.id")


def _changed_since(ws: Workspace, seen: int, rows: list[Row] | None = None) -> tuple[list[int], int]:
    if rows is None:
        rows = ws.register.query(CHANGED_SQL, (seen,))
    last = int(rows[0]["last"] or 0) if rows else 0
    if seen > last:  # the folder followed another register before: bring every document up to date
        return _changed_since(ws, 0)
    return [int(r["id"]) for r in rows if r["id"] is not None], last


def materialize(ws: Workspace, document_ids: list[int], repair_stamp: str | None = None) -> list[str]:
    """Bring the views of the documents up to date; return a warning (or, repairing, an action) per file.

    On a shared register the documents other desks changed since this folder's last update are
    brought up to date too, so each desk's folder follows the register.
    """
    notes = []
    today = clock.today().isoformat()
    if _shared(ws):
        # Both reads in one batch: one round trip to the server.
        seen = _synced(ws)
        changed, due_rows = ws.register.batch([(CHANGED_SQL, (seen,)), (DUE_SQL, (today,))])
        elsewhere, last = _changed_since(ws, seen, changed)
    else:
        (elsewhere, last), due_rows = ([], 0), ws.register.query(DUE_SQL, (today,))
    due = [int(r["document_id"]) for r in due_rows]
    for document_id in dict.fromkeys(list(document_ids) + due + elsewhere):
        for view in expected(ws, document_id):
            try:
                note = _materialize_one(ws, view, repair_stamp)
            except (OSError, QmsError) as exc:
                note = _("{path}: could not be written ({cause}); run: qms repair").format(
                    path=view.path, cause=getattr(exc, "strerror", None) or exc)
            if note:
                notes.append(note)
    if _shared(ws) and last:
        from qmsdocs.store import write_new_file

        # Not waited for on disk: a lost marker only makes the next command look at more documents.
        write_new_file(ws.root, SYNCED_NAME, f"{last}\n".encode("ascii"), durable=False)
    return notes


def _materialize_one(ws: Workspace, view: View, repair_stamp: str | None) -> str | None:
    state = state_of(ws, view)
    path = ws.path(view.path)
    if state == "ok":
        return None
    if state in ("altered", "not-a-file"):
        if repair_stamp is None:
            return _("{path}: differs from the register (altered or replaced); it was left as it is: see qms "
                     "verify, and restore it with qms repair --by NAME").format(path=view.path)
        aside = path.with_name(f"{path.stem}.altered-{repair_stamp}{path.suffix}")
        n = 1
        while os.path.lexists(aside):
            n += 1
            aside = path.with_name(f"{path.stem}.altered-{repair_stamp}-{n}{path.suffix}")
        os.rename(path, aside)
        if view.sha256 is None:
            return _("{path}: moved aside as {aside} (a withdrawn draft has no view)").format(path=view.path,
                                                                                               aside=aside.name)
        folder = safe_dir(ws.root, str(Path(view.path).parent))
        ws.store.materialize(view.sha256, folder, path.name)
        return _("{path}: moved aside as {aside} and restored from the store").format(path=view.path,
                                                                                       aside=aside.name)
    folder = safe_dir(ws.root, str(Path(view.path).parent))
    if view.sha256 is None:  # an earlier render of a withdrawn draft leaves documents/
        path.unlink()
        return None
    ws.store.materialize(view.sha256, folder, path.name)
    return _("{path}: written again from the store").format(path=view.path) \
        if repair_stamp is not None and state == "missing" else None


def check(ws: Workspace, document_ids: list[int] | None = None) -> list[tuple[View, str]]:
    """Return the views that are not as the register says, with their state (reading only).

    On a shared register a folder is one desk's working copy: a view not yet written there, or
    an earlier render of ours, is only behind (its next writing command brings it up to date).
    """
    ids = document_ids if document_ids is not None else [int(r["id"]) for r in ws.register.query(
        "SELECT id FROM documents ORDER BY doc_no")]
    behind = ("ok", "missing", "stale") if _shared(ws) else ("ok",)
    return [(v, s) for d in ids for v in expected(ws, d) if (s := state_of(ws, v)) not in behind]

"""``qms verify``: is this .docx a controlled revision from this register, unaltered and current?"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from qmsdocs.errors import DataError, Problem
from qmsdocs.files import sha256_bytes
from qmsdocs.workspace import Workspace

_CORE = {"identifier": "{http://purl.org/dc/elements/1.1/}identifier",
         "version": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}version",
         "subject": "{http://purl.org/dc/elements/1.1/}subject"}


def core_properties(data: bytes, display: str) -> dict[str, str]:
    """Return the identifier, version and subject core properties of a .docx; DataError if unreadable."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            core = zf.read("docProps/core.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise DataError(Problem(display, "is not a Word .docx file with document properties")) from None
    try:
        root = ElementTree.fromstring(core)
    except Exception:
        raise DataError(Problem(display, "has unreadable document properties (docProps/core.xml)")) from None
    return {key: (root.findtext(tag) or "").strip() for key, tag in _CORE.items()}


def verify_file(ws: Workspace, file: str | Path) -> dict[str, Any]:
    """Return what the register says of ``file``: the revision it claims, whether it is unaltered and current.

    ``ok`` is true only for an unaltered file of the current effective revision (or a registered
    controlled copy of it); ``reason`` says why not otherwise.
    """
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(Problem(str(file), f"cannot be read ({exc.strerror or exc})")) from None
    props = core_properties(data, str(file))
    sha = sha256_bytes(data)
    result: dict[str, Any] = {"file": str(path), "sha256": sha, "doc_no": props["identifier"] or None,
                              "version": props["version"] or None, "status": None, "unaltered": False,
                              "current": False, "ok": False, "copy_no": None}
    doc = ws.conn.execute("SELECT * FROM documents WHERE doc_no = ?", (props["identifier"],)).fetchone()
    rev = doc and ws.conn.execute("SELECT * FROM revisions WHERE document_id = ? AND version = ?",
                                  (doc["id"], props["version"])).fetchone()
    if props["subject"] == "revlog" or rev is None:
        known = ws.conn.execute("SELECT 1 FROM renders WHERE sha256 = ?", (sha,)).fetchone()
        what = "a revision log, not a controlled revision" if props["subject"] == "revlog" else \
            f"{props['identifier'] or '(no document number)'} version {props['version'] or '?'} is unknown to " \
            "this register"
        return result | {"reason": what if not known else "unknown"}
    result["status"] = rev["status"]
    render = ws.conn.execute("SELECT * FROM renders WHERE sha256 = ? AND revision_id = ? ORDER BY id DESC",
                             (sha, rev["id"])).fetchone()
    copy = ws.conn.execute("SELECT * FROM copies WHERE sha256 = ? AND revision_id = ?", (sha, rev["id"])).fetchone()
    result["unaltered"] = sha == rev["sha256"] or copy is not None
    result["current"] = rev["status"] == "effective"
    if copy is not None:
        result["copy_no"] = copy["copy_no"]
    label = f"{doc['doc_no']} version {rev['version']}"
    if not result["unaltered"]:
        if render is not None and render["status"] == "draft" and rev["status"] != "draft":
            reason = f"{label} is the draft rendering from before its release; the released file differs"
        else:
            reason = f"{label} was altered: its sha256 {sha[:12]}… differs from the register's {rev['sha256'][:12]}…"
    elif rev["status"] == "superseded":
        later = ws.conn.execute("SELECT version, effective_date FROM revisions WHERE document_id = ? AND "
                                "status = 'effective'", (doc["id"],)).fetchone()
        reason = f"{label} is superseded" + (f" by version {later[0]}, effective since {later[1]}" if later else "")
    elif rev["status"] == "draft":
        reason = f"{label} is a draft, not released"
    elif rev["status"] == "obsolete":
        reason = f"{label} is obsolete since {doc['obsolete_on']} ({doc['obsolete_reason']})"
    elif copy is not None and copy["recalled_on"]:
        reason = f"copy {copy['copy_no']} of {label} was recalled on {copy['recalled_on']}"
    else:
        reason = f"{label} is the current effective revision, unaltered" + (
            f" (controlled copy {copy['copy_no']}, held by {copy['holder']})" if copy is not None else "")
        result["ok"] = True
    return result | {"reason": reason, "effective_date": rev["effective_date"]}

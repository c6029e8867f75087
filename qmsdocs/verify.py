"""``qms verify``: is this .docx a controlled revision from this register, unaltered and current?"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from qmsdocs import audit, clock
from qmsdocs.errors import DataError, Problem
from qmsdocs.i18n import _
from qmsdocs.ooxml import CUSTOM_PART, custom_properties
from qmsdocs.rendering import PROP_CHAIN, revisions_of
from qmsdocs.safeio import MAX_DOCUMENT_BYTES, MAX_SMALL_PART_BYTES, read_regular, read_zip_part
from qmsdocs.status import derive
from qmsdocs.store import sha256_bytes
from qmsdocs.workspace import Workspace

_CORE = {"identifier": "{http://purl.org/dc/elements/1.1/}identifier",
         "version": "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}version",
         "subject": "{http://purl.org/dc/elements/1.1/}subject"}
#: The custom properties of a per-person working copy: what it was made from, and its body's hash.
PROP_WORKING_COPY, PROP_BODY = "qmsdocs.working_copy", "qmsdocs.body_sha256"


def properties(data: bytes, display: str) -> dict[str, str]:
    """Return the identifier, version and subject core properties and the custom properties of a .docx."""
    from defusedxml import ElementTree

    core = read_zip_part(data, "docProps/core.xml", MAX_SMALL_PART_BYTES, display)
    try:
        root = ElementTree.fromstring(core)
    except Exception:
        raise DataError(Problem(display, _("has unreadable document properties (docProps/core.xml)"))) from None
    out = {key: (root.findtext(tag) or "").strip() for key, tag in _CORE.items()}
    try:
        out |= custom_properties(read_zip_part(data, CUSTOM_PART, MAX_SMALL_PART_BYTES, display))
    except DataError:
        pass  # a file without custom properties (an older render, or not ours)
    return out


def body_sha(data: bytes, display: str) -> str:
    """Return the sha256 of a package's main document part."""
    return sha256_bytes(read_zip_part(data, "word/document.xml", MAX_DOCUMENT_BYTES, display))


def verify_file(ws: Workspace, file: str | Path) -> dict[str, Any]:
    """Return what the register says of ``file``: the revision it claims, whether unaltered and current.

    ``ok`` is true only for an unaltered file of the current effective revision (or a registered
    controlled copy of it) while the register passes its integrity check; ``reason`` says why not.
    """
    path = Path(file)
    data = read_regular(path, MAX_DOCUMENT_BYTES, str(file))
    try:
        props = properties(data, str(file))
    except DataError:
        raise DataError(Problem(str(file), _("is not a Word .docx file with document properties"))) from None
    except zipfile.BadZipFile:  # pragma: no cover - read_zip_part reports it
        raise DataError(Problem(str(file), _("is not a Word .docx file"))) from None
    sha = sha256_bytes(data)
    result: dict[str, Any] = {"file": str(path), "sha256": sha, "doc_no": props["identifier"] or None,
                              "version": props["version"] or None, "status": None, "unaltered": False,
                              "current": False, "ok": False, "copy_no": None, "witness": props.get(PROP_CHAIN)}
    return result | _verdict(ws, data, sha, props, str(file), result)


def _verdict(ws: Workspace, data: bytes, sha: str, props: dict[str, str], display: str,
             result: dict[str, Any]) -> dict[str, Any]:
    register = ws.register
    if props.get(PROP_WORKING_COPY):
        source = props[PROP_WORKING_COPY]
        intact = props.get(PROP_BODY) == body_sha(data, display)
        why = _("working copy of {source}, not a controlled document").format(source=source)
        return {"reason": why if intact else why + _("; and it was altered after it was made")}
    doc = register.one("SELECT * FROM documents WHERE doc_no = ?", (props["identifier"],))
    rev = doc and register.one("SELECT * FROM revisions WHERE document_id = ? AND version = ?",
                               (doc["id"], props["version"]))
    render = register.one("SELECT * FROM renders WHERE sha256 = ? ORDER BY id DESC", (sha,))
    if props["subject"] == "revlog" or (render is not None and render["what"] == "revlog"):
        return {"reason": _("a revision log, not a controlled revision")}
    if not doc or rev is None:
        name = _("{doc_no} version {version}").format(doc_no=props["identifier"] or _("(no document number)"),
                                                      version=props["version"] or "?")
        return {"reason": _("{name} is unknown to this register").format(name=name)}
    label = _("{doc_no} version {version}").format(doc_no=doc["doc_no"], version=rev["version"])
    revisions = revisions_of(register, doc["id"])
    today = clock.today()
    statuses = derive(revisions, today)
    status = statuses[rev["id"]]
    out: dict[str, Any] = {"status": status, "effective_date": rev["effective_date"]}
    copy = register.one("SELECT * FROM copies WHERE sha256 = ? AND revision_id = ?", (sha, rev["id"]))
    if render is not None and render["revision_id"] != rev["id"]:
        render = None
    if render is None and copy is None:
        return out | {"reason": _("{label} was altered: its sha256 {sha}… is not any file this register "
                                  "issued for it").format(label=label, sha=sha[:12])}
    out["unaltered"] = True
    if copy is not None:
        out["copy_no"] = copy["copy_no"]
    shown = copy and "effective" or render["state"]  # type: ignore[index]
    problems = audit.verify(register)
    if problems:
        return out | {"reason": _("{label}: the register fails its integrity check ({problem}); "
                                  "no file can be called current until it passes (qms log --verify)").format(
                                      label=label, problem=problems[0])}
    if status == "effective":
        if shown != "effective":
            what = {"draft": _("the draft rendering from before its release"),
                    "approved": _("the approved rendering from before it took effect")}.get(
                        shown, _("a {state} rendering").format(state=shown))
            return out | {"reason": _("{label} is {what}; the released file differs").format(label=label, what=what)}
        if copy is not None and copy["recalled_on"]:
            return out | {"reason": _("copy {copy_no} of {label} was recalled on {date}").format(
                copy_no=copy["copy_no"], label=label, date=copy["recalled_on"])}
        held = _(" (controlled copy {copy_no}, held by {holder})").format(
            copy_no=copy["copy_no"], holder=copy["holder"]) if copy is not None else ""
        return out | {"current": True, "ok": True,
                      "reason": _("{label} is the current effective revision, unaltered{held}").format(
                          label=label, held=held)}
    if status == "approved":
        return out | {"reason": _("{label} is approved, effective from {date}; until then "
                                  "the revision in force stays effective").format(label=label, date=rev["effective_date"])}
    if status == "superseded":
        later = next((r for r in revisions if statuses[r["id"]] == "effective"), None)
        return out | {"reason": (_("{label} is superseded by version {version}, effective since {date}").format(
            label=label, version=later["version"], date=later["effective_date"]) if later
            else _("{label} is superseded").format(label=label))}
    if status == "draft":
        return out | {"reason": _("{label} is a draft, not released").format(label=label)}
    if status == "withdrawn":
        return out | {"reason": _("{label} is a withdrawn draft (withdrawn on {date})").format(
            label=label, date=rev["withdrawn_on"])}
    return out | {"reason": _("{label} is obsolete since {date} ({reason})").format(
        label=label, date=doc["obsolete_on"], reason=doc["obsolete_reason"])}

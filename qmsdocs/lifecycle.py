"""The life of a controlled document: new → sign → release → revise → … → obsolete.

Each public function is one command: it runs in one register transaction and writes its files
through a :class:`FileBatch`, so it either completes or leaves the workspace as it was.
"""
from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from qmsdocs import audit, clock, doctypes, numbering
from qmsdocs.config import ROLES
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.faults import crashpoint
from qmsdocs.files import FileBatch, sha256_bytes
from qmsdocs.labels import labels
from qmsdocs.register import transaction, valid_signatures
from qmsdocs.rendering import render_revision
from qmsdocs.text import check_option
from qmsdocs.workspace import Workspace


@contextmanager
def command(ws: Workspace) -> Iterator[FileBatch]:
    """One command: a write transaction plus the files it stages, committed or undone together."""
    batch = FileBatch(ws.root)
    try:
        with transaction(ws.conn):
            yield batch
            crashpoint("staged")
            batch.prepare(ws.conn)
            crashpoint("prepared")
    except BaseException:
        batch.undo()
        raise
    crashpoint("committed")
    batch.place()


def required_text(name: str, value: str | None) -> str:
    check_option(name, value)
    if value is None or not value.strip():
        raise UsageError(f"option {name} must not be empty")
    return value


def content_hash(doc_type: str, title: str, input_sha256: str) -> str:
    """Return the hash of what a revision says: type, title and input workbook (signatures bind to it)."""
    return hashlib.sha256(f"{doc_type}\0{title}\0{input_sha256}".encode("utf-8")).hexdigest()


# -- look-ups --------------------------------------------------------------------------------
def document_row(conn: sqlite3.Connection, doc_no: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM documents WHERE doc_no = ?", (doc_no,)).fetchone()
    if row is None:
        raise UsageError(f"unknown document {doc_no}; see: qms list")
    return row


def revisions_of(conn: sqlite3.Connection, document_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM revisions WHERE document_id = ? ORDER BY major, minor",
                        (document_id,)).fetchall()


def _draft(conn: sqlite3.Connection, doc: sqlite3.Row) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM revisions WHERE document_id = ? AND status = 'draft'", (doc["id"],)).fetchone()


def effective_revision(conn: sqlite3.Connection, doc: sqlite3.Row) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM revisions WHERE document_id = ? AND status = 'effective'",
                        (doc["id"],)).fetchone()


def _signatures(conn: sqlite3.Connection, revision_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM signatures WHERE revision_id = ? ORDER BY id", (revision_id,)).fetchall()


def revision_dict(ws: Workspace, doc: sqlite3.Row, rev: sqlite3.Row) -> dict[str, Any]:
    """Return the JSON shape of a revision that a command created or changed."""
    return {
        "doc_no": doc["doc_no"],
        "type": doc["type"],
        "title": rev["title"],
        "version": rev["version"],
        "status": rev["status"],
        "change_no": rev["change_no"],
        "effective_date": rev["effective_date"],
        "path": str(ws.path(rev["path"]).resolve()),
        "sha256": rev["sha256"],
    }


def _finish_render(ws: Workspace, batch: FileBatch, rev_id: int, data: Any = None) -> sqlite3.Row:
    """Render revision ``rev_id`` as the register now has it, stage the file, store its hash."""
    content = render_revision(ws, rev_id, data)
    rev = ws.conn.execute("SELECT * FROM revisions WHERE id = ?", (rev_id,)).fetchone()
    batch.stage(ws.path(rev["path"]), content)
    sha = sha256_bytes(content)
    ws.conn.execute("UPDATE revisions SET sha256 = ? WHERE id = ?", (sha, rev_id))
    ws.conn.execute("INSERT INTO renders (revision_id, status, sha256, rendered_on) VALUES (?, ?, ?, ?)",
                    (rev_id, rev["status"], sha, clock.today().isoformat()))
    return ws.conn.execute("SELECT * FROM revisions WHERE id = ?", (rev_id,)).fetchone()


def _read_input(doc_type: str, data: str | Path) -> tuple[Any, bytes, list[str]]:
    path = Path(data)
    parsed, warnings = doctypes.get(doc_type).read(path, str(data))
    return parsed, path.read_bytes(), warnings


def _stage_input(ws: Workspace, batch: FileBatch, blob: bytes) -> str:
    sha = sha256_bytes(blob)
    if not ws.path(ws.input_file(sha)).exists():
        batch.stage(ws.path(ws.input_file(sha)), blob)
    return sha


# -- commands --------------------------------------------------------------------------------
def new(ws: Workspace, doc_type: str, data: str | Path, title: str | None = None,
        options: dict[str, Any] | None = None, progress: Callable[..., None] | None = None) -> dict[str, Any]:
    """Create a document of ``doc_type`` from a workbook: next number, revision 1.0 (A/0) as draft.

    ``options`` are the type's own outputs (scores: ``xlsx``, ``split``, ``jobs``); they are
    written in the same all-or-nothing command as the document. ``progress``, if given, follows
    the long part of those outputs: ``progress(0, total)`` once, then ``progress(1)`` per unit.
    """
    kind = doctypes.get(doc_type)
    given = {k: v for k, v in (options or {}).items() if v is not None}
    # What the outputs need is started first (scores: --split worker processes), to get ready
    # while the workbook is read and the document rendered; it is stopped whatever happens.
    with kind.prepare(ws, given) if kind.prepare and given else nullcontext({}) as prepared:
        return _new(ws, doc_type, data, title, options, progress, prepared)


def _new(ws: Workspace, doc_type: str, data: str | Path, title: str | None, options: dict[str, Any] | None,
         progress: Callable[..., None] | None, prepared: dict[str, Any]) -> dict[str, Any]:
    check_option("--title", title)
    options = {k: v for k, v in (options or {}).items() if v is not None}
    if title is not None and not title.strip():
        raise UsageError("option --title must not be empty")
    kind = doctypes.get(doc_type)
    for name in options:
        if name not in kind.options:
            raise UsageError(f"option --{name} is not for {doc_type} documents")
    parsed, blob, warnings = _read_input(doc_type, data)
    language = ws.config.language
    title = title or kind.title_of(parsed) or kind.default_title[0 if language == "zh" else 1]
    today = clock.today()
    conn = ws.conn
    with command(ws) as batch:
        doc_no, code, seq = numbering.next_number(conn, ws.config, doc_type, today.year)
        doc_id = conn.execute(
            "INSERT INTO documents (doc_no, type, code, year, seq, created_on) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_no, doc_type, code, today.year, seq, today.isoformat())).lastrowid
        version = numbering.version_label(ws.config.scheme, 1, 0)
        input_sha = _stage_input(ws, batch, blob)
        rev_id = conn.execute(
            "INSERT INTO revisions (document_id, major, minor, version, title, status, summary, created_on, "
            "input_name, input_sha256, content_sha256, path, sha256) VALUES (?, 1, 0, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, '')",
            (doc_id, version, title, labels(language)["initial_issue"], today.isoformat(), Path(data).name,
             input_sha, content_hash(doc_type, title, input_sha), ws.document_file(doc_no, version))).lastrowid
        rev = _finish_render(ws, batch, rev_id, parsed)
        extra = (kind.extra_outputs(ws, rev_id, parsed,
                                    options | prepared | ({"progress": progress} if progress else {}), batch)
                 if kind.extra_outputs and options else {})
        audit.record(conn, "new", None, doc_no, version,
                     {"status": [None, "draft"], "title": [None, title], "input_sha256": [None, input_sha],
                      "sha256": rev["sha256"]})
        doc = document_row(conn, doc_no)
    return revision_dict(ws, doc, rev) | extra | {"warnings": warnings}


def revise(ws: Workspace, doc_no: str, change_no: str, by: str, summary: str, data: str | Path | None = None,
           pages: str | None = None, major: bool = False) -> dict[str, Any]:
    """Open a new draft revision of an effective document under a change-order number."""
    change_no, by, summary = (required_text(n, v) for n, v in (("--change-no", change_no), ("--by", by),
                                                            ("--summary", summary)))
    check_option("--pages", pages)
    conn = ws.conn
    doc = document_row(conn, doc_no)
    parsed = blob = None
    warnings: list[str] = []
    if data is not None:
        parsed, blob, warnings = _read_input(doc["type"], data)
    today = clock.today()
    with command(ws) as batch:
        doc = document_row(conn, doc_no)
        if doc["obsolete_on"]:
            raise RuleError(f"{doc_no} is obsolete; it cannot be revised")
        draft = _draft(conn, doc)
        if draft is not None:
            raise RuleError(f"{doc_no} already has an open draft revision {draft['version']}; "
                            "release it before revising again")
        base = effective_revision(conn, doc)
        if base is None:
            raise RuleError(f"{doc_no} has no effective revision to revise; release its draft first")
        used = conn.execute("SELECT d.doc_no, r.version FROM revisions r JOIN documents d ON d.id = r.document_id "
                            "WHERE r.change_no = ?", (change_no,)).fetchone()
        if used is not None:
            raise RuleError(f"change-order number {change_no} is already used by {used[0]} version {used[1]}")
        major_no, minor_no = numbering.next_version(base["major"], base["minor"], major)
        version = numbering.version_label(ws.config.scheme, major_no, minor_no)
        input_sha = _stage_input(ws, batch, blob) if blob is not None else base["input_sha256"]
        input_name = Path(data).name if data is not None else base["input_name"]
        rev_id = conn.execute(
            "INSERT INTO revisions (document_id, major, minor, version, title, status, change_no, changed_by, "
            "summary, pages, created_on, input_name, input_sha256, content_sha256, path, sha256) "
            "VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
            (doc["id"], major_no, minor_no, version, base["title"], change_no, by, summary, pages,
             today.isoformat(), input_name, input_sha, content_hash(doc["type"], base["title"], input_sha),
             ws.document_file(doc_no, version))).lastrowid
        rev = _finish_render(ws, batch, rev_id, parsed)
        audit.record(conn, "revise", by, doc_no, version,
                     {"status": [None, "draft"], "change_no": [None, change_no], "from_version": base["version"],
                      "input_sha256": [base["input_sha256"], input_sha], "sha256": rev["sha256"]}, summary)
    return revision_dict(ws, doc, rev) | {"warnings": warnings}


def sign(ws: Workspace, doc_no: str, role: str, name: str, date: str | None = None) -> dict[str, Any]:
    """Sign the document's open draft revision in ``role``, enforcing the signing order."""
    name = required_text("--name", name).strip()
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    day = clock.parse_date(date, "--date") if date else clock.today()
    conn = ws.conn
    with command(ws):
        doc = document_row(conn, doc_no)
        draft = _draft(conn, doc)
        if draft is None:
            raise RuleError(f"{doc_no} has no open draft revision to sign")
        signed = valid_signatures(conn, draft)
        rank = ROLES.index(role)
        later = [s["role"] for s in signed if ROLES.index(s["role"]) > rank]
        if later:
            raise RuleError(f"cannot sign {role} on {doc_no} {draft['version']}: {later[0]} has already signed "
                            f"(order: {' → '.join(ROLES)})")
        if role != "countersign" and any(s["role"] == role for s in signed):
            raise RuleError(f"{role} has already signed {doc_no} {draft['version']}")
        if role == "countersign" and any(s["role"] == role and s["name"] == name for s in signed):
            raise RuleError(f"{name} has already countersigned {doc_no} {draft['version']}")
        if role == "approve":
            missing = [r for r in ws.config.required_roles if r != "approve" and r not in {s["role"] for s in signed}]
            if missing:
                raise RuleError(f"cannot approve {doc_no} {draft['version']} before {', '.join(missing)} "
                                f"{'has' if len(missing) == 1 else 'have'} signed")
            compiler = next((s["name"] for s in signed if s["role"] == "compile"), None)
            if compiler == name:
                raise RuleError(f"{name} compiled {doc_no} {draft['version']} and cannot also approve it")
        if role == "compile" and any(s["role"] == "approve" and s["name"] == name for s in signed):
            raise RuleError(f"{name} approved {doc_no} {draft['version']} and cannot also compile it")
        conn.execute("INSERT INTO signatures (revision_id, role, name, date, content_sha256, signed_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (draft["id"], role, name, day.isoformat(), draft["content_sha256"], clock.now_iso()))
        audit.record(conn, "sign", name, doc_no, draft["version"],
                     {"role": role, "date": day.isoformat(), "content_sha256": draft["content_sha256"]})
    return revision_dict(ws, doc, draft) | {"role": role, "name": name, "date": day.isoformat()}


def release(ws: Workspace, doc_no: str, effective: str | None = None) -> dict[str, Any]:
    """Make the open draft effective, supersede the previous revision, re-render with signatures."""
    today = clock.today()
    effective_day = clock.parse_date(effective, "--effective") if effective else today
    conn = ws.conn
    with command(ws) as batch:
        doc = document_row(conn, doc_no)
        draft = _draft(conn, doc)
        if draft is None:
            raise RuleError(f"{doc_no} has no open draft revision to release")
        roles = {s["role"] for s in valid_signatures(conn, draft)}
        missing = [r for r in ws.config.required_roles if r not in roles]
        if missing:
            raise RuleError(f"cannot release {doc_no} {draft['version']}: missing signatures: {', '.join(missing)}")
        previous = effective_revision(conn, doc)
        if previous is not None:
            conn.execute("UPDATE revisions SET status = 'superseded' WHERE id = ?", (previous["id"],))
        conn.execute("UPDATE revisions SET status = 'effective', release_date = ?, effective_date = ? WHERE id = ?",
                     (today.isoformat(), effective_day.isoformat(), draft["id"]))
        rev = _finish_render(ws, batch, draft["id"])
        audit.record(conn, "release", None, doc_no, draft["version"],
                     {"status": ["draft", "effective"], "effective_date": [None, effective_day.isoformat()],
                      "superseded": previous["version"] if previous is not None else None,
                      "sha256": [draft["sha256"], rev["sha256"]]})
    return revision_dict(ws, doc, rev)


def obsolete(ws: Workspace, doc_no: str, by: str, reason: str) -> dict[str, Any]:
    """Withdraw a document as a whole: every draft or effective revision becomes obsolete."""
    by, reason = required_text("--by", by), required_text("--reason", reason)
    today = clock.today()
    conn = ws.conn
    with command(ws):
        doc = document_row(conn, doc_no)
        if doc["obsolete_on"]:
            raise RuleError(f"{doc_no} is already obsolete (since {doc['obsolete_on']})")
        conn.execute("UPDATE documents SET obsolete_on = ?, obsolete_by = ?, obsolete_reason = ? WHERE id = ?",
                     (today.isoformat(), by, reason, doc["id"]))
        changed = conn.execute("SELECT version, status FROM revisions WHERE document_id = ? "
                               "AND status IN ('draft', 'effective')", (doc["id"],)).fetchall()
        conn.execute("UPDATE revisions SET status = 'obsolete' WHERE document_id = ? "
                     "AND status IN ('draft', 'effective')", (doc["id"],))
        audit.record(conn, "obsolete", by, doc_no, None,
                     {r["version"]: [r["status"], "obsolete"] for r in changed}, reason)
        doc = document_row(conn, doc_no)
    revisions = revisions_of(conn, doc["id"])
    return revision_dict(ws, doc, revisions[-1]) | {"obsolete_on": today.isoformat(), "by": by, "reason": reason}


# -- reports ---------------------------------------------------------------------------------
def current_revision(revisions: list[sqlite3.Row]) -> sqlite3.Row:
    """Return the revision the master list shows: the effective one, else the latest."""
    return next((r for r in revisions if r["status"] == "effective"), revisions[-1])


def list_documents(ws: Workspace, doc_type: str | None = None, status: str | None = None) -> dict[str, Any]:
    """Return the master list (受控文件清单): the current revision of each document."""
    out = []
    for doc in ws.conn.execute("SELECT * FROM documents ORDER BY doc_no"):
        if doc_type and doc["type"] != doc_type:
            continue
        revisions = revisions_of(ws.conn, doc["id"])
        rev = current_revision(revisions)
        if status and rev["status"] != status:
            continue
        last_change = next((r["change_no"] for r in reversed(revisions) if r["change_no"]), None)
        owner = ws.conn.execute("SELECT name FROM signatures WHERE revision_id = ? AND role = 'compile'",
                                (rev["id"],)).fetchone()
        out.append({"doc_no": doc["doc_no"], "type": doc["type"], "title": rev["title"], "version": rev["version"],
                    "status": rev["status"], "effective_date": rev["effective_date"], "change_no": last_change,
                    "owner": owner[0] if owner else None})
    return {"documents": out}


def show(ws: Workspace, doc_no: str) -> dict[str, Any]:
    """Return a document with every revision, its signatures, change-order number, file and hash."""
    doc = document_row(ws.conn, doc_no)
    revisions = []
    for rev in revisions_of(ws.conn, doc["id"]):
        revisions.append({
            "version": rev["version"], "status": rev["status"], "title": rev["title"],
            "change_no": rev["change_no"], "changed_by": rev["changed_by"], "summary": rev["summary"],
            "pages": rev["pages"], "created_on": rev["created_on"], "release_date": rev["release_date"],
            "effective_date": rev["effective_date"], "input": rev["input_name"], "input_sha256": rev["input_sha256"],
            "path": str(ws.path(rev["path"]).resolve()), "sha256": rev["sha256"],
            "signatures": [
                {"role": s["role"], "name": s["name"], "date": s["date"],
                 "valid": s["content_sha256"] == rev["content_sha256"]}
                for s in _signatures(ws.conn, rev["id"])
            ],
        })
    return {"doc_no": doc["doc_no"], "type": doc["type"], "created_on": doc["created_on"],
            "obsolete_on": doc["obsolete_on"], "obsolete_by": doc["obsolete_by"],
            "obsolete_reason": doc["obsolete_reason"], "revisions": revisions}

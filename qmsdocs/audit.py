"""The audit trail: an append-only, hash-chained record of every change to the register."""
from __future__ import annotations

import getpass
import hashlib
import json
import sqlite3
from typing import Any

from qmsdocs.clock import now_iso

GENESIS = "0" * 64
_FIELDS = ("at", "actor", "os_user", "action", "doc_no", "version", "changes", "reason", "prev_hash")


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on this system (e.g. a container without passwd entry)
        return "unknown"


def entry_hash(row: dict[str, Any]) -> str:
    """Return the hash of an entry: its fields (including the previous hash) as canonical JSON."""
    payload = json.dumps([row[f] for f in _FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(conn: sqlite3.Connection, action: str, actor: str | None, doc_no: str | None, version: str | None,
           changes: dict[str, Any], reason: str | None = None) -> None:
    """Append one entry, chained to the last one. Call inside the command's transaction."""
    last = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    row = {
        "at": now_iso(),
        "actor": actor or os_user(),
        "os_user": os_user(),
        "action": action,
        "doc_no": doc_no,
        "version": version,
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str),
        "reason": reason,
        "prev_hash": last[0] if last else GENESIS,
    }
    row["hash"] = entry_hash(row)
    conn.execute(
        f"INSERT INTO audit ({', '.join(_FIELDS)}, hash) VALUES ({', '.join('?' * (len(_FIELDS) + 1))})",
        [row[f] for f in _FIELDS] + [row["hash"]],
    )
    # The head (count and last hash) makes deleting the newest entries detectable too.
    conn.execute("INSERT INTO audit_head (id, count, hash) VALUES (1, 1, ?) "
                 "ON CONFLICT (id) DO UPDATE SET count = count + 1, hash = excluded.hash", (row["hash"],))


def entries(conn: sqlite3.Connection, doc_no: str | None = None) -> list[dict[str, Any]]:
    """Return the audit entries, oldest first (of one document when ``doc_no`` is given)."""
    sql = "SELECT * FROM audit" + (" WHERE doc_no = ?" if doc_no else "") + " ORDER BY id"
    out = []
    for row in conn.execute(sql, (doc_no,) if doc_no else ()):
        item = dict(row)
        item["changes"] = json.loads(item["changes"])
        out.append(item)
    return out


def verify(conn: sqlite3.Connection) -> list[str]:
    """Return the problems found in the audit trail and the register it vouches for (empty: intact).

    Checks the hash chain entry by entry (an edited, deleted or reordered entry breaks it), the head
    (deleting the newest entries), and that every signature and every revision's file hash in the
    register is one the trail recorded (an edited signature or hash row).
    """
    problems: list[str] = []
    previous = GENESIS
    expected_id = None
    count = 0
    for row in conn.execute("SELECT * FROM audit ORDER BY id"):
        item = dict(row)
        count += 1
        if expected_id is not None and item["id"] != expected_id:
            problems.append(f"audit entry {expected_id} is missing (next is {item['id']})")
        expected_id = item["id"] + 1
        if item["prev_hash"] != previous:
            problems.append(f"audit entry {item['id']} does not follow the one before it (deleted or reordered)")
        if entry_hash(item) != item["hash"]:
            problems.append(f"audit entry {item['id']} was altered (its hash does not match its content)")
        previous = item["hash"]
        if problems:
            return problems
    head = conn.execute("SELECT count, hash FROM audit_head WHERE id = 1").fetchone()
    if head is not None and (head[0] != count or (count and head[1] != previous)):
        return [f"the audit trail ends at entry {count} but the register recorded {head[0]} entries "
                "(newest entries deleted)"]
    signed = set()
    shas = set()
    for item in entries(conn):
        changes = item["changes"]
        if item["action"] == "sign":
            signed.add((item["doc_no"], item["version"], changes.get("role"), item["actor"], changes.get("date")))
        for key in ("sha256",):
            value = changes.get(key)
            if isinstance(value, list):
                value = value[-1]
            if value:
                shas.add((item["doc_no"], item["version"], value))
    for row in conn.execute("SELECT d.doc_no, r.version, s.id, s.role, s.name, s.date FROM signatures s "
                            "JOIN revisions r ON r.id = s.revision_id JOIN documents d ON d.id = r.document_id"):
        if (row[0], row[1], row[3], row[4], row[5]) not in signed:
            problems.append(f"signature {row[2]} ({row[0]} {row[1]} {row[3]} {row[4]} {row[5]}) is not in the "
                            "audit trail (edited or added outside qms)")
    for row in conn.execute("SELECT d.doc_no, r.version, r.sha256 FROM revisions r "
                            "JOIN documents d ON d.id = r.document_id"):
        if (row[0], row[1], row[2]) not in shas:
            problems.append(f"{row[0]} {row[1]}: the file hash in the register is not the one the audit trail "
                            "recorded (edited outside qms)")
    return problems

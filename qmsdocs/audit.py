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


def _os_user() -> str:
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
        "actor": actor or _os_user(),
        "os_user": _os_user(),
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

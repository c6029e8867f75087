"""The audit trail: an append-only, hash-chained record of every change to the register.

Each command appends one entry: who (the authenticated person, or the machine's account), when
(the real clock, and the business date it worked with), what, why, and the full new image of
every register row it changed. The chain covers the images, so ``qms log --verify`` can compare
every row of the register with its latest image and name any field edited behind the tool's back.
Serialization is canonical JSON of plain values: the same on every database engine.
"""
from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from qmsdocs import clock
from qmsdocs.db import Register, Row
from qmsdocs.db.schema import DIGESTED, TRACKED
from qmsdocs.i18n import _

GENESIS = "0" * 64
FORMAT = 2
#: The fields an entry's hash covers, in order (format 2).
FIELDS = ("seq", "format", "at", "today", "actor", "account", "os_user", "action", "doc_no", "version",
          "changes", "reason", "rows", "prev_hash")
#: The fields of an entry written by qmsdocs 0.1 (format 1), hashed as it hashed them.
LEGACY_FIELDS = ("at", "actor", "os_user", "action", "doc_no", "version", "changes", "reason", "prev_hash")


def os_user() -> str:
    """Return the machine account running qmsdocs ("unknown" where the system has none)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name on this system (e.g. a container without a passwd entry)
        return "unknown"


def canonical(value: Any) -> str:
    """Return ``value`` as canonical JSON (sorted keys, no spaces, UTF-8 text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(entry: Row) -> str:
    """Return the hash of an entry over its fields, the previous hash included."""
    if entry.get("format") == 1:
        payload = json.dumps([entry[f] for f in LEGACY_FIELDS], ensure_ascii=False, separators=(",", ":"))
    else:
        payload = json.dumps([entry[f] for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def digest(value: str | None) -> str | None:
    """Return what the trail keeps of a credential: a digest of it, never the value."""
    return None if value is None else "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def image(register: Register, table: str, row_id: int) -> dict[str, Any] | None:
    """Return the trail's image of one register row (None if the row is gone)."""
    row = register.one(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
    return None if row is None else normalize(table, row)


def normalize(table: str, row: Row) -> dict[str, Any]:
    """Return a row as the trail writes it: plain values, credentials as digests."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in DIGESTED.get(table, ()):
            value = digest(value)
        elif isinstance(value, bool):
            value = int(value)
        elif isinstance(value, (bytes, memoryview)):
            value = hashlib.sha256(bytes(value)).hexdigest()
        out[key] = value
    return out


@dataclass(frozen=True)
class Head:
    """The newest entry of the trail: its sequence number and hash (a witness of the history so far)."""

    seq: int
    hash: str

    def text(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head | None:
        seq, _, value = (text or "").strip().partition(":")
        if not seq.isdigit() or len(value) != 64:
            return None
        return cls(int(seq), value)


HEAD_SQL = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"


def head(register: Register) -> Head:
    """Return the head of the trail (0 and the genesis hash for an empty one)."""
    row = register.one(HEAD_SQL)
    return Head(0, GENESIS) if row is None else Head(int(row["seq"]), row["hash"])


def append(register: Register, action: str, actor: str | None, changes: dict[str, Any], *,
           account: str | None = None, doc_no: str | None = None, version: str | None = None,
           reason: str | None = None, rows: list[tuple[str, int]] = ()) -> Head:  # type: ignore[assignment]
    """Append one entry, chained to the last one, with the images of ``rows``; return the new head.

    Call inside the command's transaction, after its changes: the images are read then.
    """
    # The head and every image in one batch, the entry and the head row held back for the commit:
    # on a server register that is one round trip for the reads and none of its own for the writes.
    wanted = list(dict.fromkeys(rows))
    found = register.batch([(HEAD_SQL, ())] + [(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
                                                 for table, row_id in wanted])
    last = Head(0, GENESIS) if not found[0] else Head(int(found[0][0]["seq"]), found[0][0]["hash"])
    images = [{"table": table, "id": row_id, "values": normalize(table, got[0]) if got else None}
              for (table, row_id), got in zip(wanted, found[1:])]
    entry: dict[str, Any] = {
        "seq": last.seq + 1, "format": FORMAT, "at": clock.now_iso(), "today": clock.today().isoformat(),
        "actor": actor or os_user(), "account": account, "os_user": os_user(), "action": action,
        "doc_no": doc_no, "version": version, "changes": canonical(changes), "reason": reason,
        "rows": canonical(images), "prev_hash": last.hash,
    }
    entry["hash"] = entry_hash(entry)
    register.defer(f"INSERT INTO audit ({', '.join(FIELDS)}, hash) VALUES ({', '.join('?' * (len(FIELDS) + 1))})",
                   [entry[f] for f in FIELDS] + [entry["hash"]])
    # The head row makes deleting the newest entries detectable: it must name the last one.
    register.defer("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                   (entry["seq"], entry["hash"]))
    return Head(entry["seq"], entry["hash"])


def entries(register: Register, doc_no: str | None = None) -> list[dict[str, Any]]:
    """Return the entries, oldest first (of one document when ``doc_no`` is given), JSON fields parsed."""
    sql = "SELECT * FROM audit" + (" WHERE doc_no = ?" if doc_no else "") + " ORDER BY seq"
    out = []
    for row in register.query(sql, (doc_no,) if doc_no else ()):
        item = dict(row)
        for key in ("changes", "rows"):
            try:
                item[key] = json.loads(item[key])
            except (TypeError, ValueError, RecursionError):
                item[key] = None
        out.append(item)
    return out


def _chain_problems(register: Register) -> tuple[list[str], dict[tuple[str, int], dict[str, Any] | None]]:
    """Check the chain entry by entry; return the problems and the latest image of every tracked row."""
    problems: list[str] = []
    images: dict[tuple[str, int], dict[str, Any] | None] = {}
    previous, expected = GENESIS, 1
    for row in register.query("SELECT * FROM audit ORDER BY seq"):
        seq = row.get("seq")
        if seq != expected:
            problems.append(_("audit trail: entry {entry} is missing (the next one is {next})").format(entry=expected,
                                                                                                     next=seq))
            return problems, images
        expected += 1
        if row.get("prev_hash") != previous:
            problems.append(_("audit trail: entry {entry} does not follow the one before it (deleted or "
                              "reordered)").format(entry=seq))
            return problems, images
        try:
            recomputed = entry_hash(row)
        except (KeyError, TypeError):
            recomputed = ""
        if recomputed != row.get("hash"):
            problems.append(_("audit trail: entry {entry} was altered (its hash does not match its content)").format(
                entry=seq))
            return problems, images
        previous = row["hash"]
        if row.get("format") == 1:
            continue
        parsed = {}
        for field in ("changes", "rows"):
            try:
                parsed[field] = json.loads(row[field])
            except (TypeError, ValueError, RecursionError):  # a hostile entry may nest without end
                problems.append(_("audit trail: entry {entry}, field {field}: not valid JSON").format(entry=seq,
                                                                                                   field=field))
                return problems, images
        if not isinstance(parsed["rows"], list):
            problems.append(_("audit trail: entry {entry}, field rows: not a list of row images").format(entry=seq))
            return problems, images
        for item in parsed["rows"]:
            try:
                values = item["values"]
                if values is not None and not isinstance(values, dict):
                    raise TypeError(values)
                images[(str(item["table"]), int(item["id"]))] = values
            except (KeyError, TypeError, ValueError):
                problems.append(_("audit trail: entry {entry}, field rows: a row image without table, id and "
                                  "values").format(entry=seq))
                return problems, images
    head_row = register.one("SELECT seq, hash FROM audit_head WHERE id = 1")
    count = expected - 1
    if (head_row is None and count) or (head_row is not None and (head_row["seq"] != count or head_row["hash"] != previous)):
        recorded = head_row["seq"] if head_row is not None else 0
        problems.append(_("audit trail: it ends at entry {count} but the register recorded {recorded} entries "
                          "(newest entries deleted)").format(count=count, recorded=recorded))
    return problems, images


def _shown(value: Any) -> str:
    return _("empty") if value is None else repr(value)


def state_problems(register: Register, images: dict[tuple[str, int], dict[str, Any] | None]) -> list[str]:
    """Return every difference between the register's rows and their latest images in the trail."""
    problems = []
    for table in TRACKED:
        seen = set()
        for row in register.query(f"SELECT * FROM {table} ORDER BY id"):
            key = (table, int(row["id"]))
            seen.add(key)
            if key not in images or images[key] is None:
                problems.append(_("register table {table}, row {row}: not in the audit trail (added outside "
                                  "qms)").format(table=table, row=row["id"]))
                continue
            recorded = images[key]
            assert recorded is not None
            current = normalize(table, row)
            for field in current:
                if current[field] != recorded.get(field):
                    problems.append(_("register table {table}, row {row}, field {field}: is {value}, the audit trail "
                                      "recorded {recorded} (changed outside qms)").format(
                        table=table, row=row["id"], field=field, value=_shown(current[field]),
                        recorded=_shown(recorded.get(field))))
        for (t, row_id), values in images.items():
            if t == table and values is not None and (t, row_id) not in seen:
                problems.append(_("register table {table}, row {row}: deleted outside qms (the audit trail holds "
                                  "it)").format(table=table, row=row_id))
    return problems


def verify(register: Register) -> list[str]:
    """Return the problems of the trail and of the register it vouches for (empty: intact)."""
    problems, images = _chain_problems(register)
    if problems:
        return problems
    return state_problems(register, images)


def rows_intact(register: Register) -> bool:
    """Whether the trail is whole and every register row matches it (what ``verify FILE`` relies on)."""
    return not verify(register)


# -- witnesses ------------------------------------------------------------------------------------
def check_witness(register: Register, witness: Head, name: str) -> tuple[bool, str]:
    """Return (holds, message) for one witnessed head against the trail.

    A head the trail still holds at its position holds. One it contradicts fails, unless an
    administrator acknowledged a restore that lost the history it came from (then it holds, with
    a warning naming what was lost).
    """
    row = register.one("SELECT hash FROM audit WHERE seq = ?", (witness.seq,))
    if row is not None and row["hash"] == witness.hash:
        return True, _("{name}: the trail holds its witness (entry {entry})").format(name=name, entry=witness.seq)
    for ack in entries(register):
        if ack["action"] != "acknowledge-restore" or not isinstance(ack["changes"], dict):
            continue
        restored = int(ack["changes"].get("restored_head", 0))
        if witness.seq > restored:
            return True, _("{name}: witnesses entry {entry}, history lost in the restore acknowledged at entry "
                           "{ack} by {actor} on {date} ({reason})").format(
                name=name, entry=witness.seq, ack=ack["seq"], actor=ack["actor"], date=ack["today"],
                reason=ack["reason"])
    if row is None:
        return False, _("{name}: witnesses entry {entry}, but the trail ends before it (the register was rolled "
                        "back to an older copy)").format(name=name, entry=witness.seq)
    return False, _("{name}: witnesses entry {entry} with another hash (the trail was rewritten or the register "
                    "replaced)").format(name=name, entry=witness.seq)

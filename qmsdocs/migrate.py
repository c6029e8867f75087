"""Moving a register between the engines: ``qms migrate --to postgresql://…`` and ``--to sqlite``.

An administrator moves the register (``--by ADMIN``). Every table is copied row by row with its
ids, the counters with their values, and every stored object with it, into an empty target, in
one transaction on the target, which ends with one trail entry of its own (``migrate``: from and
to which engine, by whom); the trail is checked there before it commits (its entries hash plain
values, so they verify on either engine and every witness still holds: the trail only grew). The
source refuses writers throughout: the workspace lock and its write transaction are held until
the folder's ``qms.toml`` names the target. The embedded register the folder leaves is kept,
renamed, as it was.

A migration stopped after the target committed but before ``qms.toml`` was rewritten is finished
by running it again: a target that holds exactly this register (its trail is the source's, plus
one ``migrate`` entry chained to the source's head) is taken as it is.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from qmsdocs import audit, people
from qmsdocs.audit import Head
from qmsdocs.db import Register, Row
from qmsdocs.db.schema import CURRENT, SCHEMA
from qmsdocs.errors import IntegrityError, QmsError, RuleError, UsageError
from qmsdocs.faults import crashpoint
from qmsdocs.store import FileStore, ObjectStore, RegisterStore, write_new_file
from qmsdocs.workspace import CONFIG_NAME, REGISTER_NAME, Workspace

#: The tables in the order they are copied (a row's references come before it).
TABLES = ("counters", "people", "settings", "documents", "revisions", "signatures", "renders", "copies", "reviews",
          "audit", "audit_head")
#: The tables whose ``id`` the engine numbers (their numbering continues after the copied ids).
NUMBERED = ("documents", "revisions", "signatures", "renders", "copies", "people", "reviews", "settings")


def _target(ws: Workspace, to: str, head: Head) -> tuple[Register, ObjectStore, str, bool]:
    """Open the target; return it, its store, the URL qms.toml will name ("" for SQLite), and
    whether it already holds this register, copied by an earlier run that stopped before qms.toml
    was rewritten. A target holding anything else is refused."""
    if to == "sqlite":
        if ws.register.engine == "sqlite":
            raise UsageError(f"{ws.root}: the register is already the folder's own register.sqlite")
        from qmsdocs.db.sqlite import SQLiteRegister

        path = ws.root / REGISTER_NAME
        refusal = f"{path}: already exists; the target of a migration must be empty (move it away first)"
        if not os.path.lexists(path):
            return SQLiteRegister(path), FileStore(ws.root), "", False
        if os.path.islink(path) or not path.is_file():
            raise RuleError(refusal)
        try:
            register: Register = SQLiteRegister(path)
        except QmsError:
            raise RuleError(refusal) from None
        # Only this register, copied by an earlier run, is taken; even an empty file is left alone.
        return register, FileStore(ws.root), "", _holds(register, head, refusal, empty=False)
    if not to.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"--to {to!r}: give sqlite or a postgresql:// URL")
    from qmsdocs.db.postgresql import PostgresRegister, describe, has_password

    if has_password(to):
        raise UsageError("--to: give the password in ~/.pgpass, PGPASSWORD or PGSERVICE, never in the URL "
                         "(qms.toml keeps the URL)")
    if to == ws.config.register_url:
        raise UsageError(f"--to: the register already is {describe(to)}")
    register = PostgresRegister(to)
    refusal = (f"{register.where}: already holds a qmsdocs register; the target of a migration must be an "
               "empty database (to work on that register, join it: qms init DIR --database URL)")
    return register, RegisterStore(register), to, _holds(register, head, refusal, empty=True)


def _holds(target: Register, head: Head, refusal: str, *, empty: bool) -> bool:
    """Whether ``target`` holds this very register with its migration entry (False: it is empty);
    RuleError ``refusal`` if it holds anything else."""
    try:
        version = target.schema_version()
        if version == 0 and empty:
            return False
        last = audit.head(target) if version == CURRENT else None
        entry = None if last is None else target.one("SELECT action, prev_hash FROM audit WHERE seq = ?",
                                                     (last.seq,))
        if (last is not None and entry is not None and last.seq == head.seq + 1 and entry["action"] == "migrate"
                and entry["prev_hash"] == head.hash and not audit.verify(target)):
            return True
    except BaseException:
        target.close()
        raise
    target.close()
    raise RuleError(refusal)


def _copy(source: Workspace, target: Register, store: ObjectStore) -> dict[str, int]:
    """Copy every table and object into ``target`` (inside its transaction); return rows per table."""
    counts: dict[str, int] = {}
    target.run_script(SCHEMA)
    target.set_schema_version(CURRENT)
    # Objects first: the rows that reference them follow (as every command does).
    objects = 0
    for sha in sorted(set(source.store.names())):
        store.put(source.store.get(sha))
        objects += 1
    counts["objects"] = objects
    for table in TABLES:
        columns = source.register.columns(table)
        if columns != target.columns(table):
            raise IntegrityError(f"{source.register.where}: table {table} has columns {', '.join(columns)}, "
                                 f"not those of schema {CURRENT}; run qms upgrade first")
        key = "seq" if table == "audit" else ("name" if table == "counters" else "id")
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        rows = source.register.query(f"SELECT * FROM {table} ORDER BY {key}")
        for row in rows:
            target.execute(sql, [row[c] for c in columns])
        counts[table] = len(rows)
    reset = getattr(target, "reset_ids", None)
    if reset is not None:
        for table in NUMBERED:
            reset(table)
    return counts


def _point_config(root: Path, url: str) -> None:
    """Make ``qms.toml`` name the register at ``url`` ("" : the folder's own register.sqlite)."""
    import json

    text = (root / CONFIG_NAME).read_text(encoding="utf-8")
    # Drop a [register] table and its url (qmsdocs writes it last, as `qms init --database` does).
    text = re.sub(r"\n*\[register\]\s*\n(url\s*=.*\n?)?", "\n", text).rstrip("\n") + "\n"
    if url:
        text += f"\n[register]\nurl = {json.dumps(url)}\n"
    write_new_file(root, CONFIG_NAME, text.encode("utf-8"))


def _where(register: Register) -> str:
    # A folder's own register is named as the folder knows it, wherever the folder is.
    return REGISTER_NAME if register.engine == "sqlite" else register.where


def _record(ws: Workspace, target: Register, actor: Row | None, by: str) -> Head:
    """Append the migration's trail entry in ``target`` (inside its transaction); return the new head."""
    rows: list[tuple[str, int]] = []
    if actor is not None and int(actor["failures"]):
        target.execute("UPDATE people SET failures = 0 WHERE id = ?", (int(actor["id"]),))
        rows.append(("people", int(actor["id"])))
    changes = {"from": {"engine": ws.register.engine, "register": _where(ws.register)},
               "to": {"engine": target.engine, "register": _where(target)}}
    return audit.append(target, "migrate", actor["name"] if actor else by, changes,
                        account=actor["account"] if actor else None, rows=rows)


def _counts(register: Register, store: ObjectStore) -> dict[str, int]:
    counts = {"objects": len(set(store.names()))}
    for table in TABLES:
        counts[table] = int(register.scalar(f"SELECT COUNT(*) AS n FROM {table}") or 0)
    return counts


def migrate(records: str | os.PathLike[str] | None, to: str, by: str | None = None,
            password: Any = None) -> dict[str, Any]:
    """Copy the workspace's register and objects to ``to`` (a postgresql:// URL or "sqlite") as the
    administrator ``by`` and point the folder at it; return what was copied, the trail head it
    was copied at, the head after the migration's own entry and where the register is now."""
    ws = Workspace.open(records, write=True)
    kept = None
    try:
        if not by:
            raise RuleError("moving the register needs an administrator: give --by ADMIN (and their password)")
        actor = people.admin(ws, by, password, "moving the register") if people.roster(ws) else None
        with ws.lock(), ws.register.transaction():  # the source refuses writers until the folder moves
            copied = audit.head(ws.register)
            target, store, url, done = _target(ws, to, copied)
            try:
                if done:
                    counts, head = _counts(target, store), audit.head(target)
                else:
                    with target.transaction():
                        counts = _copy(ws, target, store)
                        if audit.head(target) != copied:
                            raise IntegrityError(f"{target.where}: the copied trail ends at "
                                                 f"{audit.head(target).text()}, not at {copied.text()}")
                        head = _record(ws, target, actor, by)
                        problems = audit.verify(target)
                        if problems:
                            raise IntegrityError(f"{target.where}: the copied register fails its check: {problems[0]}")
                where = target.where
            except BaseException:
                if to == "sqlite" and not done:
                    target.close()
                    (ws.root / REGISTER_NAME).unlink(missing_ok=True)
                raise
            finally:
                target.close()
            crashpoint("migrated")
            if ws.register.engine == "sqlite":
                # The embedded register the folder leaves stays, renamed, as it was at the migration.
                kept = ws.root / f"register.migrated-{time.strftime('%Y%m%d-%H%M%S')}.sqlite"
            _point_config(ws.root, url)
        if kept is not None:
            ws.register.close()
            os.replace(ws.root / REGISTER_NAME, kept)
    finally:
        ws.close()
    return {"records": str(Path(ws.root).resolve()), "register": where, "engine": "sqlite" if to == "sqlite" else
            "postgresql", "rows": counts, "copied": copied.text(), "chain": head.text(),
            "finished": bool(done), "kept": str(kept) if kept else None}

"""Moving a register between the engines: ``qms migrate --to postgresql://…`` and ``--to sqlite``.

Every table is copied row by row with its ids, the counters with their values, and every stored
object with it, into an empty target, in one transaction on the target; the trail is checked
there before it commits (its entries hash plain values, so they verify on either engine and every
witness still holds). The source refuses writers throughout: the workspace lock and its write
transaction are held until the folder's ``qms.toml`` names the target. The embedded register the
folder leaves is kept, renamed, as it was.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from qmsdocs import audit
from qmsdocs.db import Register
from qmsdocs.db.schema import CURRENT, SCHEMA
from qmsdocs.errors import IntegrityError, RuleError, UsageError
from qmsdocs.store import FileStore, ObjectStore, RegisterStore, write_new_file
from qmsdocs.workspace import CONFIG_NAME, REGISTER_NAME, Workspace

#: The tables in the order they are copied (a row's references come before it).
TABLES = ("counters", "people", "settings", "documents", "revisions", "signatures", "renders", "copies", "reviews",
          "audit", "audit_head")
#: The tables whose ``id`` the engine numbers (their numbering continues after the copied ids).
NUMBERED = ("documents", "revisions", "signatures", "renders", "copies", "people", "reviews", "settings")


def _target(ws: Workspace, to: str) -> tuple[Register, ObjectStore, str]:
    """Open the empty target; return it, its store and the URL qms.toml will name ("" for SQLite)."""
    if to == "sqlite":
        if ws.register.engine == "sqlite":
            raise UsageError(f"{ws.root}: the register is already the folder's own register.sqlite")
        path = ws.root / REGISTER_NAME
        if os.path.lexists(path):
            raise RuleError(f"{path}: already exists; the target of a migration must be empty (move it away first)")
        from qmsdocs.db.sqlite import SQLiteRegister

        register: Register = SQLiteRegister(path)
        return register, FileStore(ws.root), ""
    if not to.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"--to {to!r}: give sqlite or a postgresql:// URL")
    from qmsdocs.db.postgresql import PostgresRegister, describe, has_password

    if has_password(to):
        raise UsageError("--to: give the password in ~/.pgpass, PGPASSWORD or PGSERVICE, never in the URL "
                         "(qms.toml keeps the URL)")
    if to == ws.config.register_url:
        raise UsageError(f"--to: the register already is {describe(to)}")
    register = PostgresRegister(to)
    try:
        version = register.schema_version()
    except BaseException:
        register.close()
        raise
    if version != 0:
        register.close()
        raise RuleError(f"{register.where}: already holds a qmsdocs register; the target of a migration must be an "
                        "empty database (to work on that register, join it: qms init DIR --database URL)")
    return register, RegisterStore(register), to


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


def migrate(records: str | os.PathLike[str] | None, to: str) -> dict[str, Any]:
    """Copy the workspace's register and objects to ``to`` (a postgresql:// URL or "sqlite") and
    point the folder at it; return what was copied, the trail head and where the register is now."""
    ws = Workspace.open(records, write=True)
    kept = None
    try:
        with ws.lock(), ws.register.transaction():  # the source refuses writers until the folder moves
            target, store, url = _target(ws, to)
            try:
                head = audit.head(ws.register)
                with target.transaction():
                    counts = _copy(ws, target, store)
                    problems = audit.verify(target)
                    if problems:
                        raise IntegrityError(f"{target.where}: the copied register fails its check: {problems[0]}")
                    if audit.head(target) != head:
                        raise IntegrityError(f"{target.where}: the copied trail ends at {audit.head(target).text()}, "
                                             f"not at {head.text()}")
                where = target.where
            except BaseException:
                if to == "sqlite":
                    target.close()
                    (ws.root / REGISTER_NAME).unlink(missing_ok=True)
                raise
            finally:
                target.close()
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
            "postgresql", "rows": counts, "chain": head.text(), "kept": str(kept) if kept else None}

"""Creating a register, and bringing a register of an earlier qmsdocs up to date (``qms upgrade``).

Schema 3 was the register of qmsdocs 0.1: revisions signed by free-text names, files in
``documents/`` and ``inputs/`` named by path, a trail of its own format. Step 3 → 4 keeps every
row and every trail entry (its old entries still verify, hashed as they were), freezes each
revision as it is (input, template and the settings of ``qms.toml`` at the upgrade), marks the
signatures "recorded before the roster", puts every file the register knew into the store, and
ends with one trail entry holding the image of every row: from there on, every change is chained.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qmsdocs import audit
from qmsdocs.bundle import Bundle, settings_of
from qmsdocs.config import Config
from qmsdocs.db import Register
from qmsdocs.db.schema import CURRENT, SCHEMA, TRACKED
from qmsdocs.i18n import _
from qmsdocs.names import name_key
from qmsdocs.store import ObjectStore, sha256_bytes

LEGACY_TABLES = ("documents", "revisions", "signatures", "renders", "copies", "audit", "audit_head", "commits")


def record_settings(register: Register, config: Config) -> list[tuple[str, int]]:
    """Store the control settings of ``config`` in the register; return the rows changed."""
    rows = []
    for name, value in config.control().items():
        text = audit.canonical(value)
        row = register.one("SELECT id, value FROM settings WHERE name = ?", (name,))
        if row is None:
            rows.append(("settings", register.insert("settings", {"name": name, "value": text})))
        elif row["value"] != text:
            register.execute("UPDATE settings SET value = ? WHERE id = ?", (text, row["id"]))
            rows.append(("settings", int(row["id"])))
    return rows


def create(register: Register, config: Config) -> None:
    """Make an empty register: the schema, the recorded control settings, the first trail entry.

    On a database that already holds a qmsdocs register (another desk's), nothing is created.
    """
    with register.transaction():
        if register.schema_version() >= CURRENT:
            return
        if register.schema_version() != 0:
            return
        register.run_script(SCHEMA)
        register.set_schema_version(CURRENT)
        rows = record_settings(register, config)
        audit.append(register, "init", None, {"control": config.control()}, rows=rows)


def in_memory(root: Path, config: Config) -> Register:
    """Return a private in-memory copy of an older register, upgraded (nothing on disk is touched)."""
    from qmsdocs.db.sqlite import SQLiteRegister
    from qmsdocs.workspace import REGISTER_NAME

    register = SQLiteRegister(root / REGISTER_NAME, memory_copy=True)
    _step_3_to_4(register, root, config, None)
    return register


def upgrade(root: Path, config: Config, register: Register, store: ObjectStore) -> dict[str, Any]:
    """Upgrade the register in place to the current schema; return what was done."""
    version = register.schema_version()
    if version == CURRENT:
        return {"from": version, "to": CURRENT, "upgraded": False, "signers": []}
    signers = _step_3_to_4(register, root, config, store)
    return {"from": version, "to": CURRENT, "upgraded": True, "signers": signers}


def _template_bytes(root: Path, config: Config, kind: str) -> bytes:
    own = config.templates.get(kind)
    path = root / own if own else None
    if path is None or not path.is_file():
        from qmsdocs.workspace import default_template

        path = default_template(kind)
    return path.read_bytes()


def _step_3_to_4(register: Register, root: Path, config: Config, store: ObjectStore | None) -> list[str]:
    """Turn a schema-3 register into schema 4; objects go to ``store`` (None: count only, in memory)."""
    from qmsdocs.errors import UsageError

    with register.transaction():
        version = register.schema_version()
        if version == CURRENT:
            return []
        if version != 3:
            raise UsageError(_("{where}: register schema {version} is too old to upgrade (qmsdocs 0.1 wrote schema "
                               "3)").format(where=register.where, version=version))
        for table in LEGACY_TABLES:
            register.execute(f"ALTER TABLE {table} RENAME TO legacy_{table}")
        for index in ("revisions_document", "signatures_revision", "renders_sha"):
            register.execute(f"DROP INDEX IF EXISTS {index}")
        register.run_script(SCHEMA)
        put = store.put if store is not None else sha256_bytes
        templates: dict[str, str] = {}

        def template(kind: str) -> str:
            if kind not in templates:
                templates[kind] = put(_template_bytes(root, config, kind))
            return templates[kind]

        settings = settings_of(config)
        for doc in register.query("SELECT * FROM legacy_documents ORDER BY id"):
            register.execute("INSERT INTO documents (id, doc_no, doc_key, kind, code, year, seq, created_on, obsolete_on, "
                             "obsolete_by, obsolete_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (doc["id"], doc["doc_no"], name_key(doc["doc_no"]), doc["type"], doc["code"], doc["year"],
                              doc["seq"], doc["created_on"], doc["obsolete_on"], doc["obsolete_by"],
                              doc["obsolete_reason"]))
            counter = f"seq:{doc['code']}/{doc['year']}"
            if register.execute("UPDATE counters SET value = ? WHERE name = ? AND value < ?",
                                (doc["seq"], counter, doc["seq"])) == 0 and \
                    register.one("SELECT 1 AS x FROM counters WHERE name = ?", (counter,)) is None:
                register.execute("INSERT INTO counters (name, value) VALUES (?, ?)", (counter, doc["seq"]))
        bundles: dict[int, tuple[str, str]] = {}
        for rev in register.query("SELECT r.*, d.type AS kind FROM legacy_revisions r "
                                  "JOIN legacy_documents d ON d.id = r.document_id ORDER BY r.id"):
            if store is not None and rev["input_sha256"]:
                old = root / "inputs" / f"{rev['input_sha256']}.xlsx"
                if old.is_file() and sha256_bytes(old.read_bytes()) == rev["input_sha256"]:
                    store.put(old.read_bytes())
            bundle = Bundle(kind=rev["kind"], title=rev["title"], summary=rev["summary"], pages=rev["pages"] or "",
                            input_name=rev["input_name"] or "", input_sha256=rev["input_sha256"] or "",
                            template_sha256=template(rev["kind"]), revlog_template_sha256=template("revlog"),
                            settings=settings)
            sha = put(bundle.encode())
            bundles[rev["id"]] = (rev["content_sha256"], sha)
            register.execute(
                "INSERT INTO revisions (id, document_id, major, minor, version, title, status, change_no, change_key, "
                "changed_by, summary, pages, created_on, approved_on, release_date, effective_date, input_name, "
                "input_sha256, bundle_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rev["id"], rev["document_id"], rev["major"], rev["minor"], rev["version"], rev["title"], rev["status"],
                 rev["change_no"], name_key(rev["change_no"]) if rev["change_no"] else None, rev["changed_by"],
                 rev["summary"], rev["pages"], rev["created_on"], rev["release_date"], rev["release_date"],
                 rev["effective_date"], rev["input_name"], rev["input_sha256"], sha))
        signers: list[str] = []
        for sig in register.query("SELECT * FROM legacy_signatures ORDER BY id"):
            given, new = bundles[sig["revision_id"]]
            valid = sig["content_sha256"] == given
            register.execute(
                "INSERT INTO signatures (id, revision_id, role, name, date, bundle_sha256, signed_at, mode, void_reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'legacy', ?)",
                (sig["id"], sig["revision_id"], sig["role"], sig["name"], sig["date"], new if valid else "void:" + given,
                 sig["signed_at"], None if valid else "given on content that changed before the upgrade"))
            if sig["name"] not in signers:
                signers.append(sig["name"])
        for row in register.query("SELECT * FROM legacy_renders ORDER BY id"):
            register.execute("INSERT INTO renders (id, revision_id, what, state, copy_no, sha256, rendered_on) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (row["id"], row["revision_id"], "copy" if row["copy_no"] else "revision", row["status"],
                              row["copy_no"], row["sha256"], row["rendered_on"]))
        for row in register.query("SELECT * FROM legacy_copies ORDER BY id"):
            register.execute("INSERT INTO copies (id, copy_no, revision_id, seq, holder, issued_on, issued_by, "
                             "recalled_on, recalled_by, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (row["id"], row["copy_no"], row["revision_id"], row["seq"], row["holder"], row["issued_on"],
                              row["issued_by"], row["recalled_on"], row["recalled_by"], row["sha256"]))
        if store is not None:
            _store_views(register, root, store)
        for row in register.query("SELECT * FROM legacy_audit ORDER BY id"):
            register.execute(
                f"INSERT INTO audit ({', '.join(audit.FIELDS)}, hash) VALUES ({', '.join('?' * (len(audit.FIELDS) + 1))})",
                (row["id"], 1, row["at"], row["at"][:10], row["actor"], None, row["os_user"], row["action"],
                 row["doc_no"], row["version"], row["changes"], row["reason"], "[]", row["prev_hash"], row["hash"]))
        last = register.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        if last is not None:
            register.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", (last["seq"], last["hash"]))
        for table in reversed(LEGACY_TABLES):  # children before the tables they reference
            register.execute(f"DROP TABLE legacy_{table}")
        rows = record_settings(register, config)
        for table in TRACKED:
            rows += [(table, int(r["id"])) for r in register.query(f"SELECT id FROM {table} ORDER BY id")]
        register.set_schema_version(CURRENT)
        audit.append(register, "upgrade", None, {"schema": [3, CURRENT], "signers": signers}, rows=rows,
                     reason="register brought up to date; earlier signatures recorded before the roster")
    return signers


def _store_views(register: Register, root: Path, store: ObjectStore) -> None:
    """Put every file of the old layout that the register knows by hash into the store."""
    known = {r["sha256"] for r in register.query("SELECT sha256 FROM renders")}
    known |= {r["sha256"] for r in register.query("SELECT sha256 FROM copies")}
    for folder in ("documents", "copies"):
        base = root / folder
        if not base.is_dir() or base.is_symlink():
            continue
        for path in sorted(base.rglob("*.docx")):
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            if sha256_bytes(data) in known:
                store.put(data)


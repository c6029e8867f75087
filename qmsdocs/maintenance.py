"""Keeping a workspace whole: repair of views, upgrade, backup and restore, witnesses and restores.

``repair`` restores view files from the store (moving altered ones aside) and collects
unreferenced objects under the workspace lock; ``backup`` writes a consistent snapshot of the
register and the objects it references while other commands run; ``restore`` makes a workspace
from one; ``check_witnesses`` proves the trail still holds the heads that files and packages
witnessed; ``acknowledge_restore`` records that an administrator restored an older copy.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from qmsdocs import audit, clock, people
from qmsdocs.audit import Head
from qmsdocs.command import run
from qmsdocs.errors import DataError, IntegrityError, Problem, UsageError
from qmsdocs.i18n import N_, _
from qmsdocs.rendering import PROP_CHAIN
from qmsdocs.safeio import MAX_DOCUMENT_BYTES, MAX_SMALL_PART_BYTES, read_regular, read_zip_part
from qmsdocs.store import FileStore, sha256_bytes
from qmsdocs.workspace import CONFIG_NAME, REGISTER_NAME, Workspace

BACKUP_FORMAT = "qmsdocs-backup-1"


def referenced(ws: Workspace) -> set[str]:
    """Return the sha256 of every object a committed row references (directly or through a bundle)."""
    from qmsdocs import bundle as bundle_mod

    refs: set[str] = set()
    for row in ws.register.query("SELECT bundle_sha256, input_sha256 FROM revisions"):
        refs.add(row["bundle_sha256"])
        if row["input_sha256"]:
            refs.add(row["input_sha256"])
        try:
            refs.update(bundle_mod.load(ws.store, row["bundle_sha256"]).objects())
        except IntegrityError:
            pass  # log --verify names it; a missing bundle protects nothing more
    refs |= {r["sha256"] for r in ws.register.query("SELECT sha256 FROM renders")}
    refs |= {r["sha256"] for r in ws.register.query("SELECT sha256 FROM copies")}
    return refs


def object_problems(ws: Workspace) -> list[str]:
    """Return every referenced object that is missing or whose bytes no longer match its name."""
    problems = []
    for sha in sorted(referenced(ws)):
        data = ws.store.load(sha)
        if data is None:
            problems.append(_("store: object {sha}… is missing (referenced by the register)").format(sha=sha[:12]))
        elif sha256_bytes(data) != sha:
            problems.append(_("store: object {sha}… was altered (its bytes no longer match its sha256)").format(
                sha=sha[:12]))
    return problems


def repair(ws: Workspace, by: str, password: people.Password) -> dict[str, Any]:
    """Restore every view from the store (altered files moved aside) and collect stray objects."""
    from qmsdocs import views
    from qmsdocs.lifecycle import _actor

    actor = _actor(ws, by, password, "repairing the workspace") if people.roster(ws) else None
    stamp = clock.today().strftime("%Y%m%d")
    ids = [int(r["id"]) for r in ws.register.query("SELECT id FROM documents ORDER BY doc_no")]
    with run(ws) as cmd:
        actions = views.materialize(ws, ids, repair_stamp=stamp)
        actions += _remove_view_temporaries(ws)
        removed = ws.store.collect(referenced(ws))
        if actor is not None:
            people.clear_failures(cmd, actor)
        cmd.record("repair", {"files": actions, "objects_removed": removed},
                   actor=actor["name"] if actor else by, account=actor["account"] if actor else None)
    return {"actions": actions, "objects_removed": removed, "warnings": cmd.warnings}


def _remove_view_temporaries(ws: Workspace) -> list[str]:
    """Remove the temporaries a killed command left in ``documents/`` and ``copies/``; return an action each.

    Views are written only under the workspace lock, which repair holds: no temporary there is live.
    """
    import stat

    from qmsdocs.workspace import COPIES_DIR, DOCUMENTS_DIR

    actions = []
    for top in (DOCUMENTS_DIR, COPIES_DIR):
        for folder, _folders, files in os.walk(ws.root / top):  # links to folders are not followed
            for name in files:
                path = Path(folder) / name
                if not (name.startswith(".") and ".qms-tmp-" in name):
                    continue
                mode = os.lstat(path).st_mode
                if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                    path.unlink()
                    actions.append(f"{path.relative_to(ws.root)}: removed (left by a command that was stopped)")
    return actions


def upgrade(records: str | None) -> dict[str, Any]:
    """Bring a workspace made by an earlier qmsdocs up to date, in place, history and files intact."""
    from qmsdocs import upgrade as upgrade_mod

    ws = Workspace.open(records, write=True, upgrading=True)
    try:
        with ws.lock():
            result = upgrade_mod.upgrade(ws.root, ws.config, ws.register, ws.store)
        if result["upgraded"]:
            from qmsdocs import views

            views.materialize(ws, [int(r["id"]) for r in ws.register.query("SELECT id FROM documents")])
    finally:
        ws.close()
    return result | {"records": str(Path(ws.root).resolve())}


def backup(ws: Workspace, out: str | Path, force: bool = False) -> dict[str, Any]:
    """Write a consistent snapshot of the register and its objects to ``out`` (.zip)."""
    from qmsdocs.db.sqlite import SQLiteRegister
    from qmsdocs.outputs import OutputError, check_output, on_signals, os_cause

    if not isinstance(ws.register, SQLiteRegister):
        raise UsageError(_("qms backup copies an embedded register; back up a PostgreSQL register with the "
                           "server's own tools (docs/deployment.md)"))
    target = check_output(Path(out), ws.root, force=force, option="-o")
    with on_signals(), tempfile.TemporaryDirectory(prefix="qms-backup-") as tmp:
        snapshot = Path(tmp) / REGISTER_NAME
        ws.register.backup_to(snapshot)
        copy = SQLiteRegister(snapshot, readonly=True)
        try:
            snap = Workspace(ws.root, ws.config, copy, ws.store, False)
            refs = sorted(referenced(snap))
            head = audit.head(copy)
        finally:
            copy.close()
        partial = target.with_name(f".{target.name}.qms-tmp-{os.getpid()}")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("qmsdocs-backup.json", json.dumps({"format": BACKUP_FORMAT, "objects": len(refs),
                                                               "chain": head.text()}))
                zf.write(snapshot, REGISTER_NAME)
                zf.writestr(CONFIG_NAME, (ws.root / CONFIG_NAME).read_bytes())
                for sha in refs:
                    data = ws.store.get(sha)
                    zf.writestr(f"store/objects/{sha[:2]}/{sha}", data, compress_type=zipfile.ZIP_STORED)
            with open(partial, "rb") as f:
                os.fsync(f.fileno())
            os.replace(partial, target)
        except OSError as exc:
            if exc.filename not in (str(partial), str(target)):
                raise  # not the backup file: a workspace file, reported with its own path
            raise OutputError(f"-o {out}: cannot write: {os_cause(exc)}") from None
        finally:
            partial.unlink(missing_ok=True)
    return {"path": str(target.resolve()), "objects": len(refs), "chain": head.text()}


def restore(file: str | Path, directory: str | Path) -> dict[str, Any]:
    """Make a new workspace in ``directory`` from a backup; the trail must verify."""
    from qmsdocs import views

    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(_("{folder}: the restore needs a new or empty folder").format(folder=target))
    data = read_regular(Path(file), 8 * 1024 * MAX_DOCUMENT_BYTES, str(file))
    try:
        info = json.loads(read_zip_part(data, "qmsdocs-backup.json", MAX_SMALL_PART_BYTES, str(file)))
        if info.get("format") != BACKUP_FORMAT:
            raise ValueError
    except (DataError, ValueError):
        raise DataError(Problem(str(file), _("is not a qmsdocs backup"))) from None
    target.mkdir(parents=True, exist_ok=True)
    store = FileStore(target)
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("store/objects/"):
                sha = name.rsplit("/", 1)[-1]
                blob = read_zip_part(data, name, MAX_DOCUMENT_BYTES, str(file))
                if sha256_bytes(blob) != sha:
                    raise DataError(Problem(str(file), _("object {sha}… in the backup is damaged").format(
                        sha=sha[:12])))
                store.put(blob)
        (target / CONFIG_NAME).write_bytes(read_zip_part(data, CONFIG_NAME, MAX_SMALL_PART_BYTES, str(file)))
        (target / REGISTER_NAME).write_bytes(read_zip_part(data, REGISTER_NAME, MAX_DOCUMENT_BYTES, str(file)))
    ws = Workspace.open(target, write=True)
    try:
        problems = audit.verify(ws.register)
        if problems:
            raise IntegrityError(_("{file}: the restored register fails its check: {problem}").format(
                file=file, problem=problems[0]))
        with ws.lock():
            views.materialize(ws, [int(r["id"]) for r in ws.register.query("SELECT id FROM documents")])
        head = audit.head(ws.register)
    finally:
        ws.close()
    return {"records": str(target.resolve()), "chain": head.text()}


def witness_of(path: Path) -> Head:
    """Return the trail head a controlled .docx or an export package witnesses."""
    data = read_regular(path, MAX_DOCUMENT_BYTES, str(path))
    if path.suffix.lower() == ".zip":
        try:
            manifest = json.loads(read_zip_part(data, "manifest.json", MAX_SMALL_PART_BYTES, str(path)))
            head = Head(int(manifest["chain"]["seq"]), str(manifest["chain"]["hash"]))
        except (DataError, ValueError, KeyError, TypeError):
            raise DataError(Problem(str(path), _("is not a qmsdocs export package with a witnessed trail "
                                                 "head"))) from None
        return head
    from qmsdocs.verify import properties

    props = properties(data, str(path))
    head_or_none = Head.parse(props.get(PROP_CHAIN, ""))
    if head_or_none is None:
        raise DataError(Problem(str(path), _("carries no witnessed trail head (not rendered by this qmsdocs)")))
    return head_or_none


def check_witnesses(ws: Workspace, files: list[str]) -> tuple[list[str], list[str]]:
    """Return (problems, notes) of checking each witness file against the trail."""
    problems: list[str] = []
    notes: list[str] = []
    for name in files:
        holds, message = audit.check_witness(ws.register, witness_of(Path(name)), name)
        (notes if holds else problems).append(message)
    return problems, notes


def acknowledge_restore(ws: Workspace, by: str, password: people.Password, reason: str) -> dict[str, Any]:
    """Record that an administrator restored the register from an older copy (later witnesses warn)."""
    from qmsdocs.lifecycle import required_text

    reason = required_text("--reason", reason)
    actor = people.admin(ws, by, password, N_("acknowledging a restore"))
    with run(ws) as cmd:
        head = audit.head(ws.register)
        people.clear_failures(cmd, actor)
        cmd.record("acknowledge-restore", {"restored_head": head.seq}, actor=actor["name"],
                   account=actor["account"], reason=reason)
    return {"restored_head": head.seq, "reason": reason, "warnings": cmd.warnings}


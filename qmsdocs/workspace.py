"""The records workspace: one folder holding ``qms.toml``, the register, the store and the views.

Layout::

    qms.toml            settings (control settings take effect when recorded: qms config apply)
    register.sqlite     the register (unless qms.toml names a PostgreSQL register)
    store/objects/      every controlled file, as an immutable object named by its sha256
    documents/ copies/  views: the human-facing files, materialized from the store
    exports/            the one folder inside the workspace that outputs may be written to

Reading commands open the register read-only and never write; a register of an older schema is
read through a private in-memory upgrade. Writing commands hold the workspace lock for their whole
run (transaction and views) and refuse an older schema until ``qms upgrade``.
"""
from __future__ import annotations

import errno
import json
import os
import stat
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmsdocs import config as config_mod
from qmsdocs.config import Config
from qmsdocs.db import Register
from qmsdocs.db.schema import CURRENT
from qmsdocs.errors import QmsError, RuleError, UsageError, WorkspaceBusy
from qmsdocs.i18n import _
from qmsdocs.store import FileStore, ObjectStore, RegisterStore, safe_dir, write_new_file

CONFIG_NAME = "qms.toml"
REGISTER_NAME = "register.sqlite"
LOCK_NAME = ".qms.lock"
DOCUMENTS_DIR = "documents"
COPIES_DIR = "copies"
EXPORTS_DIR = "exports"


def resolve_root(records: str | os.PathLike[str] | None) -> Path:
    """Return the workspace folder: ``--records`` > ``QMS_RECORDS`` > ``./records``."""
    if records:
        return Path(records)
    env = os.environ.get("QMS_RECORDS")
    return Path(env) if env else Path("records")


def _open_register(root: Path, config: Config, *, readonly: bool, memory_copy: bool = False,
                   environment: bool = True) -> Register:
    # QMS_DATABASE_URL only redirects a workspace whose qms.toml already names a PostgreSQL register
    # (say, to another host of the same database); never an embedded one, never ``init``.
    url = config.register_url
    if url and environment and os.environ.get("QMS_DATABASE_URL"):
        url = os.environ["QMS_DATABASE_URL"]
    if url:
        from qmsdocs.db.postgresql import PostgresRegister

        return PostgresRegister(url, readonly=readonly)
    from qmsdocs.db.sqlite import SQLiteRegister

    return SQLiteRegister(root / REGISTER_NAME, readonly=readonly, memory_copy=memory_copy)


@dataclass
class Workspace:
    """An opened workspace: its folder, configuration, register and object store."""

    root: Path
    config: Config
    register: Register
    store: ObjectStore
    writable: bool
    #: Parsed inputs by sha256, so one command parses a workbook once however often it renders.
    parsed: dict[str, Any] = field(default_factory=dict)
    #: Where the templates frozen by this process came from (sha256 → path), for messages.
    template_names: dict[str, str] = field(default_factory=dict)
    #: qms.toml as it was when opened (inode, size, mtime): a writer that waited for the lock
    #: checks that the folder still names the same register (``qms migrate`` may have moved it).
    config_stamp: tuple[int, int, int] | None = None

    @classmethod
    def open(cls, records: str | os.PathLike[str] | None = None, *, write: bool = False,
             upgrading: bool = False) -> Workspace:
        """Return the workspace at the resolved folder; UsageError if it is not one.

        ``write``: for a command that changes the register (RuleError on a register of an
        older schema, unless ``upgrading``). Otherwise the register is opened read-only.
        """
        root = resolve_root(records)
        cfg_path = root / CONFIG_NAME
        if not cfg_path.is_file():
            raise UsageError(_("{root}: not a qmsdocs workspace; create one with: qms init {root}").format(root=root))
        config = config_mod.load(cfg_path)
        if not config.register_url and not (root / REGISTER_NAME).is_file():
            raise UsageError(_("{root}: not a qmsdocs workspace (no {register}); create one with: qms init "
                               "{root}").format(root=root, register=REGISTER_NAME))
        register = _open_register(root, config, readonly=not write)
        version = register.schema_version()
        if version > CURRENT:
            register.close()
            raise UsageError(_("{where}: register schema {version} is newer than this qmsdocs knows; upgrade "
                               "qmsdocs").format(where=register.where, version=version))
        if version < CURRENT and not upgrading:
            if write:
                register.close()
                raise RuleError(_("{root}: this workspace was made by an earlier qmsdocs (register schema {version}); "
                                  "bring it up to date first: qms --records {root} upgrade").format(root=root,
                                                                                                   version=version))
            # Read an older register through a private upgraded copy: nothing on disk changes.
            register.close()
            from qmsdocs import upgrade

            register = upgrade.in_memory(root, config)
        store: ObjectStore = RegisterStore(register) if register.engine == "postgresql" else FileStore(root)
        return cls(root, config, register, store, write, config_stamp=_stamp(cfg_path))

    def close(self) -> None:
        self.register.close()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace lock (one writing command at a time, views included)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the register's own lock serializes writers
            yield
            return
        path = self.root / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise RuleError(_("{path}: is a symbolic link; remove it").format(path=path)) from None
            if exc.errno == errno.EISDIR:
                raise RuleError(_("{path}: is not a regular file; remove it").format(path=path)) from None
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise RuleError(_("{path}: is not a regular file; remove it").format(path=path))
            from qmsdocs.db.base import BUSY, busy_timeout

            deadline = time.monotonic() + busy_timeout()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WorkspaceBusy(BUSY) from None
                    time.sleep(0.02)
            self._check_register_stays()
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _check_register_stays(self) -> None:
        """Refuse to go on if qms.toml names another register than the one opened (moved meanwhile)."""
        path = self.root / CONFIG_NAME
        if self.config_stamp is None or _stamp(path) == self.config_stamp:
            return
        try:
            now = config_mod.load(path).register_url
        except QmsError:
            return  # the command goes on with the settings it read; the next one reports the file
        if now != self.config.register_url:
            raise RuleError(_("{root}: the register moved while this command waited (qms.toml names another one "
                              "now); run the command again").format(root=self.root))

    # -- views ---------------------------------------------------------------------------------
    def document_view(self, doc_no: str, version: str) -> str:
        """Return the workspace-relative path of a revision's view file."""
        return f"{DOCUMENTS_DIR}/{doc_no}/{doc_no}_{version.replace('/', '-')}.docx"

    def revlog_view(self, doc_no: str) -> str:
        return f"{DOCUMENTS_DIR}/{doc_no}/{doc_no}_revision-log.docx"

    def copy_view(self, doc_no: str, copy_no: str) -> str:
        return f"{COPIES_DIR}/{doc_no}/{copy_no}.docx"

    def path(self, relative: str) -> Path:
        return self.root / relative

    def template_for(self, doc_type: str) -> Path:
        """Return the template .docx for a document type: the workspace's own if configured."""
        own = self.config.templates.get(doc_type)
        if own:
            path = self.root / own
            if not path.is_file():
                raise UsageError(_("qms.toml: templates.{kind} = {file!r}: no such file in {root}").format(
                    kind=doc_type, file=own, root=self.root))
            return path
        return default_template(doc_type)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def init(root: Path, company: str | None = None, department: str | None = None, language: str = "zh",
         database: str | None = None) -> Path:
    """Create a workspace in ``root`` and return it; refuse if one is already there."""
    from qmsdocs.text import check_option

    check_option("--company", company)
    check_option("--department", department)
    if (root / CONFIG_NAME).exists() or (root / REGISTER_NAME).exists():
        raise RuleError(_("{root}: already a qmsdocs workspace; its register is never overwritten").format(root=root))
    if root.exists() and not root.is_dir():
        raise UsageError(_("{root}: exists and is not a folder").format(root=root))
    text = config_mod.default_toml(company, department, language)
    if database:
        from qmsdocs.db.postgresql import has_password

        if has_password(database):
            raise UsageError(_("--database: give the password in ~/.pgpass, PGPASSWORD or PGSERVICE, never in the "
                               "URL (qms.toml keeps the URL)"))
        text += f"\n[register]\nurl = {json.dumps(database)}\n"
    config = config_mod.from_dict(tomllib.loads(text))  # the file we write must load
    if not database:
        root.mkdir(parents=True, exist_ok=True)
    register = _open_register(root, config, readonly=False, environment=False)
    try:
        from qmsdocs import upgrade

        upgrade.create(register, config)
        if database:
            # A shared register: created on an empty database, else joined (this folder becomes
            # another desk's working copy, with the control settings the register records).
            text = _with_control(text, register)
    finally:
        register.close()
    root.mkdir(parents=True, exist_ok=True)
    write_new_file(root, CONFIG_NAME, text.encode("utf-8"))
    safe_dir(root, EXPORTS_DIR)
    write_new_file(root, LOCK_NAME, b"")
    return root


def _with_control(text: str, register: Register) -> str:
    """Return the text of a new qms.toml with the control settings the register records."""
    recorded = {r["name"]: json.loads(r["value"]) for r in register.query("SELECT name, value FROM settings")}
    keys = {"signatures.mode": "mode", "signatures.may_combine": "may_combine", "release.required": "required",
            "review.interval_months": "interval_months"}
    lines = text.splitlines(keepends=True)
    for setting, key in keys.items():
        if setting in recorded:
            lines = [f"{key} = {json.dumps(recorded[setting], ensure_ascii=False)}\n"
                     if line.startswith(f"{key} = ") else line for line in lines]
    return "".join(lines)


def default_template(doc_type: str) -> Path:
    """Return the shipped template for a document type (``templates/<type>.docx``)."""
    from qmsdocs.resources import template_path

    return template_path(f"{doc_type}.docx")

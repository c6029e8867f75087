"""The records workspace: one folder holding ``qms.toml``, the register and every file it issues."""
from __future__ import annotations

import os
import tomllib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from qmsdocs import config as config_mod
from qmsdocs import register
from qmsdocs.config import Config
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.files import write_atomic

CONFIG_NAME = "qms.toml"
DOCUMENTS_DIR = "documents"
INPUTS_DIR = "inputs"


def resolve_root(records: str | os.PathLike[str] | None) -> Path:
    """Return the workspace folder: ``--records`` > ``QMS_RECORDS`` > ``./records``."""
    if records:
        return Path(records)
    env = os.environ.get("QMS_RECORDS")
    return Path(env) if env else Path("records")


def init(root: Path, company: str | None = None, department: str | None = None, language: str = "zh") -> Path:
    """Create a workspace in ``root`` and return it; refuse if one is already there."""
    from qmsdocs.text import check_option

    check_option("--company", company)
    check_option("--department", department)
    if (root / CONFIG_NAME).exists() or (root / register.REGISTER_NAME).exists():
        raise RuleError(f"{root}: already a qmsdocs workspace; its register is never overwritten")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: exists and is not a folder")
    text = config_mod.default_toml(company, department, language)
    config_mod.from_dict(tomllib.loads(text))  # the file we write must load
    root.mkdir(parents=True, exist_ok=True)
    conn = register.connect(root / register.REGISTER_NAME)
    conn.close()
    write_atomic(root / CONFIG_NAME, text.encode("utf-8"))
    return root


@dataclass
class Workspace:
    """An opened workspace: its folder, configuration and register connection."""

    root: Path
    config: Config
    conn: sqlite3.Connection

    @classmethod
    def open(cls, records: str | os.PathLike[str] | None = None) -> Workspace:
        """Return the workspace at the resolved folder; UsageError if it is not one."""
        root = resolve_root(records)
        cfg_path = root / CONFIG_NAME
        if not cfg_path.is_file() or not (root / register.REGISTER_NAME).is_file():
            raise UsageError(f"{root}: not a qmsdocs workspace; create one with: qms init {root}")
        config = config_mod.load(cfg_path)
        conn = register.connect(root / register.REGISTER_NAME)
        from qmsdocs.files import recover

        recover(root, conn)
        return cls(root, config, conn)

    def close(self) -> None:
        self.conn.close()

    def document_file(self, doc_no: str, version: str) -> str:
        """Return the workspace-relative path of a revision's .docx."""
        return f"{DOCUMENTS_DIR}/{doc_no}/{doc_no}_{version.replace('/', '-')}.docx"

    def input_file(self, sha256: str, suffix: str = ".xlsx") -> str:
        """Return the workspace-relative path where an input workbook is kept as evidence."""
        return f"{INPUTS_DIR}/{sha256}{suffix}"

    def path(self, relative: str) -> Path:
        return self.root / relative

    def template_for(self, doc_type: str) -> Path:
        """Return the template .docx for a document type: the workspace's own if configured."""
        own = self.config.templates.get(doc_type)
        if own:
            path = self.root / own
            if not path.is_file():
                raise UsageError(f"qms.toml: templates.{doc_type} = {own!r}: no such file in {self.root}")
            return path
        return default_template(doc_type)


def default_template(doc_type: str) -> Path:
    """Return the shipped template for a document type (``templates/<type>.docx``)."""
    from qmsdocs.resources import template_path

    return template_path(f"{doc_type}.docx")

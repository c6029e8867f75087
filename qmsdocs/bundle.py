"""Frozen revisions: everything that decides what a revision prints, stored as one object.

A bundle names the input (workbook or Word body) and the templates by their sha256 and holds every
setting that changes the printed text. It is serialized canonically, so equal content gives an
equal hash; that hash is the revision's ``content_sha256`` and what signatures bind to. ``sign``,
``release``, status changes, copies and ``export`` render from the bundle alone: editing
``qms.toml`` or a template after signing changes nothing; ``qms update`` takes new ones in.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from qmsdocs.config import Config
from qmsdocs.errors import IntegrityError
from qmsdocs.store import ObjectStore

FORMAT = 1

#: The settings that change a document's printed text; a test fails when a setting that changes
#: output is missing here. Everything else in qms.toml (numbering, versions, required roles,
#: template paths, signature rules) decides the register, not the print.
FROZEN_SETTINGS = ("company", "department", "reference", "language", "leader_weight", "grade_bands", "show_raters")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def settings_of(config: Config) -> dict[str, Any]:
    """Return the frozen settings of a configuration, as plain JSON values."""
    return {name: _plain(getattr(config, name)) for name in FROZEN_SETTINGS}


@dataclass(frozen=True)
class Bundle:
    """What one revision prints: kind, texts, input, templates and settings."""

    kind: str
    title: str
    summary: str
    pages: str
    input_name: str
    input_sha256: str
    template_sha256: str
    revlog_template_sha256: str
    settings: dict[str, Any]
    #: Word-body documents: whether the frame adds a cover ("standard") or not ("none").
    cover: str = "standard"
    #: Word-body documents: the file as given (a .doc, or a .docx with tracked changes), kept as
    #: evidence beside the clean .docx that is frozen as the input.
    source_name: str = ""
    source_sha256: str = ""
    #: The revision record of a document registered at its existing number: rows of (version, pages,
    #: change_no, changed_by, effective_date, summary) taken over from before qmsdocs.
    history: tuple[tuple[str, ...], ...] = ()

    def encode(self) -> bytes:
        """Return the canonical bytes of the bundle (equal content, equal bytes)."""
        body = {"format": FORMAT} | dataclasses.asdict(self)
        # Left out while empty, so a bundle without them encodes as before they existed.
        for name in _OPTIONAL:
            if not body[name]:
                del body[name]
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def config(self, base: Config | None = None) -> Config:
        """Return the configuration the bundle renders with (its frozen settings over ``base``)."""
        values: dict[str, Any] = dict(self.settings)
        if "leader_weight" in values:
            values["leader_weight"] = Decimal(values["leader_weight"])
        if "grade_bands" in values:
            values["grade_bands"] = {k: Decimal(v) for k, v in values["grade_bands"].items()}
        known = {f.name for f in dataclasses.fields(Config)}
        return dataclasses.replace(base or Config(), **{k: v for k, v in values.items() if k in known})

    def objects(self) -> list[str]:
        """Return the sha256 of every object the bundle references."""
        return [s for s in (self.input_sha256, self.template_sha256, self.revlog_template_sha256,
                            self.source_sha256) if s]


_OPTIONAL = ("source_name", "source_sha256", "history")


def load(store: ObjectStore, sha: str) -> Bundle:
    """Return the bundle stored as ``sha`` (checked against its hash)."""
    data = store.get(sha, "frozen revision bundle")
    try:
        raw = json.loads(data)
        raw.pop("format")
        raw["history"] = tuple(tuple(row) for row in raw.get("history", ()))
        return Bundle(**raw)
    except (ValueError, TypeError, KeyError):
        raise IntegrityError(f"the frozen revision bundle {sha[:12]}… cannot be read") from None

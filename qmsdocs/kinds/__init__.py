"""Kinds of controlled document: what a document is made from and how it is printed.

A kind is one small object (:class:`Kind`): how it reads its input, how it renders a revision
and which options of ``qms new`` it takes. Generated kinds (plan, minutes, scores) read a
workbook and fill a template (:mod:`qmsdocs.kinds.generated`, one module each under
:mod:`qmsdocs.doctypes`); Word-body kinds (manual, procedure, regulation, instruction, form and
those a workspace adds with ``[kinds.NAME]`` in qms.toml) put an existing Word document inside
the control frame (:mod:`qmsdocs.kinds.body`).

A stored revision is rendered by the kind its bundle names, with what the bundle froze (a
body kind's cover label included), so removing a kind from qms.toml later changes no file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.names import BODY_KINDS, DOC_TYPES

if TYPE_CHECKING:
    from qmsdocs.bundle import Bundle
    from qmsdocs.config import Config
    from qmsdocs.frame import Frame
    from qmsdocs.workspace import Workspace


@dataclass
class Input:
    """What a kind read from the file given to ``new``, ``revise`` or ``update``."""

    #: What rendering needs, parsed (a workbook's data; a body's .docx bytes).
    parsed: Any
    #: The bytes frozen in the revision's bundle, and the name they are frozen under.
    frozen: bytes
    name: str
    #: The file as given, kept in the store as evidence when what is frozen was made from it.
    source: bytes | None = None
    source_name: str = ""
    warnings: list[str] = field(default_factory=list)


class Kind(Protocol):
    """What a kind of controlled document provides."""

    @property
    def name(self) -> str:
        """The kind's name, as qms.toml and the register give it."""

    @property
    def input_option(self) -> str:
        """The option of ``new``/``revise``/``update`` naming the input: ``--data`` or ``--body``."""

    @property
    def options(self) -> frozenset[str]:
        """The further options of ``qms new`` this kind takes (``--xlsx``, ``--cover``, …)."""

    @property
    def uses_template(self) -> bool:
        """Whether a revision freezes a template of this kind (the body kinds have none)."""

    def label(self, language: str) -> str:
        """Return what the cover calls a document of this kind."""

    def default_title(self, language: str) -> str | None:
        """Return the title when neither ``--title`` nor the input gives one (None: --title is required)."""

    def title_of(self, parsed: Any) -> str | None:
        """Return the title the input gives, or None."""

    def read(self, path: Path, display: str, **options: Any) -> Input:
        """Return the input read from ``path``; raise DataError naming every problem."""

    def parse(self, data: bytes, name: str) -> Any:
        """Return the frozen input ``data`` parsed again for rendering."""

    def render(self, ws: Workspace, bundle: Bundle, frame: Frame, custom: dict[str, str], parsed: Any) -> bytes:
        """Return the .docx of a revision (read back before it is returned; ReadbackError if not)."""


def names(config: Config) -> tuple[str, ...]:
    """Return every kind known in a workspace of ``config``."""
    return config.kind_names()


def get(name: str, config: Config) -> Kind:
    """Return the kind called ``name`` in a workspace of ``config``; UsageError listing the known ones."""
    if name in DOC_TYPES:
        from qmsdocs.kinds.generated import generated

        return generated(name)
    if name in BODY_KINDS or name in config.kinds:
        from qmsdocs.kinds.body import BodyKind

        own = config.kinds.get(name)
        zh, en = BODY_KINDS.get(name, ("", ""))
        return BodyKind(name, (own.label_zh if own and own.label_zh else zh),
                        (own.label_en if own and own.label_en else en))
    raise UsageError(_("unknown kind {name!r}; known: {known} "
                       "(a workspace adds Word-document kinds in qms.toml: [kinds.NAME])").format(
                           name=name, known=", ".join(names(config))))


def of_bundle(bundle: Bundle) -> Kind:
    """Return the kind that renders a frozen bundle (independent of today's qms.toml)."""
    if bundle.kind in DOC_TYPES:
        from qmsdocs.kinds.generated import generated

        return generated(bundle.kind)
    from qmsdocs.kinds.body import BodyKind

    zh, en = bundle.settings.get("kind_label") or BODY_KINDS.get(bundle.kind, ("", ""))
    return BodyKind(bundle.kind, zh, en)


def is_body(name: str, config: Config) -> bool:
    """Return whether ``name`` is a Word-body kind in a workspace of ``config``."""
    return name not in DOC_TYPES and (name in BODY_KINDS or name in config.kinds)

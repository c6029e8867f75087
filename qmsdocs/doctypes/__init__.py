"""Document types: how each reads its workbook and what it puts in front of its template."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from qmsdocs.config import Config


@dataclass(frozen=True)
class DocType:
    """One kind of controlled document and its workbook."""

    name: str
    #: Read and cross-check the workbook; return (data, warnings). Raises DataError.
    read: Callable[[Path, str], tuple[Any, list[str]]]
    #: Return the template variables of the content (everything but ``frame`` and ``L``),
    #: given the parsed data and the workspace Config (language, scoring rules).
    context: Callable[[Any, Config], dict[str, Any]]
    #: Return the title the workbook gives, or None.
    title_of: Callable[[Any], str | None]
    #: The title used when neither ``--title`` nor the workbook gives one: (zh, en).
    default_title: tuple[str, str]
    #: Return replacement bytes for named parts of the template (chart pictures): ``(data, config)``.
    media: Callable[[Any, Config], dict[str, bytes]] | None = None


def names() -> tuple[str, ...]:
    """Return the names of the generated kinds."""
    from qmsdocs.kinds.generated import MODULES

    return tuple(MODULES)


def get(name: str) -> DocType:
    """Return the document type called ``name`` (see :func:`qmsdocs.kinds.generated.doctype`)."""
    from qmsdocs.kinds.generated import doctype

    return doctype(name)


def leaf_texts(value: Any) -> list[str]:
    """Return every non-empty string inside nested dicts and lists (the values a document must show)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [t for v in value.values() for t in leaf_texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in leaf_texts(v)]
    return []

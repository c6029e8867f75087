"""The generated kinds: a workbook read by its module in :mod:`qmsdocs.doctypes`, a template filled."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.kinds import Input

if TYPE_CHECKING:
    from qmsdocs.bundle import Bundle
    from qmsdocs.doctypes import DocType
    from qmsdocs.frame import Frame
    from qmsdocs.workspace import Workspace

#: The module of each generated kind.
MODULES = {"plan": "qmsdocs.doctypes.plan", "minutes": "qmsdocs.doctypes.minutes",
           "scores": "qmsdocs.doctypes.scores"}
#: The options of ``qms new`` besides --data and --title.
_OPTIONS = {"scores": frozenset({"xlsx", "split", "jobs"})}
#: Workbooks are read within this size.
MAX_WORKBOOK_BYTES = 256 * 1024 * 1024


def doctype(name: str) -> DocType:
    """Return the workbook reader and template context of the generated kind ``name``."""
    if name not in MODULES:
        raise UsageError(_("unknown document type {name!r}; known: {known}").format(
            name=name, known=", ".join(MODULES)))
    return importlib.import_module(MODULES[name]).DOCTYPE  # type: ignore[no-any-return]


@dataclass(frozen=True)
class GeneratedKind:
    """A kind made from a workbook and a template."""

    name: str
    input_option: str = "--data"
    uses_template: bool = True

    @property
    def options(self) -> frozenset[str]:
        return _OPTIONS.get(self.name, frozenset())

    def label(self, language: str) -> str:
        from qmsdocs.labels import labels

        return labels(language)["management_document"]

    def default_title(self, language: str) -> str | None:
        zh, en = doctype(self.name).default_title
        return zh if language == "zh" else en

    def title_of(self, parsed: Any) -> str | None:
        return doctype(self.name).title_of(parsed)

    def read(self, path: Path, display: str, **options: Any) -> Input:
        from qmsdocs.safeio import bytes_as_file, read_regular

        blob = read_regular(path, MAX_WORKBOOK_BYTES, display)
        # Parse the bytes read, not the file again: what is stored is exactly what was checked.
        with bytes_as_file(blob, path.name) as copy:
            parsed, warnings = doctype(self.name).read(copy, display)
        return Input(parsed, blob, path.name, warnings=warnings)

    def parse(self, data: bytes, name: str) -> Any:
        from qmsdocs.safeio import bytes_as_file

        # An in-memory file: a command killed while parsing leaves nothing in the temporary folder.
        with bytes_as_file(data, Path(name).name or "input.xlsx") as path:
            parsed, _ = doctype(self.name).read(path, name)
        return parsed

    def render(self, ws: Workspace, bundle: Bundle, frame: Frame, custom: dict[str, str], parsed: Any) -> bytes:
        from qmsdocs.doctypes import leaf_texts
        from qmsdocs.labels import labels
        from qmsdocs.render import load_frozen_template
        from qmsdocs.rendering import check_readback
        from qmsdocs.template_check import require_printed

        kind = doctype(self.name)
        config = bundle.config(ws.config)
        content = kind.context(parsed, config)
        context = {"frame": frame.context(), "L": labels(config.language), **content}
        template = load_frozen_template(ws.store.get(bundle.template_sha256, f"{bundle.kind} template"),
                                        ws.template_names.get(bundle.template_sha256, f"{bundle.kind}.docx"))
        require_printed(bundle.template_sha256, ws.template_names.get(bundle.template_sha256, f"{bundle.kind}.docx"),
                        template.sources, bundle.kind, content)
        filled = template.fill(context, frame.core_properties(), kind.media(parsed, config) if kind.media else None,
                               custom)
        check_readback(filled.package, frame.values() + leaf_texts(content), frame.doc_no, filled.text,
                       template=(bundle.template_sha256, template.sources), context=context)
        return filled.package  # type: ignore[no-any-return]


@cache
def generated(name: str) -> GeneratedKind:
    """Return the generated kind ``name``."""
    doctype(name)
    return GeneratedKind(name)

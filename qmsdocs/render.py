"""Rendering a .docx template: docxtpl's tag clean-up, a sandboxed autoescaping Jinja2, fixed bytes.

A template is loaded and compiled once per process; rendering fills the body, header and footer
parts, writes fresh core properties and repacks the package with fixed timestamps, so the same
context always gives the same bytes. Every value printed is escaped for XML; newlines and tabs in
a value become Word line breaks and tabs.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdocs import ooxml
from qmsdocs.errors import TemplateError

_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def _finalize(value: Any) -> Any:
    """Turn every printed value into escaped WordprocessingML text (autoescape for XML)."""
    from markupsafe import Markup, escape

    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = str(escape(str(value)))
    return Markup(text.replace("\r\n", "\n").replace("\n", _BREAK).replace("\t", _TAB))


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """Return the sandboxed, autoescaping Jinja2 environment used for every template."""
    from jinja2 import DictLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize,
                                        keep_trailing_newline=True)
    # No helpers beyond range: nothing in a template can reach a module, a file or the environment.
    env.globals = {"range": env.globals["range"]}
    # An empty loader: {% include %} and {% import %} find nothing instead of failing obscurely.
    env.loader = DictLoader({})
    return env


@dataclass
class CompiledTemplate:
    """A template package with its body, header and footer parts compiled."""

    path: Path
    entries: list[tuple[str, bytes]]
    compiled: dict[str, Any]
    #: The parts no rendering changes, compressed once when the template is loaded.
    unchanged: dict[str, ooxml.Deflated]

    def render(self, context: dict[str, Any], core: dict[str, str], media: dict[str, bytes] | None = None) -> bytes:
        """Return the bytes of the filled .docx; ``media`` replaces named parts (e.g. a chart picture)."""
        from jinja2 import TemplateError as JinjaError
        from jinja2.exceptions import SecurityError, TemplateNotFound
        from lxml import etree

        out = []
        for name, data in self.entries:
            if name in self.compiled:
                try:
                    xml = self.compiled[name].render(context)
                except SecurityError as exc:
                    raise TemplateError(f"{self.path}: refused by the template sandbox: {exc}") from None
                except TemplateNotFound as exc:
                    raise TemplateError(f"{self.path}: refused by the template sandbox: a template may not "
                                        f"include or import other files ({exc})") from None
                except JinjaError as exc:
                    raise TemplateError(f"{self.path}: {name}: {exc}") from None
                data = xml.encode("utf-8")
                try:
                    etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
                except etree.XMLSyntaxError as exc:
                    raise TemplateError(f"{self.path}: {name} is not well-formed after filling: {exc}") from None
            elif name == ooxml.CORE_PART:
                data = ooxml.core_xml(core)
            elif media and name in media:
                data = media[name]
            else:
                out.append((name, self.unchanged[name]))
                continue
            out.append((name, data))
        return ooxml.write_package(out)


def patched_parts(path: Path) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """Return a template's zip entries and the Jinja source of its templated parts."""
    import zipfile

    from docxtpl import DocxTemplate

    try:
        with zipfile.ZipFile(path) as zf:
            entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(f"{path}: not a readable .docx template ({exc})") from None
    if not any(n == "word/document.xml" for n, _ in entries):
        raise TemplateError(f"{path}: not a Word document (no word/document.xml)")
    if not any(n == ooxml.CORE_PART for n, _ in entries):
        raise TemplateError(f"{path}: has no docProps/core.xml part; save it once in Word or LibreOffice")
    sources = {}
    for name, data in entries:
        if _TEMPLATED.match(name):
            # patch_xml uses no instance state: it merges tags Word split across runs.
            sources[name] = DocxTemplate.patch_xml(None, data.decode("utf-8"))  # type: ignore[arg-type]
    return entries, sources


@functools.lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> CompiledTemplate:
    from jinja2 import TemplateSyntaxError

    entries, sources = patched_parts(path)
    env = environment()
    compiled = {}
    for name, source in sources.items():
        try:
            compiled[name] = env.from_string(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"{path}: {name}: template syntax error: {exc.message}") from None
    unchanged = {name: ooxml.Deflated(name, data) for name, data in entries
                 if name not in compiled and name != ooxml.CORE_PART}
    return CompiledTemplate(path, entries, compiled, unchanged)


def load_template(path: Path) -> CompiledTemplate:
    """Return the compiled template at ``path`` (cached while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError:
        raise TemplateError(f"{path}: template not found") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)

"""Read-back that cannot be fooled: each placeholder's paragraph, found exactly in the saved file.

A template is read once into *slots*: every paragraph (or table-cell paragraph) of a templated
part that prints a value, with the loops and conditions that enclose it. After a document is
saved, the slots are evaluated with the same context the renderer used, each giving the exact
text its paragraph must have (the template's own words around the value included), and the
saved package is opened again and read paragraph by paragraph: every expected paragraph must be
there, in the part its placeholder is in, as often as the template prints it. A value printed in
another paragraph, a label dropped, or a field left out fails, where a search of the whole text
would pass (a scope equal to the period, say).

Paragraphs this reading cannot follow (a loop opened in one paragraph and closed in another, a
text box inside a paragraph) are left to the whole-text check that runs beside it.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from qmsdocs import ooxml
from qmsdocs.errors import ReadbackError
from qmsdocs.i18n import _

_TAG = re.compile(r"\{%-?\s*(for|endfor|if|elif|else|endif)\b(.*?)-?%\}", re.S)
_PARA_OPEN = re.compile(r"<w:p[\s>/]")
_PARA_CLOSE = "</w:p>"
_PRINT = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_FOR = re.compile(r"^\s*([A-Za-z_][\w\s,]*?)\s+in\s+(.+?)\s*$", re.S)
_ROOT = re.compile(r"<(\w+:\w+)((?:\s+xmlns(?::\w+)?=\"[^\"]*\"|\s+[\w:]+=\"[^\"]*\")*)\s*>")
_NS = re.compile(r"\s+xmlns(?::\w+)?=\"[^\"]*\"")


@dataclass(frozen=True)
class Slot:
    """One templated paragraph: where it is, what encloses it, what it prints."""

    part: str
    #: Enclosing loops, outermost first: (loop variable names, iterable expression).
    loops: tuple[tuple[tuple[str, ...], str], ...]
    #: Enclosing conditions: (expression, the truth it must have), all of which must hold.
    conditions: tuple[tuple[str, bool], ...]
    #: The paragraph's Jinja source (``<w:p …>…</w:p>``).
    fragment: str
    #: The expressions it prints, for messages.
    fields: tuple[str, ...]
    #: The paragraph's text as static words and printed expressions (``(text, False)`` or
    #: ``(expression, True)``), or None when only Jinja can render it (a tag inside the paragraph).
    pieces: tuple[tuple[str, bool], ...] | None = None


@dataclass(frozen=True)
class Layout:
    """The slots of a template and each part's namespace declarations."""

    slots: tuple[Slot, ...]
    namespaces: Mapping[str, str]


def _paragraph_spans(source: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each innermost ``w:p`` element that has content."""
    stack: list[int] = []
    position = 0
    while True:
        opening = _PARA_OPEN.search(source, position)
        closing = source.find(_PARA_CLOSE, position)
        if opening is None and closing < 0:
            return
        if opening is not None and (closing < 0 or opening.start() < closing):
            end_of_tag = source.find(">", opening.start())
            if end_of_tag < 0:
                return
            if source[end_of_tag - 1] != "/":  # <w:p/> has no content
                stack.append(opening.start())
            position = end_of_tag + 1
            continue
        end = closing + len(_PARA_CLOSE)
        if stack:
            start = stack.pop()
            inner = source[start + 1:closing]
            if not _PARA_OPEN.search(inner):
                yield start, end
        position = end


def layout_of(sources: Mapping[str, str]) -> Layout:
    """Return the slots of a template's patched Jinja sources (part name → source)."""
    from qmsdocs.render import environment

    env = environment()
    slots: list[Slot] = []
    namespaces: dict[str, str] = {}
    for part, source in sources.items():
        root = _ROOT.search(source)
        namespaces[part] = "".join(_NS.findall(root.group(2))) if root else ""
        tags = [(m.start(), m.end(), m.group(1), m.group(2).strip()) for m in _TAG.finditer(source)]
        spans = list(_paragraph_spans(source))
        loops: list[tuple[tuple[str, ...], str] | None] = []
        frames: list[list[tuple[str, bool]]] = []  # per open block: its conditions (empty for a loop)
        tag_index = 0
        for start, end in spans:
            while tag_index < len(tags) and tags[tag_index][0] < start:
                _, tag_end, kind, body = tags[tag_index]
                tag_index += 1
                _apply(kind, body, loops, frames)
            # tags inside the paragraph belong to its fragment; an unbalanced one changes the
            # enclosing blocks for the paragraphs after it
            inner = [t for t in tags[tag_index:] if t[0] < end]
            fragment = source[start:end]
            fields = tuple(m.group(1).strip() for m in _PRINT.finditer(fragment))
            balanced = _balanced(inner)
            if fields and balanced and None not in loops and _fragment_ok(env, fragment, bool(inner)):
                slots.append(Slot(part, tuple(x for x in loops if x is not None),
                                  tuple(c for f in frames for c in f), fragment, fields, _pieces(fragment)))
            if not balanced:
                for _, _, kind, body in inner:
                    _apply(kind, body, loops, frames)
            tag_index += len(inner)
    return Layout(tuple(slots), namespaces)


#: What a paragraph's text is made of, read the way :func:`qmsdocs.ooxml.paragraph_texts` reads it.
_TEXT_TOKEN = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:t(?:\s[^>]*)?/>|<w:(tab)\b[^>]*>|<w:(br|cr)\b[^>]*>")


def _pieces(fragment: str) -> tuple[tuple[str, bool], ...] | None:
    """Return a paragraph's text as static words and printed expressions, or None if it has tags."""
    from html import unescape

    if "{%" in fragment:
        return None
    out: list[tuple[str, bool]] = []
    outside = _TEXT_TOKEN.sub("", fragment)
    if "{{" in outside:  # a value printed outside any text run: leave it to Jinja
        return None
    for match in _TEXT_TOKEN.finditer(fragment):
        if match.group(2):
            out.append(("\t", False))
        elif match.group(3):
            out.append(("\n", False))
        elif match.group(1):
            text = unescape(match.group(1))
            position = 0
            for printed in _PRINT.finditer(text):
                out.append((text[position:printed.start()], False))
                out.append((printed.group(1).strip(), True))
                position = printed.end()
            out.append((text[position:], False))
    return tuple(p for p in out if p[0] or p[1])


def _fragment_ok(env: Any, fragment: str, has_tags: bool) -> bool:
    """Return whether a paragraph can be checked alone (one with tags must compile by itself)."""
    if not has_tags and "{%" not in fragment:
        return True
    try:
        env.from_string(fragment)
    except Exception:  # noqa: BLE001 - a fragment Jinja cannot take alone is not checked here
        return False
    return True


def _balanced(tags: list[tuple[int, int, str, str]]) -> bool:
    depth = 0
    for tag in tags:
        kind = tag[2]
        if kind in ("for", "if"):
            depth += 1
        elif kind in ("endfor", "endif"):
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _apply(kind: str, body: str, loops: list[tuple[tuple[str, ...], str] | None],
           frames: list[list[tuple[str, bool]]]) -> None:
    """Follow one block tag outside paragraphs: open or close a loop or a condition.

    A condition frame holds the tests of its earlier branches (each false) and then its own test
    (true); ``else`` keeps only the earlier ones. A loop this reading cannot follow (a filter after
    ``if``, say) is ``None`` and disables the slots inside it.
    """
    if kind == "for":
        match = _FOR.match(body)
        if match is None or " if " in f" {match.group(2)} ":
            loops.append(None)
        else:
            loops.append((tuple(n.strip() for n in match.group(1).split(",")), match.group(2)))
        frames.append([])
    elif kind == "if":
        loops.append(((), ""))  # conditions and loops open and close in one order
        frames.append([(body, True)])
    elif kind in ("elif", "else") and frames:
        earlier = [(expr, False) for expr, _ in frames[-1]]
        frames[-1] = earlier + ([(body, True)] if kind == "elif" else [])
    elif kind in ("endfor", "endif"):
        if frames:
            frames.pop()
        if loops:
            loops.pop()


@functools.lru_cache(maxsize=16)
def _cached_layout(key: str, sources: tuple[tuple[str, str], ...]) -> Layout:
    return layout_of(dict(sources))


def layout_for(key: str, sources: Mapping[str, str]) -> Layout:
    """Return the layout of a template, cached under ``key`` (the template's sha256)."""
    return _cached_layout(key, tuple(sorted(sources.items())))


def expected_paragraphs(layout: Layout, context: Mapping[str, Any]) -> dict[str, Counter[str]]:
    """Return, per part, the exact text of every templated paragraph the context fills."""
    from lxml import etree

    from qmsdocs.render import environment

    env = environment()
    out: dict[str, Counter[str]] = {}
    rendered: dict[str, list[str]] = {}
    for slot in layout.slots:
        texts = out.setdefault(slot.part, Counter())
        for scope in _scopes(env, slot, dict(context)):
            if not all(bool(evaluate(env, expr, scope)) == truth for expr, truth in slot.conditions):
                continue
            if slot.pieces is not None:
                texts["".join(_shown(evaluate(env, text, scope)) if printed else text
                              for text, printed in slot.pieces)] += 1
            else:
                rendered.setdefault(slot.part, []).append(_compiled(env, slot.fragment).render(**scope))
    for part, fragments in rendered.items():
        xml = f"<root{layout.namespaces.get(part, '')}>{''.join(fragments)}</root>".encode()
        try:
            out[part].update(ooxml.paragraph_texts(xml))
        except etree.XMLSyntaxError as exc:
            raise ReadbackError(_("{part}: a templated paragraph is not well-formed ({cause})").format(
                part=part, cause=exc)) from None
    return out


def _shown(value: Any) -> str:
    """Return a printed value as the saved file's text reads it back (see render._finalize)."""
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).replace("\r\n", "\n")


_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$")
_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")


def evaluate(env: Any, expr: str, scope: Mapping[str, Any]) -> Any:
    """Return the value of a template expression in ``scope``.

    Dotted paths (``plan.scope``, ``frame.approvals[4].name``), ``not`` and ``or`` of them are
    looked up directly, as Jinja would; anything else goes through Jinja's sandbox.
    """
    negate, paths = _parsed(expr.strip())
    if paths is not None:
        value = _lookup(paths, scope)
        if value is not _MISSING:
            return (not value) if negate else value
    text = expr.strip()
    if negate:
        return not _expression(env, text[4:].strip())(**scope)
    return _expression(env, text)(**scope)


_MISSING = object()


def _lookup(paths: tuple[tuple[str, tuple[tuple[str | None, str | None], ...]], ...],
            scope: Mapping[str, Any]) -> Any:
    """Return the first truthy value of ``or``-ed paths (else the last), or _MISSING if one is not there."""
    value: Any = None
    for name, steps in paths:
        if name not in scope:
            return _MISSING
        value = scope[name]
        for attr, index in steps:
            value, found = _step(value, attr, index)
            if not found:
                return _MISSING
        if value:
            return value
    return value


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[bool, tuple[tuple[str, tuple[tuple[str | None, str | None], ...]], ...] | None]:
    """Return whether ``text`` is negated, and its ``or``-ed dotted paths as (name, steps); None: not paths."""
    negate = text.startswith("not ")
    body = text[4:].strip() if negate else text
    parts = [p.strip() for p in body.split(" or ")]
    if not all(_PATH.match(p) for p in parts):
        return negate, None
    paths = []
    for part in parts:
        head = re.match(r"[A-Za-z_]\w*", part)
        assert head is not None
        steps = tuple((m.group(1), m.group(2)) for m in _STEP.finditer(part, head.end()))
        paths.append((head.group(0), steps))
    return negate, tuple(paths)


def _step(value: Any, attr: str | None, index: str | None) -> tuple[Any, bool]:
    """Return one lookup step (Jinja's: an item, else an attribute) and whether it was found."""
    try:
        if index is not None:
            return value[int(index)], True
        if isinstance(value, Mapping):
            if attr in value:
                return value[attr], True
            return None, False
        return getattr(value, attr), True  # type: ignore[arg-type]
    except (LookupError, TypeError, AttributeError):
        return None, False


def _scopes(env: Any, slot: Slot, scope: dict[str, Any], depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the variables of each repetition of a slot's enclosing loops."""
    if depth == len(slot.loops):
        yield scope
        return
    names, iterable = slot.loops[depth]
    if not names:  # a condition's place in the order of blocks
        yield from _scopes(env, slot, scope, depth + 1)
        return
    items = list(evaluate(env, iterable, scope) or ())
    for index, item in enumerate(items):
        inner = dict(scope)
        if len(names) == 1:
            inner[names[0]] = item
        else:
            inner.update(zip(names, item))
        inner["loop"] = _Loop(index, len(items))
        yield from _scopes(env, slot, inner, depth + 1)


@dataclass(frozen=True)
class _Loop:
    """The parts of Jinja's ``loop`` variable a paragraph may print."""

    index0: int
    length: int

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1


@functools.lru_cache(maxsize=4096)
def _compiled(env: Any, fragment: str) -> Any:
    return env.from_string(fragment)


@functools.lru_cache(maxsize=4096)
def _expression(env: Any, expr: str) -> Any:
    return env.compile_expression(expr)


def check_saved(package: bytes, layout: Layout, context: Mapping[str, Any], what: str) -> None:
    """Raise ReadbackError unless every templated paragraph is in the saved package as printed.

    ``package`` is the file as saved; it is opened again here, apart from the renderer.
    """
    import io
    import zipfile

    try:
        expected = expected_paragraphs(layout, context)
    except ReadbackError:
        raise
    except Exception as exc:  # noqa: BLE001 - the renderer took this template; say what the check could not
        raise ReadbackError(_("{what}: the read-back could not follow the template ({cause}); nothing was "
                              "registered").format(what=what, cause=exc)) from None
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for part, wanted in expected.items():
            try:
                plain = ooxml.plain_paragraph_texts(zf.read(part).decode("utf-8"))
                if plain is not None:
                    found = Counter(plain)
                else:
                    with zf.open(part) as stream:
                        found = Counter(ooxml.iter_paragraph_texts(stream))
            except KeyError:
                raise ReadbackError(_("{what}: the saved file has no {part}; nothing was registered").format(
                    what=what, part=part)) from None
            lacking = wanted - found
            if lacking:
                shown = ", ".join(repr(t) for t in list(lacking)[:3])
                more = _(" and {count} more").format(count=sum(lacking.values()) - 3) if sum(lacking.values()) > 3 \
                    else ""
                raise ReadbackError(_("{what}: {part} lacks the paragraph {shown}{more} where its template puts it; "
                                      "nothing was registered (check the template shows every field)").format(
                    what=what, part=part, shown=shown, more=more))

"""Rendering a .docx template: docxtpl's tag clean-up, a sandboxed autoescaping Jinja2, fixed bytes.

A template is loaded and compiled once per process; rendering fills the body, header and footer
parts, writes fresh core properties and repacks the package with fixed timestamps, so the same
context always gives the same bytes. Every value printed is escaped for XML; newlines and tabs in
a value become Word line breaks and tabs.

Each filled part streams through one pass: checked for well-formedness, read for its text (the
read-back) and compressed piece by piece, so a document of thousands of pages is never held whole.
A :class:`Series` renders many documents from one template, in worker processes if asked.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from qmsdocs import ooxml
from qmsdocs.errors import ReadbackError, TemplateError

_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_SLOT_DESCR = re.compile(r'(\sdescr=")(\{\{\s*\w+\s*\}\})"')
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
#: Strings the template yields that are joined into one piece of filled XML: few enough that a
#: document of thousands of pages never exists whole in memory before it is compressed, many
#: enough that the joining happens in C rather than one Python step per string.
_PIECE = 2048


def _finalize(value: Any) -> Any:
    """Turn every printed value into escaped WordprocessingML text (autoescape for XML).

    Escaped here and not only by autoescape, so that ``{% autoescape false %}`` in a template
    cannot let a workbook value into the XML unescaped.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = escape(value if isinstance(value, str) else str(value))
    if "\n" in text or "\t" in text:
        return Markup(str(text).replace("\r\n", "\n").replace("\n", _BREAK).replace("\t", _TAB))
    return text


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


@dataclass(frozen=True)
class Filled:
    """A filled .docx and the text of its body, headers and footers (one paragraph per line)."""

    package: bytes
    text: str


@dataclass
class CompiledTemplate:
    """A template package with its body, header and footer parts compiled."""

    path: Path
    entries: list[tuple[str, bytes]]
    compiled: dict[str, Any]
    #: The parts no rendering changes, compressed once when the template is loaded.
    unchanged: dict[str, ooxml.Deflated]
    #: The templated parts whose text can be read without a tree (see ooxml.plain_prefix).
    fast: frozenset[str] = frozenset()
    #: The Jinja source of each templated part, from which a worker process compiles its own copy.
    sources: dict[str, str] = field(default_factory=dict)
    #: Jinja's code of every templated part (handed to worker processes, which then compile nothing).
    all_codes: dict[str, Any] = field(default_factory=dict)
    #: Small parts written the same into many documents, compressed once (see :meth:`deflated`).
    _deflated: dict[tuple[str, bytes], ooxml.Deflated] = field(default_factory=dict, repr=False, compare=False)
    _variables: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def render(self, context: dict[str, Any], core: dict[str, str], media: dict[str, bytes] | None = None,
               custom: dict[str, str] | None = None) -> bytes:
        """Return the bytes of the filled .docx; ``media`` replaces named parts (e.g. a chart picture)."""
        return self.fill(context, core, media, custom).package

    def fill(self, context: dict[str, Any], core: dict[str, str], media: dict[str, bytes] | None = None,
             custom: dict[str, str] | None = None, body_property: str | None = None,
             ready: dict[str, tuple[ooxml.Deflated, str]] | None = None) -> Filled:
        """Return the filled .docx and its text, read from the filled XML as it is written.

        Each templated part is rendered, checked for well-formedness, read for its text and
        compressed piece by piece, in one pass: the read-back needs no second parse, and a
        document of thousands of pages is never held uncompressed. ``body_property`` names a
        custom property (added to ``custom``) that holds the sha256 of the filled
        ``word/document.xml``, hashed as it streams: the package is made once, never opened again.
        ``ready`` holds parts already filled for this context (see :meth:`frame_parts`).
        """
        import hashlib

        media = self.media_parts(media) if media else None
        out: list[tuple[str, bytes | ooxml.Deflated]] = []
        texts = []
        body_hash = hashlib.sha256() if body_property else None
        if body_hash is not None and custom is None:
            custom = {}  # the part that will hold the body's hash
        for name, data in self.entries:
            if ready and name in ready:
                entry, text = ready[name]
                out.append((name, entry))
                texts.append(text)
            elif name in self.compiled:
                entry, text = self.fill_part(name, context, body_hash if name == "word/document.xml" else None)
                out.append((name, entry))
                texts.append(text)
            elif name == ooxml.CORE_PART:
                out.append((name, self.deflated(name, ooxml.core_xml(core))))
            elif name == ooxml.APP_PART:
                out.append((name, self.deflated(name, ooxml.APP_XML)))
            elif name == ooxml.SETTINGS_PART and core.get("language"):
                out.append((name, self.deflated(name, ooxml.with_theme_language(data, core["language"]))))
            elif media and name in media:
                out.append((name, media[name]))
            elif custom is not None and name in ("[Content_Types].xml", "_rels/.rels"):
                out.append((name, self.deflated(name, ooxml.with_custom_part(name, data))))
            elif custom is not None and name == ooxml.CUSTOM_PART:
                continue
            else:
                out.append((name, self.unchanged[name]))
        if body_property is not None and body_hash is not None:
            custom = (custom or {}) | {body_property: body_hash.hexdigest()}
        if custom is not None:
            out.append((ooxml.CUSTOM_PART, ooxml.custom_xml(custom)))
        return Filled(ooxml.write_package(out), "".join(texts))

    def fill_part(self, name: str, context: dict[str, Any], hasher: Any = None) -> tuple[ooxml.Deflated, str]:
        """Return the templated part ``name`` filled and compressed, and its text (checked, in one pass)."""
        reader = ooxml.PartReader(name in self.fast)
        entry = ooxml.Deflated.streamed(name, self._pieces(name, context, reader, hasher))
        return entry, self._close(name, reader)

    def variables(self, name: str) -> frozenset[str]:
        """Return the names of the template variables the templated part ``name`` uses."""
        found = self._variables.get(name)
        if found is None:
            from jinja2 import meta

            found = self._variables[name] = frozenset(
                meta.find_undeclared_variables(environment().parse(self.sources[name])))
        return found

    def frame_parts(self, context: dict[str, Any], own: set[str]) -> dict[str, tuple[ooxml.Deflated, str]]:
        """Return the headers and footers of a series filled once: those using none of the ``own`` names.

        The headers and footers carry the control frame, the same in every document of a series:
        a part that uses only variables every document shares (``context``), and none that a
        document has of its own (``own``), fills to the same bytes in each, so it is filled once
        and copied (as :meth:`fill`'s ``ready``). It was a fifth of what a working copy cost.
        """
        return {name: self.fill_part(name, context) for name in self.compiled
                if name.startswith(("word/header", "word/footer")) and self.variables(name).isdisjoint(own)}

    def deflated(self, name: str, data: bytes) -> ooxml.Deflated:
        """Return the zip entry of the part ``name`` holding ``data``, compressed once per template.

        The document properties, settings and package parts of a series of documents are the
        same bytes in each: setting up a compressor costs more than compressing such a part, and
        it was a fifth of what a working copy cost. The same bytes give the same entry either way.
        """
        key = (name, data)
        entry = self._deflated.get(key)
        if entry is None:
            entry = ooxml.Deflated(name, data)
            if len(self._deflated) < 64:  # a bound: a long-lived process renders many documents
                self._deflated[key] = entry
        return entry

    @functools.cached_property
    def slots(self) -> dict[str, list[str]]:
        """Return the named picture slots of the template: name → media parts (see ooxml.picture_slots)."""
        parts = dict(self.entries)
        return ooxml.picture_slots(parts.get("word/document.xml", b""),
                                   parts.get("word/_rels/document.xml.rels", b""))

    def media_parts(self, media: dict[str, bytes]) -> dict[str, bytes]:
        """Return ``media`` keyed by part name: a slot name stands for the picture named so in the template."""
        out = {}
        for key, data in media.items():
            parts = self.slots.get(key)
            if parts is None and key not in self.unchanged:
                raise TemplateError(f"{self.path}: no picture with the alternative text {{{{ {key} }}}}; "
                                    "check the template with: qms template check")
            for part in parts or [key]:
                out[part] = data
        return out

    def _pieces(self, name: str, context: dict[str, Any], reader: ooxml.PartReader,
                hasher: Any = None) -> Iterator[bytes]:
        """Yield the filled part ``name`` as UTF-8 pieces, each fed to ``reader`` (and ``hasher``) first."""
        from jinja2 import TemplateError as JinjaError
        from jinja2.exceptions import SecurityError, TemplateNotFound
        from lxml import etree

        try:
            strings = self.compiled[name].generate(context)
            while batch := list(islice(strings, _PIECE)):
                piece = "".join(batch)
                data = piece.encode("utf-8")
                reader.feed(piece, data)
                if hasher is not None:
                    hasher.update(data)
                yield data
        except SecurityError as exc:
            raise TemplateError(f"{self.path}: refused by the template sandbox: {exc}") from None
        except TemplateNotFound as exc:
            raise TemplateError(f"{self.path}: refused by the template sandbox: a template may not "
                                f"include or import other files ({exc})") from None
        except JinjaError as exc:
            raise TemplateError(f"{self.path}: {name}: {exc}") from None
        except etree.XMLSyntaxError as exc:
            raise self._malformed(name, exc) from None

    def _close(self, name: str, reader: ooxml.PartReader) -> str:
        from lxml import etree

        try:
            return reader.close()
        except etree.XMLSyntaxError as exc:
            raise self._malformed(name, exc) from None

    def _malformed(self, name: str, exc: Exception) -> TemplateError:
        return TemplateError(f"{self.path}: {name} is not well-formed after filling: {exc}")


def _entries(path: Path, data: bytes | None = None) -> list[tuple[str, bytes]]:
    """Return the zip entries of a template (``data``: its bytes; else read from ``path``)."""
    from qmsdocs.errors import DataError
    from qmsdocs.safeio import MAX_DOCUMENT_BYTES, read_regular, read_zip_parts

    # A template may come from anywhere (qms template check FILE, [templates] in qms.toml): it is
    # read within the caps of every outside package, so a zip bomb is refused, never inflated.
    try:
        if data is None:
            data = read_regular(path, MAX_DOCUMENT_BYTES, str(path))
        entries = read_zip_parts(data, str(path))
    except DataError as exc:
        detail = str(exc).removeprefix(f"{path}: ")
        raise TemplateError(f"{path}: not a readable .docx template ({detail})") from None
    if not any(n == "word/document.xml" for n, _ in entries):
        raise TemplateError(f"{path}: not a Word document (no word/document.xml)")
    if not any(n == ooxml.CORE_PART for n, _ in entries):
        raise TemplateError(f"{path}: has no docProps/core.xml part; save it once in Word or LibreOffice")
    return entries


def prepare(entries: list[tuple[str, bytes]]) -> dict[str, str]:
    """Return the Jinja source of each templated part: docxtpl's merge of tags Word split across runs."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    sources = {}
    for name, data in entries:
        if _TEMPLATED.match(name):
            # patch_xml uses no instance state: it merges tags Word split across runs.
            source = DocxTemplate.patch_xml(None, data.decode("utf-8"))  # type: ignore[arg-type]
            # A picture's slot name ({{ chart_totals }} in its alternative text) is kept as written.
            sources[name] = _SLOT_DESCR.sub(r'\1{% raw %}\2{% endraw %}"', source)
    return sources


def patched_parts(path: Path, data: bytes | None = None) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """Return a template's zip entries and the Jinja source of its templated parts.

    ``data``, when given, is the template's bytes (a frozen copy); ``path`` then only names it.
    A shipped template's sources come prepared with the package (:mod:`qmsdocs.prepared`).
    """
    import hashlib

    from qmsdocs import prepared
    from qmsdocs.errors import DataError
    from qmsdocs.safeio import MAX_DOCUMENT_BYTES, read_regular

    if data is None:
        try:
            data = read_regular(path, MAX_DOCUMENT_BYTES, str(path))
        except DataError as exc:
            detail = str(exc).removeprefix(f"{path}: ")
            raise TemplateError(f"{path}: not a readable .docx template ({detail})") from None
    entries = _entries(path, data)
    sources = prepared.shipped(hashlib.sha256(data).hexdigest())
    return entries, sources if sources is not None else prepare(entries)


@functools.lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int, size: int) -> CompiledTemplate:
    entries, sources = patched_parts(path)
    return _compile(path, entries, sources)


def _compile(path: Path, entries: list[tuple[str, bytes]], sources: dict[str, str],
             unchanged: dict[str, ooxml.Deflated] | None = None,
             codes: dict[str, Any] | None = None) -> CompiledTemplate:
    """Return the template of ``entries`` with the Jinja ``sources`` of its templated parts compiled.

    ``codes``, when given, is Jinja's compiled code of each source (from the process that starts a
    worker); a source without one is compiled. Every part's code is in ``all_codes``.
    """
    from jinja2 import TemplateSyntaxError

    env = environment()
    compiled = {}
    kept = {}
    for name, source in sources.items():
        code = codes.get(name) if codes is not None else None
        if code is None:
            try:
                code = env.compile(source)
            except TemplateSyntaxError as exc:
                raise TemplateError(f"{path}: {name}: template syntax error: {exc.message}") from None
        kept[name] = code
        compiled[name] = env.template_class.from_code(env, code, env.make_globals(None), None)
    if unchanged is None:
        unchanged = {name: ooxml.Deflated(name, data) for name, data in entries
                     if name not in compiled and name != ooxml.CORE_PART}
    fast = frozenset(name for name, source in sources.items() if ooxml.plain_prefix(source))
    return CompiledTemplate(path, entries, compiled, unchanged, fast, sources, kept)


@functools.lru_cache(maxsize=16)
def _load_frozen(sha: str, name: str, data: bytes) -> CompiledTemplate:
    entries, sources = patched_parts(Path(name), data)
    return _compile(Path(name), entries, sources)


def load_frozen_template(data: bytes, name: str) -> CompiledTemplate:
    """Return the compiled template of a frozen copy's bytes (cached by content)."""
    import hashlib

    return _load_frozen(hashlib.sha256(data).hexdigest(), name, data)


def load_template(path: Path) -> CompiledTemplate:
    """Return the compiled template at ``path`` (cached while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError:
        raise TemplateError(f"{path}: template not found") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


# -- reading back --------------------------------------------------------------------------------
def check_text(text: str, expected: Sequence[str], what: str) -> None:
    """Raise ReadbackError unless every expected value appears in ``text`` (a document's text)."""
    # Most values fill a paragraph (a table cell) exactly: a set look-up spares a search of the
    # whole text, which for thousands of values over thousands of pages is what would cost.
    paragraphs = set(text.split("\n"))
    missing = [v for v in dict.fromkeys(expected) if v not in paragraphs and v not in text]
    if missing:
        shown = ", ".join(repr(v) for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ReadbackError(f"{what}: the rendered document lacks {shown}{more}; nothing was registered "
                            "(check the template shows every field)")


# -- a series of documents from one template -----------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One document of a series: its own template variables and values to read back, and its name."""

    context: dict[str, Any]
    expected: list[str]
    what: str


@dataclass(frozen=True)
class Common:
    """What every document of a series shares: variables, core properties, values to read back.

    ``custom``, when given, are custom document properties of every document; ``body_property``
    names one more that holds the sha256 of each document's own ``word/document.xml``.
    """

    context: dict[str, Any]
    core: dict[str, str]
    expected: list[str]
    custom: dict[str, str] | None = None
    body_property: str | None = None


Ready = dict[str, tuple[ooxml.Deflated, str]]


def _make(template: CompiledTemplate, common: Common, job: Job, ready: Ready | None = None) -> bytes:
    """Render one job and read it back from the text the renderer streamed; return its bytes.

    The package comes out of the renderer final, custom properties included: it is never
    unpacked, repacked or parsed again. ``ready``: the series' parts filled once (frame_parts).
    """
    filled = template.fill(common.context | job.context, common.core, custom=common.custom,
                           body_property=common.body_property, ready=ready)
    check_text(filled.text, common.expected + job.expected, job.what)
    return filled.package


def _make_all(template: CompiledTemplate, common: Common, batch: list[tuple[Job, Path | None]], files: Any,
              ready: Ready | None = None, done: Callable[[int, bytes | None], None] | None = None,
              indexes: Sequence[int] | None = None) -> list[bytes | None]:
    """Render a batch of jobs and write those with a target; return the bytes of the others.

    ``files`` is the :class:`qmsdocs.outputs.SyncedFiles` of this process, whose thread writes
    and syncs each file while the next document renders; None (in a worker process) writes each
    file at once and leaves its sync to the process that started the series. The list returned
    holds None for each job with a target; ``done(index, package)`` is called as each is
    rendered, when given.
    """
    from qmsdocs.outputs import write_unsynced

    out: list[bytes | None] = []
    for position, (job, target) in enumerate(batch):
        package: bytes | None = _make(template, common, job, ready)
        if target is not None:
            if files is None:
                write_unsynced(target, package)  # type: ignore[arg-type]
            else:
                files.write(target, package)
            package = None
        out.append(package)
        if done is not None:
            done(indexes[position] if indexes is not None else position, package)
    return out


#: The template of a worker process, compiled once by its initializer (one template per process).
_worker_template: CompiledTemplate | None = None


def _start_worker(path: Path, entries: list[tuple[str, bytes]], sources: dict[str, str],
                  unchanged: dict[str, ooxml.Deflated], codes: bytes) -> None:
    global _worker_template
    import marshal

    # The parent's patched sources, compiled code and compressed parts: a worker neither imports
    # docxtpl, nor compiles, nor deflates. (marshal: Jinja's code objects, from the parent alone.)
    _worker_template = _compile(path, entries, sources, unchanged, marshal.loads(codes))


def _render_in_worker(common: Common, batch: list[tuple[Job, Path | None]], ready: Ready) -> list[bytes | None]:
    # Files are written, not synced: the process that started the series syncs them (one fsync
    # each, by its writer thread) while it renders, so a worker never waits for the disk.
    assert _worker_template is not None
    return _make_all(_worker_template, common, batch, None, ready)


def _worker_ready() -> bool:
    return _worker_template is not None


#: Documents this process renders between two looks at the workers (their results, their next batch).
_HERE_STEP = 4
#: The most documents in one batch handed to a worker.
_WORKER_BATCH = 16


class Series:
    """Documents from one template, made in one or more processes.

    With ``processes`` > 1 the ``processes - 1`` worker processes start as soon as the series is
    created, so create it early: they get ready while this process does other work (reads the
    workbook, renders the main document). Then this process renders too, next to them. Use it as
    a context manager: leaving it stops the workers.
    """

    def __init__(self, template: CompiledTemplate, processes: int) -> None:
        self.template = template
        self.workers = max(0, processes - 1)
        self._pool: Any = None
        self._ready: list[Any] = []
        self._starter: Any = None
        self._submitted = False
        if self.workers:
            import marshal
            import multiprocessing
            import threading
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: the parent holds an open SQLite transaction, and spawn behaves the
            # same on Windows.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(template.path, template.entries, template.sources,
                                                     template.unchanged, marshal.dumps(template.all_codes)))
            # Work goes to the workers only once one has started: a batch handed over is theirs for
            # good, and this process may well finish everything before a slow start is over. The
            # first submit starts the workers and hands them the template through a pipe, which
            # blocks until a new interpreter reads it: a thread waits for that, not this process.
            self._starter = threading.Thread(target=self._start, name="qms-series-start", daemon=True)
            self._starter.start()

    def _start(self) -> None:
        from concurrent.futures import Future

        try:
            self._ready.append(self._pool.submit(_worker_ready))
        except BaseException as exc:  # no worker process at all: this process does the work
            failed: Future = Future()
            failed.set_exception(exc)
            self._ready.append(failed)

    def _started(self) -> Any:
        """Return the future that says a worker is ready, or None while the workers are being started."""
        return None if self._starter.is_alive() or not self._ready else self._ready[0]

    def __enter__(self) -> Series:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if self._pool is not None:
            self._starter.join()
            # After a failure, wait: no worker may still be writing a file once the caller undoes.
            # After success every batch is back and a worker still starting up leaves in its own time;
            # so does one that was never given work (workers started early, then the command failed).
            self._pool.shutdown(wait=kind is not None and self._submitted, cancel_futures=True)

    def run(self, common: Common, jobs: Sequence[Job], done: Callable[[int, bytes | None], None],
            targets: Sequence[Path] | None = None) -> None:
        """Render each job with the common variables and read it back for every expected value.

        ``done(index, package)`` is called here as soon as a document is ready, in no particular
        order, so none waits in memory for the rest. With ``targets``, whichever process renders
        a document writes it to ``targets[index]``, ``done`` gets None, and every file is synced
        to disk (one ``fsync`` each) before this returns. A document comes out the same bytes
        whichever process renders it; a worker's error (a read-back that fails) is raised here,
        once no worker is still writing a file of this run.
        """
        from qmsdocs.outputs import SyncedFiles

        def batch_of(indexes: range) -> list[tuple[Job, Path | None]]:
            return [(jobs[i], targets[i] if targets is not None else None) for i in indexes]

        own: set[str] = set().union(*(job.context for job in jobs))
        ready = self.template.frame_parts(common.context, own) if len(jobs) > 1 else {}
        # One writer syncs every file of the series: those this process renders (written by its
        # thread too) and those the workers wrote. All are on disk when run() returns; none is
        # left being written when it raises.
        with SyncedFiles() as files:
            def here(indexes: range) -> None:
                _make_all(self.template, common, batch_of(indexes), files, ready, done, indexes)

            def back(indexes: range, packages: list[bytes | None]) -> None:
                for index, package in zip(indexes, packages):
                    if targets is not None:
                        files.sync(targets[index])
                    done(index, package)

            if self._pool is None or len(jobs) < 2:
                here(range(len(jobs)))
            else:
                self._share(common, ready, len(jobs), here, back, batch_of)

    def _share(self, common: Common, parts: Ready, count: int, here: Callable[[range], None],
               back: Callable[[range, list[bytes | None]], None],
               batch_of: Callable[[range], list[tuple[Job, Path | None]]]) -> None:
        """Render jobs ``0 .. count - 1`` here and in the workers, and hand back what the workers made.

        This process takes a few documents at a time from the front, the workers batches from
        the back, smaller as fewer remain: both run out of work at about the same moment, and
        this process never waits long for a worker's last batch. ``parts``: the parts filled once.
        """
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        processes = self.workers + 1
        front, end = 0, count  # jobs front .. end - 1 are still to be given out
        returned: deque[range] = deque()  # batches of workers that could not start, for this process
        running: dict[Any, range] = {}
        broken = False
        try:
            while front < end or returned or running:
                ready = self._started()
                if not broken and ready is not None and ready.done():
                    broken = ready.exception() is not None
                while (not broken and ready is not None and ready.done() and front < end
                       and len(running) < 2 * self.workers):
                    size = max(1, min(_WORKER_BATCH, (end - front) // (processes * 4)))
                    batch = range(end - size, end)
                    end -= size
                    try:
                        self._submitted = True
                        running[self._pool.submit(_render_in_worker, common, batch_of(batch), parts)] = batch
                    except BrokenProcessPool:
                        returned.append(batch)
                        broken = True
                if returned:
                    here(returned.popleft())
                elif front < end:
                    step = min(_HERE_STEP, end - front)
                    here(range(front, front + step))
                    front += step
                waiting = set(running) if broken or ready is None or ready.done() else set(running) | {ready}
                if not waiting:
                    continue
                more_here = front < end or bool(returned)
                finished, _ = wait(waiting, timeout=0 if more_here else None, return_when=FIRST_COMPLETED)
                for future in finished - {ready}:
                    batch = running.pop(future)
                    try:
                        packages = future.result()
                    except BrokenProcessPool:
                        # Workers that cannot start (no importable main module, a sandbox without
                        # processes) must not fail the command: this process renders their share.
                        broken = True
                        returned.append(batch)
                        continue
                    back(batch, packages)
        except BaseException:
            # A failure here or in a worker: let the batches already handed over end first, so that
            # no worker writes into a folder the caller is about to remove.
            for future in running:
                future.cancel()
            wait(set(running))
            raise


def render_series(template: CompiledTemplate, common: Common, jobs: Sequence[Job], processes: int,
                  done: Callable[[int, bytes | None], None], targets: Sequence[Path] | None = None) -> None:
    """Render the jobs of one series in ``processes`` processes (see :class:`Series`)."""
    with Series(template, processes) as series:
        series.run(common, jobs, done, targets)

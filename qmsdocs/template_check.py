"""``qms template check``: which placeholders of a user's template are unknown, which are missing."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from qmsdocs import doctypes
from qmsdocs.config import Config
from qmsdocs.errors import ReadbackError, TemplateError
from qmsdocs.i18n import _
from qmsdocs.render import environment, patched_parts


def context_paths(value: Any, prefix: str = "") -> set[str]:
    """Return the dotted path of every leaf in a context: ``frame.doc_no``, ``indicators[].code``."""
    if isinstance(value, dict):
        out: set[str] = set()
        for key, item in value.items():
            out |= context_paths(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, (list, tuple)):
        out = {f"{prefix}[]"}
        for item in value:
            out |= context_paths(item, f"{prefix}[]")
        return out
    return {prefix}


def template_paths(source: str) -> set[str]:
    """Return the dotted paths a Jinja template reads, loop variables resolved to their lists.

    Loop variables are resolved in their own loop: two loops may both call their item ``p``.
    """
    from jinja2 import nodes

    ast = environment().parse(source)
    found: set[str] = set()
    loop_names: set[str] = set()

    def path_of(node: Any, aliases: dict[str, str]) -> str | None:
        if isinstance(node, nodes.Name):
            return aliases.get(node.name, node.name)
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node, aliases)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = path_of(node.node, aliases)
            if base is None:
                return None
            return f"{base}[]" if isinstance(node.arg.value, int) else f"{base}.{node.arg.value}"
        return None

    def visit(node: Any, aliases: dict[str, str]) -> None:
        if isinstance(node, nodes.For):
            visit(node.iter, aliases)
            inner = dict(aliases)
            base = path_of(node.iter, aliases)
            if isinstance(node.target, nodes.Name) and base:
                inner[node.target.name] = f"{base}[]"
                loop_names.add(node.target.name)
            for child in [*node.body, *node.else_]:
                visit(child, inner)
            if node.test is not None:
                visit(node.test, inner)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            path = path_of(node, aliases)
            if path:
                found.add(path)
        for child in node.iter_child_nodes():
            visit(child, aliases)

    visit(ast, {})
    # Keep only the longest chains: "frame" is a prefix of "frame.doc_no".
    return {p for p in found if p not in loop_names and not any(o.startswith(p + ".") or o.startswith(p + "[")
                                                               for o in found)}


#: Frame fields every controlled document must print, whatever its kind.
FRAME_FIELDS = frozenset({"frame.doc_no", "frame.title", "frame.version_text", "frame.mark",
                          "frame.history[].change_no"})


def used_paths(name: str, sources: dict[str, str]) -> set[str]:
    """Return the dotted paths the templated parts read; TemplateError names a syntax error."""
    used: set[str] = set()
    for part, source in sources.items():
        try:
            used |= template_paths(source)
        except Exception as exc:  # a syntax error is itself the finding
            raise TemplateError(_("{name}: {part}: template syntax error: {cause}").format(name=name, part=part,
                                                                                         cause=exc)) from None
    used.discard("range")
    return used


@functools.lru_cache(maxsize=32)
def _used_cached(key: str, name: str, sources: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(used_paths(name, dict(sources)))


def missing_fields(used: set[str] | frozenset[str], content: dict[str, Any]) -> list[str]:
    """Return the fields of ``content`` (and the frame) that no placeholder in ``used`` prints."""
    wanted = {p for p in context_paths(content) if not p.endswith("[]")} | FRAME_FIELDS
    covered = {w for w in wanted if any(u == w or w.startswith(u + ".") for u in used)}
    return sorted(wanted - covered)


def require_printed(key: str, name: str, sources: dict[str, str], kind: str, content: dict[str, Any]) -> None:
    """Refuse (exit 1) a template that does not print every field of ``content``, before anything is registered.

    ``key`` is the template's sha256 (the parse is cached under it); ``name`` names it in the message.
    """
    missing = missing_fields(_used_cached(key, name, tuple(sorted(sources.items()))), content)
    if missing:
        raise ReadbackError(_("{name}: the {kind} template does not print {missing}; nothing was registered (see: "
                              "qms template check {name} --type {kind})").format(name=name, kind=kind,
                                                                                 missing=", ".join(missing)))


def check_template(path: Path, doc_type: str, config: Config, sample: Any) -> dict[str, Any]:
    """Return the unknown and missing placeholders of template ``path`` for ``doc_type``.

    ``sample`` is parsed workbook data of that type: its context gives the known placeholders.
    Unknown ones would stop rendering; missing ones are refused at new, revise and update.
    """
    import datetime as dt

    from qmsdocs.frame import Frame, RevisionRow
    from qmsdocs.labels import labels

    kind = doctypes.get(doc_type)
    frame = Frame(company="c", department="d", language=config.language, reference="r", doc_no="n",
                  doc_type=doc_type, title="t", version="1.0", status="draft", created_on=dt.date(2000, 1, 1),
                  history=(RevisionRow("1.0", "p", "c", "b", "e", "s"),))
    content = kind.context(sample, config)
    known = context_paths({"frame": frame.context(), "L": labels(config.language), **content})
    known_prefixes = known | {k.rsplit(".", 1)[0] for k in known} | {k[:-2] for k in known if k.endswith("[]")}
    _, sources = patched_parts(path)
    used = used_paths(str(path), sources)
    unknown = sorted(p for p in used if p not in known_prefixes)
    missing = missing_fields(used, content)
    pictures = picture_problems(path, doc_type)
    missing += pictures
    return {"template": str(path), "type": doc_type, "unknown": unknown, "missing": missing, "pictures": pictures,
            "ok": not unknown and not missing}


def picture_problems(path: Path, doc_type: str) -> list[str]:
    """Return what is wrong with the named picture slots of template ``path``: missing or duplicated slots."""
    if doc_type != "scores":
        return []
    from qmsdocs import ooxml
    from qmsdocs.doctypes.scores import CHART_SLOTS

    parts = dict(ooxml.read_package(path.read_bytes()))
    slots = ooxml.picture_slots(parts.get("word/document.xml", b""), parts.get("word/_rels/document.xml.rels", b""))
    out = []
    for slot in CHART_SLOTS:
        count = len(slots.get(slot, []))
        if count == 0:
            out.append(f"picture {{{{ {slot} }}}}: no picture has it as alternative text")
        elif count > 1:
            out.append(f"picture {{{{ {slot} }}}}: {count} pictures have it as alternative text; keep one")
    return out


def check_with_samples(records: str | None, file: str, doc_type: str) -> dict[str, Any]:
    """Check template ``file`` for ``doc_type`` against the shipped sample data and the workspace settings.

    Outside a workspace the default settings are used, so a template can be checked anywhere.
    """
    from qmsdocs import config as config_mod
    from qmsdocs.errors import UsageError
    from qmsdocs.resources import sample_path
    from qmsdocs.workspace import CONFIG_NAME, resolve_root

    path = Path(file)
    if not path.is_file():
        raise UsageError(_("{file}: no such template file").format(file=file))
    cfg_path = resolve_root(records) / CONFIG_NAME
    config = config_mod.load(cfg_path) if cfg_path.is_file() else Config()
    if doc_type == "revlog":
        return _check_revlog(path, config)
    sample = sample_path(f"{doc_type}.xlsx")
    data = doctypes.get(doc_type).read(sample, str(sample))[0]
    return check_template(path, doc_type, config, data)


def _check_revlog(path: Path, config: Config) -> dict[str, Any]:
    from qmsdocs.labels import labels

    row = dict.fromkeys(("version", "status", "change_no", "changed_by", "pages", "summary", "effective_date",
                         "approved_by"), "x")
    known = context_paths({"frame": {"doc_no": 1, "title": 1, "version_text": 1, "company": 1, "department": 1},
                           "L": labels(config.language), "log": {"current": 1, "generated": 1, "revisions": [row]}})
    known |= {k.rsplit(".", 1)[0] for k in known}
    _, sources = patched_parts(path)
    used = set().union(*(template_paths(s) for s in sources.values())) - {"range"}
    wanted = {f"log.revisions[].{k}" for k in row} | {"frame.doc_no", "frame.title"}
    missing = sorted(w for w in wanted if w not in used)
    unknown = sorted(u for u in used if u not in known and not u.startswith("frame."))
    return {"template": str(path), "type": "revlog", "unknown": unknown, "missing": missing,
            "ok": not unknown and not missing}

"""The prepared Jinja sources of the shipped templates, made when the templates are built.

Preparing a template (docxtpl's merge of tags that Word splits across runs) needs docxtpl and
python-docx, about a tenth of a second to import: most of what a short command such as
``qms new plan`` spends beyond its own work. The shipped templates change only when they are
rebuilt, so their prepared sources ship beside them in ``prepared.json``, keyed by each template's
sha256 (``python -m qmsdocs.prepared --write`` after ``make templates``; a test checks the file is
up to date). Any other template, a workspace's own, is prepared when it is read.

The file is package data, read only and trusted like the code; nothing is written at run time.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

FILE = "prepared.json"


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, str]]:
    from qmsdocs.resources import template_folder

    try:
        data = (template_folder() / FILE).read_bytes()
        table = json.loads(data)
    except (OSError, ValueError):  # an install without the file prepares every template itself
        return {}
    return table if isinstance(table, dict) else {}


def shipped(sha: str) -> dict[str, str] | None:
    """Return the prepared sources (part name → Jinja source) of a shipped template, or None."""
    entry = _shipped().get(sha)
    parts = entry.get("parts") if isinstance(entry, dict) else None
    return dict(parts) if isinstance(parts, dict) else None


def build() -> dict[str, Any]:
    """Return the table of every shipped template's prepared sources, prepared afresh."""
    import hashlib

    from qmsdocs.render import _entries, prepare
    from qmsdocs.resources import template_folder

    table: dict[str, Any] = {}
    for path in sorted(template_folder().iterdir(), key=lambda p: p.name):
        if path.name.endswith(".docx"):
            data = path.read_bytes()
            table[hashlib.sha256(data).hexdigest()] = {"template": path.name,
                                                       "parts": prepare(_entries(Path(path.name), data))}
    return table


def text(table: dict[str, Any]) -> str:
    """Return the file's text for ``table`` (stable: sorted keys, one template a line block)."""
    return json.dumps(table, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


if __name__ == "__main__":  # python -m qmsdocs.prepared [--write]
    import sys

    from qmsdocs.resources import template_folder

    fresh = text(build())
    target = Path(str(template_folder())) / FILE
    if "--write" in sys.argv[1:]:
        target.write_text(fresh, encoding="utf-8")
        print(f"wrote {target}")
    else:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        print("up to date" if current == fresh else f"{target} is stale: run python -m qmsdocs.prepared --write")
        sys.exit(0 if current == fresh else 1)

"""The shipped templates come prepared: no docxtpl import for them, and the prepared file is up to date."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qmsdocs import prepared
from qmsdocs.render import _entries, patched_parts, prepare

ROOT = Path(__file__).resolve().parent.parent


def test_the_prepared_sources_are_up_to_date() -> None:
    assert (ROOT / "templates" / prepared.FILE).read_text(encoding="utf-8") == prepared.text(prepared.build()), \
        "templates/prepared.json is stale: run python -m qmsdocs.prepared --write"


def test_a_shipped_template_loads_without_docxtpl() -> None:
    code = ("import sys; from qmsdocs.render import load_template; from qmsdocs.resources import template_path; "
            "t = load_template(template_path('plan.docx')); "
            "print(sorted(t.sources), 'docxtpl' in sys.modules, 'docx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "['word/document.xml', 'word/footer1.xml', 'word/header1.xml'] False False\n"


def test_a_template_of_ones_own_is_prepared_when_read(tmp_path: Path) -> None:
    data = (ROOT / "templates" / "plan.docx").read_bytes()
    own = tmp_path / "own.docx"
    own.write_bytes(data)  # the shipped bytes under another name: still prepared
    entries, sources = patched_parts(own)
    assert sources == prepare(entries)
    import zipfile

    with zipfile.ZipFile(own, "a") as zf:  # another template now
        zf.writestr("docProps/custom-extra.xml", "<x/>")
    changed = own.read_bytes()
    assert prepared.shipped(__import__("hashlib").sha256(changed).hexdigest()) is None
    entries, sources = patched_parts(own)
    assert sources == prepare(_entries(own, changed))

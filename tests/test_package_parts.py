"""The package around the text: extended properties, theme language and styles of every document."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from qmsdocs import lifecycle, resources, workspace
from qmsdocs.workspace import Workspace

TEMPLATES = ["plan", "minutes", "scores", "revlog"]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("kind", TEMPLATES)
def test_templates_carry_only_the_styles_they_use(kind: str) -> None:
    parts = _parts(resources.template_path(f"{kind}.docx"))
    styles = parts["word/styles.xml"]
    assert len(styles) < 40_000  # python-docx's default styles were 350 kB
    defined = set(re.findall(rb'w:styleId="([^"]+)"', styles))
    used = b"".join(data for name, data in parts.items() if name.startswith("word/") and name.endswith(".xml"))
    referenced = set(re.findall(rb'w:(?:pStyle|rStyle|tblStyle|basedOn|link|next) w:val="([^"]+)"', used))
    assert referenced <= defined, referenced - defined
    assert b"Microsoft" not in parts["docProps/app.xml"]


@pytest.mark.parametrize(("language", "latin"), [("zh", b"zh-CN"), ("en", b"en-US")])
def test_documents_name_qmsdocs_and_their_language(tmp_path: Path, language: str, latin: bytes) -> None:
    root = workspace.init(tmp_path / "ws", language=language)
    ws = Workspace.open(root, write=True)
    try:
        path = Path(lifecycle.new(ws, "plan", resources.sample_path("plan.xlsx"))["path"])
    finally:
        ws.close()
    parts = _parts(path)
    app = parts["docProps/app.xml"]
    assert re.search(rb"<Application>qmsdocs</Application>", app)
    assert b"Microsoft" not in app and b"Macintosh" not in app
    lang = re.search(rb"<w:themeFontLang [^>]*/>", parts["word/settings.xml"]).group(0)
    assert lang == b'<w:themeFontLang w:val="' + latin + b'" w:eastAsia="zh-CN"/>'
    assert b"ja-JP" not in parts["word/settings.xml"]

"""The cache of compiled templates: the same documents from it, and nothing used that is not the user's own."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import render, template_cache

ROOT = Path(__file__).resolve().parent.parent
PLAN = (ROOT / "templates" / "plan.docx").read_bytes()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("QMS_CACHE_DIR", str(folder))
    render._load_frozen.cache_clear()
    yield folder
    render._load_frozen.cache_clear()


def _fill(template: render.CompiledTemplate) -> bytes:
    context = {"frame": {}, "L": {}}
    try:
        return template.render(context, {"title": "t"})
    except Exception as exc:  # the plan template needs its full context: compare the failure instead
        return repr(exc).encode()


def test_a_second_load_comes_from_the_cache_and_fills_alike(cache: Path) -> None:
    first = render.load_frozen_template(PLAN, "plan.docx")
    (entry,) = cache.iterdir()
    assert entry.name == template_cache.key(hashlib.sha256(PLAN).hexdigest())
    assert entry.stat().st_mode & 0o777 == 0o600 and cache.stat().st_mode & 0o777 == 0o700
    assert first.codes.keys() == first.sources.keys() == {"word/document.xml", "word/header1.xml",
                                                          "word/footer1.xml"}
    render._load_frozen.cache_clear()
    second = render.load_frozen_template(PLAN, "plan.docx")
    assert second.codes == {}  # nothing compiled: the code came from the cache
    assert second.sources == first.sources
    assert _fill(second) == _fill(first)


def test_a_run_with_the_cache_imports_neither_docxtpl_nor_python_docx(cache: Path) -> None:
    code = ("import sys; from qmsdocs import render; "
            f"render.load_frozen_template(open({str(ROOT / 'templates' / 'plan.docx')!r}, 'rb').read(), 'plan.docx'); "
            "print(sorted(m for m in ('docxtpl', 'docx') if m in sys.modules))")
    env = dict(os.environ, QMS_CACHE_DIR=str(cache))
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                           timeout=120).stdout.strip() for _ in range(2)]
    assert runs == ["['docx', 'docxtpl']", "[]"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
@pytest.mark.parametrize("spoil", ["group-writable folder", "world-writable entry", "damaged entry", "link"])
def test_an_entry_not_safely_the_users_own_is_not_used(cache: Path, tmp_path: Path, spoil: str) -> None:
    render.load_frozen_template(PLAN, "plan.docx")
    (entry,) = cache.iterdir()
    if spoil == "group-writable folder":
        cache.chmod(0o770)
    elif spoil == "world-writable entry":
        entry.chmod(0o666)
    elif spoil == "damaged entry":
        entry.write_bytes(b"\x00not marshal")
    else:
        elsewhere = tmp_path / "planted"
        elsewhere.write_bytes(entry.read_bytes())
        entry.unlink()
        entry.symlink_to(elsewhere)
    assert template_cache.load(entry.name) is None
    render._load_frozen.cache_clear()
    again = render.load_frozen_template(PLAN, "plan.docx")
    assert again.codes.keys() == again.sources.keys()  # compiled afresh


def test_an_unusable_cache_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "afile" / "cache"))
    render._load_frozen.cache_clear()
    try:
        assert render.load_frozen_template(PLAN, "plan.docx").codes
    finally:
        render._load_frozen.cache_clear()


def test_the_key_changes_with_the_template() -> None:
    assert template_cache.key("a" * 64) != template_cache.key("b" * 64)
    assert template_cache.key("a" * 64) == template_cache.key("a" * 64)

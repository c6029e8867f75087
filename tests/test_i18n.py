"""Messages in the workspace language: the catalogs, the language rule, Chinese output, safe encoding."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from qmsdocs import i18n
from qmsdocs.cli import cli

_spec = importlib.util.spec_from_file_location("catalog", ROOT / "tools" / "catalog.py")
catalog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalog)


def qms(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def set_language(root: Path, language: str, messages: str | None = None) -> Path:
    """Rewrite the workspace's language (and messages) setting; return ``root``."""
    toml = root / "qms.toml"
    text = "".join(line for line in toml.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.startswith("messages ="))
    text = re.sub(r'(?m)^language = "\w+"\n', f'language = "{language}"\n' + (f'messages = "{messages}"\n' if messages else ""),
                  text, count=1)
    toml.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def zh_records(records: Path) -> Path:
    """The test workspace with Chinese documents and messages."""
    return set_language(records, "zh")


# -- the catalogs -----------------------------------------------------------------------------
def test_every_message_has_a_chinese_translation_and_the_mo_is_compiled() -> None:
    assert catalog.problems() == []


def test_the_source_has_messages_and_the_catalog_translates_them() -> None:
    messages = catalog.extract()
    assert len(messages) > 80
    translations, fuzzy = catalog.read_po(catalog.catalogs()[0][1])
    assert fuzzy == set()
    with i18n.using("zh"):
        assert i18n._("Error: {message}") == "错误：{message}"
        assert all(i18n._(m) == translations[m] for m in messages)


def test_every_translation_keeps_the_fields_of_its_message() -> None:
    import string

    def fields(text: str) -> list[str]:
        return sorted(f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None)

    translations, _ = catalog.read_po(catalog.catalogs()[0][1])
    wrong = [m for m in catalog.extract() if "{" in m and fields(m) != fields(translations[m])]
    assert wrong == []


def test_a_compiled_catalog_reads_back_through_gettext(tmp_path: Path) -> None:
    import gettext

    mo = tmp_path / "x.mo"
    mo.write_bytes(catalog.compile_mo({"": "Content-Type: text/plain; charset=UTF-8\n", "Wrote {path}": "已写入 {path}",
                                       "untranslated": ""}))
    with mo.open("rb") as f:
        t = gettext.GNUTranslations(f)
    assert t.gettext("Wrote {path}") == "已写入 {path}"
    assert t.gettext("untranslated") == "untranslated"


# -- the language rule ------------------------------------------------------------------------
@pytest.mark.parametrize("env, expected", [
    ({"QMS_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ({"QMS_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"QMS_LANG": "zh_CN"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANGUAGE": "en_GB:zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"QMS_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),
    ({}, "en"),
])
def test_without_a_workspace_qms_lang_then_the_locale_choose(env: dict[str, str], expected: str) -> None:
    assert i18n.default_language(env) == expected


def test_outside_a_workspace_qms_lang_chooses_the_message_language(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("QMS_LANG", "zh")
    result = qms("--records", str(tmp_path / "nowhere"), "list")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：")


def test_the_workspace_language_wins_over_qms_lang(records: Path, monkeypatch) -> None:
    monkeypatch.setenv("QMS_LANG", "zh")
    assert qms("--records", str(records), "list").stdout == "No documents.\n"
    set_language(records, "zh")
    monkeypatch.setenv("QMS_LANG", "en")
    assert qms("--records", str(records), "list").stdout == "没有文件。\n"


def test_the_messages_setting_overrides_the_document_language(records: Path) -> None:
    set_language(records, "zh", messages="en")
    assert qms("--records", str(records), "list").stdout == "No documents.\n"
    set_language(records, "en", messages="zh")
    assert qms("--records", str(records), "list").stdout == "没有文件。\n"


def test_a_command_leaves_the_language_as_it_found_it(zh_records: Path) -> None:
    assert qms("--records", str(zh_records), "list").stdout == "没有文件。\n"
    assert i18n.language() == "en"


# -- Chinese messages in a zh workspace ------------------------------------------------------
def test_output_in_chinese(zh_records: Path) -> None:
    result = qms("--records", str(zh_records), "people", "list")
    assert result.exit_code == 0
    assert "Zhao Deming      approve" in result.stdout
    assert qms("--records", str(zh_records), "copies", "outstanding").stdout == "没有未收回的副本。\n"


def test_json_keys_stay_english_in_a_zh_workspace(zh_records: Path) -> None:
    result = qms("--records", str(zh_records), "people", "list", "--json")
    assert result.exit_code == 0
    people = json.loads(result.stdout)["people"]
    assert set(people[0]) >= {"account", "name", "roles", "active", "locked"}
    assert "approve" in next(p["roles"] for p in people if p["name"] == "Zhao Deming")


# -- output a console cannot encode -----------------------------------------------------------
@pytest.mark.parametrize("encoding", ["cp936", "latin-1"])
def test_output_a_console_cannot_encode_is_replaced_not_a_crash(zh_records: Path, encoding: str) -> None:
    env = dict(os.environ, PYTHONIOENCODING=f"{encoding}:strict", QMS_LANG="en")
    # Chinese messages on stdout and stderr, and a character cp936 lacks ("\u2014" is in it; "\U0001f600" is not).
    done = subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(zh_records), "list"],
                          capture_output=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "没有文件。\n".encode(encoding, "replace").replace(b"\n", os.linesep.encode())
    failed = subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(zh_records), "show", "\U0001f600"],
                            capture_output=True, env=env, cwd=ROOT)
    assert failed.returncode == 2
    assert b"Traceback" not in failed.stderr
    assert failed.stderr.startswith("错误：".encode(encoding, "replace"))
    assert b"?" in failed.stderr

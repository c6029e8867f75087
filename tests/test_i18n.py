"""Messages in the workspace language: the catalogs, the language rule, Chinese output, safe encoding."""
from __future__ import annotations

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
from tools import catalog



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


# -- blank workbooks in the workspace language, read back ------------------------------------
def fill_blank(path: Path, kind: str, language: str, bad_weight: bool = False) -> Path:
    """Fill the blank workbook ``kind`` written in ``language`` the way a user would (under its headers)."""
    import datetime as dt

    import openpyxl

    from conftest import PLAN_EVALUATORS, PLAN_FIELDS, PLAN_INDICATORS, PLAN_SCHEDULE
    from qmsdocs.blank import build_blank, tab_name
    from qmsdocs.sheets import WORKBOOKS

    assert kind == "plan"
    build_blank(kind, language).save(path)
    wb = openpyxl.load_workbook(path)
    plan, indicators, schedule, evaluators = (wb[tab_name(s, language)] for s in WORKBOOKS["plan"])
    for row in range(2, plan.max_row + 1):  # column A lists the fields by their labels, in sheet order
        plan.cell(row, 2, PLAN_FIELDS[WORKBOOKS["plan"][0].columns[row - 2].key])
    rows = [list(r) for r in PLAN_INDICATORS]
    if bad_weight:
        rows[0][4] = "heavy"
    for sheet, data in ((indicators, rows), (schedule, PLAN_SCHEDULE), (evaluators, PLAN_EVALUATORS)):
        for r in data:
            sheet.append([v if not isinstance(v, dt.date) else v for v in r])
    wb.save(path)
    return path


@pytest.mark.parametrize("language, tabs, headers", [
    ("en", ["Instructions", "Plan", "Indicators", "Schedule", "Evaluators"],
     ["Code", "Name", "Kind", "Dimension", "Weight", "Metric", "Target", "Limit", "Method"]),
    ("zh", ["说明", "策划", "指标", "日程", "考评人员"],
     ["代码", "名称", "类型", "维度", "权重", "计量指标", "目标值", "限值", "考评方法"]),
])
def test_qms_sheet_writes_the_workspace_language_and_reads_it_back(records: Path, tmp_path: Path, language: str,
                                                                   tabs: list[str], headers: list[str]) -> None:
    import openpyxl

    set_language(records, language)
    out = tmp_path / "blank.xlsx"
    assert qms("--records", str(records), "sheet", "plan", "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == tabs
    assert [c.value for c in wb[tabs[2]][1]] == headers
    assert wb[tabs[1]]["A3"].value == ("考评周期" if language == "zh" else "Period")
    data = fill_blank(tmp_path / "filled.xlsx", "plan", language)
    result = qms("--records", str(records), "new", "plan", "--data", str(data), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Evaluation plan Q4"


def test_a_workbook_error_in_a_zh_workspace_names_the_column_by_its_chinese_header(zh_records: Path,
                                                                                  tmp_path: Path) -> None:
    data = fill_blank(tmp_path / "bad.xlsx", "plan", "zh", bad_weight=True)
    result = qms("--records", str(zh_records), "new", "plan", "--data", str(data))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{data}，工作表 指标，第 2 行，列 权重：heavy 不是数字\n"


def test_the_same_error_in_an_en_workspace_names_the_column_by_its_key(records: Path, tmp_path: Path) -> None:
    data = fill_blank(tmp_path / "bad.xlsx", "plan", "zh", bad_weight=True)
    result = qms("--records", str(records), "new", "plan", "--data", str(data))
    assert result.stderr == f"Error: {data}, sheet 指标, row 2, column weight: heavy is not a number\n"


# -- Chinese names of document types and roles -----------------------------------------------
@pytest.mark.parametrize("kind", ["考评策划书", "考评策划", "plan", "PLAN"])
def test_chinese_document_type_names_are_accepted(zh_records: Path, tmp_path: Path, kind: str) -> None:
    import openpyxl

    out = tmp_path / "blank.xlsx"
    result = qms("--records", str(zh_records), "sheet", kind, "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "plan"
    assert "指标" in openpyxl.load_workbook(out).sheetnames


@pytest.mark.parametrize("kind, expected", [("会议纪要", "minutes"), ("考评评分表", "scores"), ("评分表", "scores")])
def test_every_document_type_has_a_chinese_name(kind: str, expected: str) -> None:
    from qmsdocs.names import doc_type_of

    assert doc_type_of(kind) == expected


def test_an_unknown_document_type_is_refused(zh_records: Path, tmp_path: Path) -> None:
    result = qms("--records", str(zh_records), "sheet", "报告", "-o", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2
    assert "'报告' is not one of 'plan', 'minutes', 'scores'" in result.stderr


def test_sign_with_chinese_role_names(zh_records: Path, tmp_path: Path) -> None:
    from conftest import PASSWORD, write_plan

    new = qms("--records", str(zh_records), "new", "plan", "--data", str(write_plan(tmp_path / "p.xlsx")), "--json")
    doc = json.loads(new.stdout)["doc_no"]
    for role, name in (("编制", "Wang Jianguo"), ("审核", "Zhou Zhiqiang"), ("批准", "Zhao Deming")):
        result = CliRunner().invoke(cli, ["--records", str(zh_records), "sign", doc, "--role", role, "--name", name,
                                          "--password-stdin", "--json"], input=PASSWORD + "\n")
        assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["role"] == "approve"


def test_release_required_roles_may_be_chinese() -> None:
    from qmsdocs.config import from_dict

    config = from_dict({"release": {"required": ["编制", "会签", "批准"]},
                        "signatures": {"may_combine": [["编制", "审核"]]}})
    assert config.required_roles == ("compile", "countersign", "approve")
    assert config.may_combine == (("compile", "review"),)


def _signed_draft(records: Path, tmp_path: Path) -> str:
    from conftest import write_plan

    new = qms("--records", str(records), "new", "plan", "--data", str(write_plan(tmp_path / "p.xlsx")), "--json")
    return json.loads(new.stdout)["doc_no"]


def _sign(records: Path, doc: str, role: str, name: str):
    from conftest import PASSWORD

    return CliRunner().invoke(cli, ["--records", str(records), "sign", doc, "--role", role, "--name", name,
                                    "--password-stdin"], input=PASSWORD + "\n")


def test_a_bad_usage_error_in_chinese(zh_records: Path, tmp_path: Path) -> None:
    doc = _signed_draft(zh_records, tmp_path)
    result = _sign(zh_records, doc, "boss", "Zhao Deming")
    assert result.exit_code == 2
    assert result.stderr == ("错误：未知角色 'boss'；角色：compile, standardize, review, countersign, approve"
                             "（或 编制、标准化、审核、会签、批准）\n")


def test_a_rule_refusal_in_chinese_and_in_english(records: Path, tmp_path: Path) -> None:
    doc = _signed_draft(records, tmp_path)
    order = "compile → standardize → review → countersign → approve"
    assert _sign(records, doc, "approve", "Zhao Deming").stderr == (
        f"Error: cannot sign approve on {doc} 1.0 before compile, review have signed (order: {order})\n")
    set_language(records, "zh")
    result = _sign(records, doc, "批准", "Zhao Deming")
    assert result.exit_code == 1
    assert result.stderr == f"错误：compile, review 签字之前不能在 {doc} 1.0 上签 approve（顺序：{order}）\n"


def test_an_install_carries_the_compiled_catalog(tmp_path: Path) -> None:
    """build_py lays out what a wheel holds: the package data must include the catalog."""
    import shutil

    source = tmp_path / "src"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("qmsdocs", "templates", "records"):  # the shipped files are package data too
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                           "--build-lib", str(tmp_path / "lib")], cwd=source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = tmp_path / "lib" / "qmsdocs" / "locale" / "zh_CN" / "LC_MESSAGES" / "qmsdocs.mo"
    assert built.read_bytes() == (ROOT / "qmsdocs" / "locale" / "zh_CN" / "LC_MESSAGES" / "qmsdocs.mo").read_bytes()

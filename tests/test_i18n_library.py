"""Refusals, warnings and results of the library in the workspace language: a zh workspace speaks Chinese."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import PASSWORD, write_plan
from qmsdocs.cli import cli


def qms(root: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--records", str(root), *args], input=stdin, catch_exceptions=False)


def set_language(root: Path, language: str) -> Path:
    """Rewrite the workspace's language setting; return ``root``."""
    toml = root / "qms.toml"
    toml.write_text(re.sub(r'(?m)^language = "\w+"$', f'language = "{language}"', toml.read_text(encoding="utf-8"),
                           count=1), encoding="utf-8")
    return root


@pytest.fixture
def zh(records: Path) -> Path:
    """The test workspace (with its roster) speaking Chinese."""
    return set_language(records, "zh")


def new_plan(root: Path, tmp_path: Path) -> str:
    result = qms(root, "new", "plan", "--data", str(write_plan(tmp_path / "plan.xlsx")), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["doc_no"]


def sign(root: Path, doc: str, role: str, name: str, password: str = PASSWORD) -> Result:
    return qms(root, "sign", doc, "--role", role, "--name", name, "--password-stdin", stdin=password + "\n")


def released(root: Path, tmp_path: Path) -> str:
    doc = new_plan(root, tmp_path)
    for role, name in (("compile", "Wang Jianguo"), ("review", "Zhou Zhiqiang"), ("approve", "Zhao Deming")):
        assert sign(root, doc, role, name).exit_code == 0
    assert qms(root, "release", doc).exit_code == 0
    return doc


# -- the roster -------------------------------------------------------------------------------
def test_a_wrong_password_is_refused_in_chinese(zh: Path) -> None:
    result = qms(zh, "people", "add", "Qian Wei", "--roles", "审核", "--by", "Admin", "--password-stdin",
                 stdin="not-the-password\n")
    assert result.exit_code == 1
    assert result.stderr == "错误：Admin 的密码错误（再错 4 次将被锁定）\n"


def test_a_signer_not_on_the_roster_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    result = sign(zh, doc, "编制", "Qian Wei")
    assert result.exit_code == 1
    assert result.stderr == "错误：Qian Wei 不在签字授权名单上；请查看：qms people list\n"


def test_a_signer_without_the_role_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    result = sign(zh, doc, "批准", "Wang Jianguo")
    assert result.exit_code == 1
    assert result.stderr == "错误：Wang Jianguo 无权签 approve；可签 approve 的人：Zhao Deming\n"


def test_the_same_refusal_stays_english_in_an_en_workspace(records: Path) -> None:
    result = qms(records, "people", "add", "Qian Wei", "--roles", "review", "--by", "Admin", "--password-stdin",
                 stdin="not-the-password\n")
    assert result.stderr == "Error: wrong password for Admin (4 more and they are locked)\n"


# -- the lifecycle ----------------------------------------------------------------------------
def test_a_release_without_its_signatures_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    assert sign(zh, doc, "编制", "Wang Jianguo").exit_code == 0
    result = qms(zh, "release", doc)
    assert result.exit_code == 1
    assert result.stderr == f"错误：不能发布 {doc} 1.0：缺少签字：review, approve\n"


def test_an_unknown_document_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    result = qms(zh, "show", doc[:-1] + "2")
    assert result.exit_code == 2
    assert result.stderr == f"错误：未知文件 {doc[:-1]}2；是否要找 {doc}？\n"


# -- the audit trail --------------------------------------------------------------------------
def test_log_verify_names_an_edited_register_row_in_chinese(zh: Path, tmp_path: Path) -> None:
    import sqlite3

    released(zh, tmp_path)
    with sqlite3.connect(zh / "register.sqlite") as conn:
        conn.execute("UPDATE revisions SET title = 'Edited title' WHERE id = 1")
    result = qms(zh, "log", "--verify")
    assert result.stdout.endswith("审计追踪已被破坏。\n")
    assert result.stderr == ("错误：登记册表 revisions，第 1 行，字段 title：现为 'Edited title'，审计追踪记录的是 "
                             "'Evaluation plan Q4'（在 qms 之外被改动）\n")


def test_a_witness_of_history_lost_in_an_acknowledged_restore_warns_in_chinese(zh: Path, tmp_path: Path) -> None:
    import shutil

    doc = released(zh, tmp_path)
    shutil.copy(zh / "register.sqlite", tmp_path / "old.sqlite")
    assert qms(zh, "revise", doc, "--change-no", "CR-1", "--by", "Wang Jianguo", "--summary", "change",
               "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    for role, name in (("compile", "Wang Jianguo"), ("review", "Zhou Zhiqiang"), ("approve", "Zhao Deming")):
        assert sign(zh, doc, role, name).exit_code == 0
    witness = tmp_path / "witness.docx"
    shutil.copy(json.loads(qms(zh, "release", doc, "--json").stdout)["path"], witness)
    shutil.copy(tmp_path / "old.sqlite", zh / "register.sqlite")
    ack = qms(zh, "log", "--acknowledge-restore", "--by", "Admin", "--reason", "disk failure", "--password-stdin",
              "--json", stdin=PASSWORD + "\n")
    assert ack.exit_code == 0, ack.stderr
    restored = json.loads(ack.stdout)["restored_head"]
    result = qms(zh, "log", "--verify", "--witness", str(witness))
    assert result.exit_code == 0
    assert re.fullmatch(
        f"警告：{re.escape(str(witness))}：见证第 \\d+ 条记录，这段历史已在恢复中丢失（该恢复由 Admin 于 2026-11-20 在第 "
        f"{restored + 1} 条记录确认：disk failure）\n", result.stderr), result.stderr


# -- files and packages -----------------------------------------------------------------------
def test_verify_of_a_superseded_file_in_chinese(zh: Path, tmp_path: Path) -> None:
    import shutil

    doc = released(zh, tmp_path)
    first = tmp_path / "first.docx"
    shutil.copy(zh / "documents" / doc / f"{doc}_1.0.docx", first)
    assert qms(zh, "revise", doc, "--change-no", "CR-1", "--by", "Wang Jianguo", "--summary", "change",
               "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    for role, name in (("compile", "Wang Jianguo"), ("review", "Zhou Zhiqiang"), ("approve", "Zhao Deming")):
        assert sign(zh, doc, role, name).exit_code == 0
    assert qms(zh, "release", doc).exit_code == 0
    result = qms(zh, "verify", str(first))
    assert result.exit_code == 1
    # The verdict is the command line's; the reason is qmsdocs.verify's.
    assert result.stdout == f"不通过：{doc} 版本 1.0 已被版本 1.1 替代（该版本自 2026-11-20 起生效）\n"


def test_an_export_with_nothing_effective_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    new_plan(zh, tmp_path)
    result = qms(zh, "export", "-o", str(tmp_path / "package.zip"))
    assert result.exit_code == 1
    assert result.stderr == "错误：尚无任何文件有生效版本；没有可导出的内容\n"


def test_an_export_of_a_draft_or_to_a_wrong_name_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    result = qms(zh, "export", "-o", str(tmp_path / "package.zip"), doc)
    assert (result.exit_code, result.stderr) == (1, f"错误：{doc} 没有可导出的生效版本\n")
    wrong = tmp_path / "package.tar"
    result = qms(zh, "export", "-o", str(wrong))
    assert (result.exit_code, result.stderr) == (2, f"错误：{wrong}：导出包文件名必须以 .zip 结尾\n")


def test_a_copy_recalled_twice_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = released(zh, tmp_path)
    assert qms(zh, "copies", "issue", doc, "--holder", "Team 1").exit_code == 0
    assert qms(zh, "copies", "recall", f"{doc}-C01").exit_code == 0
    result = qms(zh, "copies", "recall", f"{doc}-C01")
    assert (result.exit_code, result.stderr) == (1, f"错误：副本 {doc}-C01 已于 2026-11-20 收回\n")


# -- verify, settings, Word bodies, inputs ------------------------------------------------------
def test_verify_of_a_draft_in_chinese(zh: Path, tmp_path: Path) -> None:
    doc = new_plan(zh, tmp_path)
    result = qms(zh, "verify", str(zh / "documents" / doc / f"{doc}_1.0.docx"))
    assert result.exit_code == 1
    assert result.stdout == f"不通过：{doc} 版本 1.0 是草稿，尚未发布\n"


def test_a_bad_setting_in_qms_toml_is_refused_in_chinese(zh: Path) -> None:
    toml = zh / "qms.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('scheme = "decimal"', 'scheme = "roman"'),
                    encoding="utf-8")
    result = qms(zh, "list")
    assert result.exit_code == 2
    assert result.stderr == f"错误：{toml}：versions.scheme = 'roman' 必须是以下之一：decimal、letter\n"


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes need a POSIX system")
def test_a_named_pipe_given_as_input_is_refused_in_chinese(zh: Path, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "plan.xlsx"
    os.mkfifo(fifo)
    result = qms(zh, "new", "plan", "--data", str(fifo))
    assert result.exit_code == 2
    assert result.stderr == f"错误：{fifo}：是命名管道（FIFO），不是文件\n"


def test_a_word_body_with_tracked_changes_is_refused_in_chinese(zh: Path) -> None:
    body = Path(__file__).parent / "data" / "bodies" / "58067.docx"
    result = qms(zh, "new", "form", "--body", str(body), "--title", "T")
    assert result.exit_code == 2
    assert result.stderr == (f"错误：{body} 含 7 处修订：请在 Word 中接受或拒绝全部修订（审阅 > 接受 > 接受所有修订），"
                             "或加上 --accept-changes\n")

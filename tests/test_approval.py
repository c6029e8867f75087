"""The approval workflow: roster, passwords, separation of duties, order, dates, drafts, status by date."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import PASSWORD, sign, sign_all, tree_digest
from qmsdocs import audit, lifecycle, people, reports
from qmsdocs.errors import RuleError, UsageError
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


@pytest.fixture
def draft(ws: Workspace, plan_xlsx: Path) -> dict:
    return lifecycle.new(ws, "plan", plan_xlsx)


@pytest.fixture
def effective(ws: Workspace, draft: dict) -> dict:
    sign_all(ws, DOC)
    return lifecycle.release(ws, DOC)


def test_new_sign_release_and_the_trail_verifies(ws: Workspace, effective: dict) -> None:
    assert effective["status"] == "effective"
    shown = reports.show(ws, DOC)["revisions"][0]
    assert [(s["role"], s["name"], s["mode"]) for s in shown["signatures"]] == [
        ("compile", "Wang Jianguo", "electronic"), ("review", "Zhou Zhiqiang", "electronic"),
        ("approve", "Zhao Deming", "electronic")]
    assert audit.verify(ws.register) == []


@pytest.mark.parametrize("name", ["王 建国", "王建国\u200b", "ＷＡＮＧ", "wang"])
def test_names_compare_after_normalization(name: str) -> None:
    from qmsdocs.names import name_key

    assert name_key(name) in ("王建国", "wang")


@pytest.mark.parametrize("signatures, role, name, message", [
    ([], "approve", "Zhao Deming", "cannot sign approve on HO-JZ-KP-2026-001 1.0 before compile, review have signed "
                                   "(order: compile → standardize → review → countersign → approve)"),
    ([("compile", None)], "review", "Wang Jianguo", "Wang Jianguo may not sign review; who may sign review: "
                                                    "Zhou Zhiqiang"),
    ([("compile", None)], "compile", "Wang Jianguo", "compile has already signed HO-JZ-KP-2026-001 1.0"),
    ([], "compile", "Nobody", "Nobody is not on the roster; see: qms people list"),
])
def test_signing_refusals_change_nothing(ws: Workspace, records: Path, draft: dict, signatures, role, name,
                                         message) -> None:
    for r, who in signatures:
        sign(ws, DOC, r, who)
    before = tree_digest(records)
    with pytest.raises(RuleError) as info:
        lifecycle.sign(ws, DOC, role, name, password=PASSWORD)
    assert str(info.value) == message
    assert tree_digest(records) == before


def test_one_person_signs_one_role_of_a_revision(ws: Workspace, records: Path, draft: dict) -> None:
    people.change(ws, "Wang Jianguo", "roles", "Admin", PASSWORD, "compile,review")
    sign(ws, DOC, "compile")
    with pytest.raises(RuleError) as info:
        lifecycle.sign(ws, DOC, "review", "wang jianguo", password=PASSWORD)
    assert str(info.value) == ("Wang Jianguo signed compile on HO-JZ-KP-2026-001 1.0 and cannot also sign review "
                               "(separation of duties; signatures.may_combine lists the pairs allowed)")


def test_wrong_password_is_recorded_and_five_lock(ws: Workspace, records: Path, draft: dict) -> None:
    for attempt in range(1, 6):
        with pytest.raises(RuleError) as info:
            lifecycle.sign(ws, DOC, "compile", "Wang Jianguo", password="wrong-password")
    assert str(info.value) == "wrong password for Wang Jianguo (they are now locked; an administrator can unlock them)"
    refused = [e for e in audit.entries(ws.register) if e["action"] == "password-refused"]
    assert [e["changes"]["failures"] for e in refused] == [1, 2, 3, 4, 5]
    with pytest.raises(RuleError, match="Wang Jianguo is locked and cannot sign"):
        lifecycle.sign(ws, DOC, "compile", "Wang Jianguo", password=PASSWORD)
    people.change(ws, "Wang Jianguo", "unlock", "Admin", PASSWORD)
    assert sign(ws, DOC, "compile")["name"] == "Wang Jianguo"
    assert audit.verify(ws.register) == []


@pytest.mark.parametrize("date, message", [
    ("2026-11-21", "the compile date 2026-11-21 on HO-JZ-KP-2026-001 1.0 is in the future (today is 2026-11-20)"),
    ("2026-11-19", "the compile date 2026-11-19 on HO-JZ-KP-2026-001 1.0 is before the revision was created "
                   "(2026-11-20)"),
])
def test_signature_dates(ws: Workspace, draft: dict, date: str, message: str) -> None:
    with pytest.raises(RuleError) as info:
        lifecycle.sign(ws, DOC, "compile", "Wang Jianguo", date, password=PASSWORD)
    assert str(info.value) == message


def test_future_effective_date_approves_then_takes_effect(ws: Workspace, effective: dict,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
    sign_all(ws, DOC)
    released = lifecycle.release(ws, DOC, "2026-12-01")
    assert released["status"] == "approved"
    with pytest.raises(RuleError, match="is approved and takes effect on 2026-12-01"):
        lifecycle.revise(ws, DOC, "CR-2", "Wang Jianguo", "again", password=PASSWORD)
    assert [(r["version"], r["status"]) for r in reports.show(ws, DOC)["revisions"]] == [
        ("1.0", "effective"), ("1.1", "approved")]
    monkeypatch.setenv("QMS_TODAY", "2026-12-01")
    assert [(r["version"], r["status"]) for r in reports.show(ws, DOC)["revisions"]] == [
        ("1.0", "superseded"), ("1.1", "effective")]


def test_release_before_the_revision_in_force_is_refused(ws: Workspace, effective: dict,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_TODAY", "2026-11-25")
    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
    sign_all(ws, DOC)
    with pytest.raises(RuleError) as info:
        lifecycle.release(ws, DOC, "2026-11-22")
    assert str(info.value) == ("cannot release HO-JZ-KP-2026-001 1.1 effective 2026-11-22: that is before its "
                               "approval on 2026-11-25")


def test_update_voids_signatures_and_reject_keeps_the_draft_open(ws: Workspace, draft: dict) -> None:
    sign(ws, DOC, "compile")
    updated = lifecycle.update(ws, DOC, title="Corrected title")
    assert updated["voided"] == ["compile Wang Jianguo"]
    sigs = reports.show(ws, DOC)["revisions"][0]["signatures"]
    assert [(s["valid"], s["void_reason"]) for s in sigs] == [(False, "voided by update on 2026-11-20")]
    sign(ws, DOC, "compile")
    lifecycle.reject(ws, DOC, "review", "Zhou Zhiqiang", "wrong dates", password=PASSWORD)
    assert not any(s["valid"] for s in reports.show(ws, DOC)["revisions"][0]["signatures"])
    sign_all(ws, DOC)
    assert lifecycle.release(ws, DOC)["status"] == "effective"


def test_withdraw_frees_the_change_number_for_the_same_document(ws: Workspace, records: Path, effective: dict,
                                                                plan_xlsx: Path) -> None:
    revised = lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
    lifecycle.withdraw(ws, DOC, "mistaken")
    assert not Path(revised["path"]).exists()
    other = lifecycle.new(ws, "plan", plan_xlsx)["doc_no"]
    sign_all(ws, other)
    lifecycle.release(ws, other)
    with pytest.raises(RuleError, match="change-order number ＣＲ-1 is already used by HO-JZ-KP-2026-001 version 1.1"):
        lifecycle.revise(ws, other, "ＣＲ-1", "Wang Jianguo", "x", password=PASSWORD)
    assert lifecycle.revise(ws, DOC, "cr-1 ", "Wang Jianguo", "again", password=PASSWORD)["version"] == "1.2"


def test_pending_lists_what_waits_for_whom(ws: Workspace, draft: dict) -> None:
    sign(ws, DOC, "compile")
    assert reports.pending(ws)["pending"] == [{
        "doc_no": DOC, "version": "1.0", "reason": "signature", "waiting_for": ["review", "approve"],
        "who": {"review": ["Zhou Zhiqiang"], "approve": ["Zhao Deming"]}, "due": None, "since": "2026-11-20"}]


def test_settings_after_signing_change_nothing_released(ws: Workspace, records: Path, draft: dict) -> None:
    sign(ws, DOC, "compile")
    toml = records / "qms.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Hong'ou Display", "ACME"), encoding="utf-8")
    w = Workspace.open(records, write=True)
    try:
        sign(w, DOC, "review")
        sign(w, DOC, "approve")
        released = Path(lifecycle.release(w, DOC)["path"]).read_bytes()
    finally:
        w.close()
    from qmsdocs import ooxml

    text = ooxml.document_text(released)
    assert "Hong'ou Display" in text and "ACME" not in text


def test_control_settings_take_effect_only_when_recorded(ws: Workspace, records: Path, draft: dict) -> None:
    toml = records / "qms.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('mode = "electronic"', 'mode = "recorded"'),
                    encoding="utf-8")
    w = Workspace.open(records, write=True)
    try:
        with pytest.raises(RuleError, match=r"qms.toml changes control settings that are not recorded yet "
                                            r"\(signatures.mode\)"):
            lifecycle.sign(w, DOC, "compile", "Wang Jianguo", password=PASSWORD)
        lifecycle.apply_config(w, "Admin", PASSWORD)
        result = lifecycle.sign(w, DOC, "compile", "Wang Jianguo", by="Admin", by_password=PASSWORD)
        assert result["mode"] == "recorded"
    finally:
        w.close()


@pytest.mark.parametrize("sql, field", [
    ("UPDATE revisions SET status = 'effective' WHERE version = '1.0'", "revisions, row 1, field status"),
    ("UPDATE revisions SET change_no = 'X' WHERE id = 1", "revisions, row 1, field change_no"),
    ("UPDATE signatures SET name = 'Someone' WHERE id = 1", "signatures, row 1, field name"),
    ("UPDATE people SET roles = '[\"admin\"]' WHERE id = 2", "people, row 2, field roles"),
    ("DELETE FROM copies", "copies, row 1: deleted outside qms"),
])
def test_direct_edits_of_the_register_are_caught(ws: Workspace, records: Path, effective: dict, sql: str,
                                                 field: str) -> None:
    from qmsdocs import copies

    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
    sign_all(ws, DOC)
    lifecycle.release(ws, DOC)
    copies.issue(ws, DOC, "Team 1")
    with sqlite3.connect(records / "register.sqlite") as conn:
        conn.execute(sql)
    problems = audit.verify(ws.register)
    assert any(field in p for p in problems), problems


def test_a_rolled_back_register_is_caught_by_a_witness(ws: Workspace, records: Path, effective: dict,
                                                       tmp_path: Path) -> None:
    import shutil

    from qmsdocs.maintenance import check_witnesses

    backup = tmp_path / "old.sqlite"
    shutil.copy(records / "register.sqlite", backup)
    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
    sign_all(ws, DOC)
    later = lifecycle.release(ws, DOC)["path"]
    ws.close()
    shutil.copy(backup, records / "register.sqlite")
    w = Workspace.open(records)
    try:
        problems, _ = check_witnesses(w, [later])
    finally:
        w.close()
    assert len(problems) == 1 and "the trail ends before it (the register was rolled back" in problems[0]


def test_reading_commands_never_write(ws: Workspace, records: Path, effective: dict) -> None:
    from qmsdocs.verify import verify_file

    before = tree_digest(records)
    r = Workspace.open(records)
    try:
        reports.list_documents(r)
        reports.show(r, DOC)
        reports.pending(r)
        assert verify_file(r, effective["path"])["ok"]
    finally:
        r.close()
    assert tree_digest(records) == before


def test_unknown_document_suggests_the_nearest(ws: Workspace, draft: dict) -> None:
    with pytest.raises(UsageError) as info:
        reports.show(ws, "HO-JZ-KP-2026-01")
    assert str(info.value) == "unknown document HO-JZ-KP-2026-01; did you mean HO-JZ-KP-2026-001?"
    assert reports.show(ws, " ho-jz-kp-2026-001 ")["doc_no"] == DOC


def test_upgrade_of_a_workspace_made_by_the_previous_release(tmp_path: Path) -> None:
    import zipfile

    from qmsdocs.maintenance import upgrade

    root = tmp_path / "old"
    with zipfile.ZipFile(Path(__file__).parent / "data" / "workspaces" / "v0.1.0.zip") as zf:
        zf.extractall(root)
    with pytest.raises(RuleError, match="made by an earlier qmsdocs"):
        Workspace.open(root, write=True)
    r = Workspace.open(root)  # reading works before the upgrade
    try:
        assert [d["doc_no"] for d in reports.list_documents(r)["documents"]] == ["HO-JZ-HY-2026-001",
                                                                                 "HO-JZ-KP-2026-001"]
    finally:
        r.close()
    result = upgrade(str(root))
    assert result["signers"] == ["王建国", "周志强", "赵德明"]
    w = Workspace.open(root, write=True)
    try:
        assert audit.verify(w.register) == []
        sigs = reports.show(w, "HO-JZ-KP-2026-001")["revisions"][0]["signatures"]
        assert {s["recorded"] for s in sigs} == {"recorded before the roster"}
        legacy = [e for e in audit.entries(w.register) if e["format"] == 1]
        assert [e["action"] for e in legacy][:2] == ["new", "sign"]
    finally:
        w.close()


def test_master_list_shows_the_revision_in_force_with_its_own_change_number(ws: Workspace, effective: dict) -> None:
    import io
    from types import SimpleNamespace

    import openpyxl

    from qmsdocs.masterlist import master_list_bytes

    lifecycle.revise(ws, DOC, "CR-7", "Wang Jianguo", "change", password=PASSWORD)
    listing = reports.list_documents(ws)["documents"]
    assert listing == [{"doc_no": DOC, "type": "plan", "title": "Evaluation plan Q4", "version": "1.0",
                        "status": "effective", "effective_date": "2026-11-20", "change_no": None,
                        "approver": "Zhao Deming", "owner": "Wang Jianguo", "next_review": "2028-11-20",
                        "open_draft": "1.1"}]
    assert [d["doc_no"] for d in reports.list_documents(ws, status="draft")["documents"]] == [DOC]
    zh = SimpleNamespace(config=SimpleNamespace(language="zh", company="红鸥显示"))
    sheet = openpyxl.load_workbook(io.BytesIO(master_list_bytes(zh, listing))).active
    assert sheet.title == "受控文件清单"
    assert sheet["A1"].value == "红鸥显示 受控文件清单（截至 2026-11-20）"
    assert [c.value for c in sheet[2]] == ["文件编号", "标题", "类型", "版本", "状态", "生效日期", "更改单号",
                                           "批准人", "下次评审", "在编草稿", "编制人"]
    assert [c.value for c in sheet[3]] == [DOC, "Evaluation plan Q4", "考评策划书", "1.0", "受控", "2026-11-20",
                                           None, "Zhao Deming", "2028-11-20", "1.1", "Wang Jianguo"]

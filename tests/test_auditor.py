"""What an auditor relies on: verify outcomes, the export package, the audit trail, controlled copies."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from qmsdocs import audit, copies, lifecycle
from qmsdocs.cli import cli
from qmsdocs.errors import RuleError
from qmsdocs.export import export
from qmsdocs.files import sha256_bytes
from qmsdocs.verify import verify_file
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _release(ws: Workspace) -> dict:
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        lifecycle.sign(ws, DOC, role, name)
    return lifecycle.release(ws, DOC)


@pytest.fixture
def history(ws: Workspace, plan_xlsx: Path) -> dict[str, Path]:
    """1.0 superseded by 1.1, the draft rendering of 1.0 kept aside, a draft 1.2 open."""
    draft = Path(lifecycle.new(ws, "plan", plan_xlsx)["path"])
    draft_copy = draft.with_name("draft-copy.docx")
    draft_copy.write_bytes(draft.read_bytes())
    old = _release(ws)["path"]
    old_copy = Path(old).with_name("old-copy.docx")
    old_copy.write_bytes(Path(old).read_bytes())
    lifecycle.revise(ws, DOC, "CR-1", "Wang", "change one")
    current = _release(ws)["path"]
    open_draft = lifecycle.revise(ws, DOC, "CR-2", "Wang", "change two")["path"]
    return {"draft_of_1.0": draft_copy, "1.0": old_copy, "1.1": Path(current), "1.2": Path(open_draft)}


def _tampered(path: Path, dest: Path) -> Path:
    """Copy a .docx changing one character of its text, keeping everything else."""
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace("Evaluate".encode(), "Evaluatf".encode(), 1)
            zf.writestr(info, data)
    dest.write_bytes(out.getvalue())
    return dest


@pytest.mark.parametrize("which, ok, status, unaltered, current, reason", [
    ("1.1", True, "effective", True, True, "HO-JZ-KP-2026-001 version 1.1 is the current effective revision, unaltered"),
    ("1.0", False, "superseded", True, False,
     "HO-JZ-KP-2026-001 version 1.0 is superseded by version 1.1, effective since 2026-11-20"),
    ("1.2", False, "draft", True, False, "HO-JZ-KP-2026-001 version 1.2 is a draft, not released"),
    ("draft_of_1.0", False, "superseded", False, False,
     "HO-JZ-KP-2026-001 version 1.0 is the draft rendering from before its release; the released file differs"),
])
def test_verify_outcomes(ws: Workspace, history: dict[str, Path], which, ok, status, unaltered, current, reason):
    result = verify_file(ws, history[which])
    assert (result["ok"], result["status"], result["unaltered"], result["current"], result["reason"]) == (
        ok, status, unaltered, current, reason)


def test_verify_altered_obsolete_unknown_through_the_cli(ws: Workspace, records: Path, history: dict[str, Path],
                                                          tmp_path: Path) -> None:
    altered = _tampered(history["1.1"], tmp_path / "altered.docx")
    result = CliRunner().invoke(cli, ["--records", str(records), "verify", str(altered), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["doc_no"], data["version"], data["unaltered"], data["current"]) == (DOC, "1.1", False, True)
    assert data["reason"].startswith("HO-JZ-KP-2026-001 version 1.1 was altered: its sha256 ")
    assert result.stderr.startswith(f"Error: {altered}: HO-JZ-KP-2026-001 version 1.1 was altered")

    ok = CliRunner().invoke(cli, ["--records", str(records), "verify", str(history["1.1"])])
    assert (ok.exit_code, ok.stdout) == (0, "OK: HO-JZ-KP-2026-001 version 1.1 is the current effective revision, "
                                            "unaltered\n")
    lifecycle.obsolete(ws, DOC, "Zhao", "replaced")
    gone = CliRunner().invoke(cli, ["--records", str(records), "verify", str(history["1.1"]), "--json"])
    assert gone.exit_code == 1
    assert json.loads(gone.stdout)["reason"] == "HO-JZ-KP-2026-001 version 1.1 is obsolete since 2026-11-20 (replaced)"

    other = docx.Document()
    other.core_properties.identifier = "XYZ-1"
    other.save(tmp_path / "other.docx")
    unknown = CliRunner().invoke(cli, ["--records", str(records), "verify", str(tmp_path / "other.docx")])
    assert unknown.exit_code == 1
    assert unknown.stderr == f"Error: {tmp_path / 'other.docx'}: XYZ-1 version ? is unknown to this register\n"
    (tmp_path / "not.docx").write_text("hello")
    bad = CliRunner().invoke(cli, ["--records", str(records), "verify", str(tmp_path / "not.docx")])
    assert (bad.exit_code, bad.stderr) == (2, f"Error: {tmp_path / 'not.docx'}: is not a Word .docx file with "
                                              "document properties\n")


def test_export_package_hashes_and_signatures(ws: Workspace, history: dict[str, Path], tmp_path: Path) -> None:
    result = export(ws, tmp_path / "pkg.zip")
    with zipfile.ZipFile(tmp_path / "pkg.zip") as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        for entry in manifest["files"]:
            assert sha256_bytes(zf.read(entry["name"])) == entry["sha256"]
        assert zf.read(f"documents/{DOC}_1.1.docx") == history["1.1"].read_bytes()
    assert names == [f"documents/{DOC}_1.1.docx", "master-list.xlsx", f"revision-logs/{DOC}_revision-log.docx",
                     "manifest.json"]
    [entry] = manifest["documents"]
    assert (entry["version"], entry["change_no"], entry["effective_date"]) == ("1.1", "CR-1", "2026-11-20")
    assert [(s["role"], s["name"], s["meaning"]) for s in entry["signatures"]] == [
        ("compile", "Wang", "compiled (编制): author of the content"),
        ("review", "Zhou", "reviewed (审核): content reviewed and found correct"),
        ("approve", "Zhao", "approved (批准): authorised for use")]
    assert result["documents"] == manifest["documents"]
    again = export(ws, tmp_path / "again.zip")
    assert again["sha256"] == result["sha256"]  # deterministic package


def test_export_refuses_an_altered_workspace_file(ws: Workspace, history: dict[str, Path], tmp_path: Path) -> None:
    history["1.1"].write_bytes(_tampered(history["1.1"], tmp_path / "t.docx").read_bytes())
    with pytest.raises(RuleError, match="the file in the workspace was altered"):
        export(ws, tmp_path / "pkg.zip")
    assert not (tmp_path / "pkg.zip").exists()


def _break(ws: Workspace, sql: str) -> list[str]:
    ws.conn.execute(sql)
    return audit.verify(ws.conn)


@pytest.mark.parametrize("sql, problem", [
    ("UPDATE audit SET actor = 'Mallory' WHERE id = 3", "audit entry 3 was altered (its hash does not match its content)"),
    ("DELETE FROM audit WHERE id = 4", "audit entry 4 is missing (next is 5)"),
    ("UPDATE audit SET id = CASE id WHEN 3 THEN 103 WHEN 4 THEN 3 END WHERE id IN (3, 4)",
     "audit entry 3 does not follow the one before it (deleted or reordered)"),
    ("DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)",
     "the audit trail ends at entry 10 but the register recorded 11 entries (newest entries deleted)"),
    ("UPDATE signatures SET name = 'Mallory' WHERE id = 1",
     "signature 1 (HO-JZ-KP-2026-001 1.0 compile Mallory 2026-11-20) is not in the audit trail "
     "(edited or added outside qms)"),
    ("UPDATE revisions SET sha256 = 'abc' WHERE version = '1.1'",
     "HO-JZ-KP-2026-001 1.1: the file hash in the register is not the one the audit trail recorded "
     "(edited outside qms)"),
])
def test_tampering_with_the_register_is_detected(ws: Workspace, records: Path, history: dict[str, Path],
                                                 sql: str, problem: str) -> None:
    assert audit.verify(ws.conn) == []
    assert _break(ws, sql)[0] == problem
    result = CliRunner().invoke(cli, ["--records", str(records), "log", "--verify"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"Error: {problem}"


def test_log_lists_who_what_when_why(ws: Workspace, records: Path, history: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["--records", str(records), "log", DOC, "--json"])
    entries = json.loads(result.stdout)["entries"]
    assert [e["action"] for e in entries][:5] == ["new", "sign", "sign", "sign", "release"]
    revise = next(e for e in entries if e["action"] == "revise")
    assert (revise["actor"], revise["reason"], revise["changes"]["change_no"]) == ("Wang", "change one", [None, "CR-1"])
    assert all(e["os_user"] for e in entries)


def test_controlled_copies(ws: Workspace, records: Path, history: dict[str, Path]) -> None:
    issued = copies.issue(ws, DOC, "Service team", count=2)
    numbers = [c["copy_no"] for c in issued["copies"]]
    assert numbers == [f"{DOC}-C01", f"{DOC}-C02"]
    more = copies.issue(ws, DOC, "QA", count=1)["copies"]
    assert [c["copy_no"] for c in more] == [f"{DOC}-C03"]
    document = docx.Document(issued["copies"][0]["path"])
    assert document.sections[0].footer.paragraphs[0].text == f"Copy No.: {DOC}-C01"
    block = {row.cells[3].text: row.cells[4].text for row in document.tables[0].rows}
    assert block["Copy No."] == f"{DOC}-C01"
    assert verify_file(ws, issued["copies"][0]["path"])["ok"] is True
    assert copies.outstanding(ws) == {"copies": []}
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        lifecycle.sign(ws, DOC, role, name)
    lifecycle.release(ws, DOC)
    assert [c["copy_no"] for c in copies.outstanding(ws)["copies"]] == numbers + [f"{DOC}-C03"]
    copies.recall(ws, f"{DOC}-C02")
    assert [c["copy_no"] for c in copies.outstanding(ws)["copies"]] == [f"{DOC}-C01", f"{DOC}-C03"]
    with pytest.raises(RuleError, match="already recalled on 2026-11-20"):
        copies.recall(ws, f"{DOC}-C02")
    assert audit.verify(ws.conn) == []

"""``qms demo`` puts the seed standard (records/regulation.docx) under control beside the generated documents."""
from __future__ import annotations

from pathlib import Path

from qmsdocs.demo import SAMPLE_FILES, run_demo
from qmsdocs.resources import sample_path


def test_the_regulation_ships_with_the_samples() -> None:
    assert "regulation.docx" in SAMPLE_FILES and sample_path("regulation.docx").is_file()


def test_demo_controls_the_regulation_through_a_revision(tmp_path: Path) -> None:
    demo = run_demo(str(tmp_path / "demo"))
    listed = {d["type"]: (d["doc_no"], d["version"], d["status"]) for d in demo["documents"]}
    assert listed["regulation"] == ("HO-JZ-GL-2026-001", "1.1", "effective")
    assert set(listed) == {"plan", "minutes", "scores", "regulation"}
    assert any(f.endswith("HO-JZ-GL-2026-001_1.1.docx") for f in demo["files"])
    assert "revise 修订 (CR-2026-018)" in [s["step"] for s in demo["steps"]]


def test_demo_prints_the_master_list_and_writes_it(tmp_path: Path) -> None:
    import openpyxl
    from click.testing import CliRunner

    from qmsdocs.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    listed = result.stdout.split("Master list:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[:3] for line in listed] == [
        ["HO-JZ-GL-2026-001", "1.1", "effective"], ["HO-JZ-HY-2026-001", "1.0", "effective"],
        ["HO-JZ-KP-2026-001", "1.1", "effective"], ["HO-JZ-PF-2026-001", "1.0", "effective"]]
    sheet = openpyxl.load_workbook(tmp_path / "demo" / "exports" / "受控文件清单.xlsx").active
    assert [sheet.cell(row, 1).value for row in range(3, 7)] == [line.split()[0] for line in listed]
    assert sheet.cell(3, 3).value == "管理办法"

"""The rendered evaluation plan, reopened with python-docx as a reader would."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from conftest import PLAN_INDICATORS, write_plan, sign
from qmsdocs import lifecycle, workspace
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"
TRICKY = "R&D <team> \"quoted\" 'single' {{ 7*7 }} {% if x %} 中文 😀"


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _header_text(document) -> str:
    header = document.sections[0].header
    return "\n".join(cell.text for table in header.tables for row in table.rows for cell in row.cells)


@pytest.fixture
def tricky_plan(tmp_path: Path) -> Path:
    return write_plan(
        tmp_path / "tricky.xlsx",
        fields={"purpose": TRICKY, "scope": "line one\nline two\twith tab", "organizer": "  leading spaces"},
        indicators=PLAN_INDICATORS + [["S2", TRICKY, "qualitative", "process", 5, None, "≥80 & <100", None, "ask"]],
        evaluators=[["王建国", "组长 & leader", "leader"], ["Li <Ming>", "peer {{ x }}", "peer"]],
    )


def test_every_input_value_appears_exactly_where_it_belongs(ws: Workspace, tricky_plan: Path) -> None:
    result = lifecycle.new(ws, "plan", tricky_plan, title="Plan & <Q4>")
    document = docx.Document(result["path"])
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs.count(TRICKY) == 1  # purpose
    assert "line one\nline two\twith tab" in paragraphs
    indicator_rows = [[c.text for c in row.cells] for row in document.tables[3].rows]
    assert indicator_rows[0][:3] == ["Code", "Name", "Kind"]
    assert indicator_rows[-1] == ["S2", TRICKY, "Qualitative", "Process", "5", "—", "≥80 & <100", "—", "ask"]
    assert indicator_rows[1] == ["Q1", "First-time fix", "Quantitative", "Performance", "40", "First-time fix pass rate",
                                 "90%", "—", "check, measure"]
    assert indicator_rows[2][6:8] == ["5%", "15%"]
    evaluators = [[c.text for c in row.cells] for row in document.tables[5].rows]
    assert evaluators[1:] == [["王建国", "组长 & leader", "Leader"], ["Li <Ming>", "peer {{ x }}", "Peer"]]
    arrangement = {row.cells[0].text: row.cells[1].text for row in document.tables[2].rows}
    assert arrangement["Organizer"] == "  leading spaces"
    assert arrangement["Start"] == "2026-12-01" and arrangement["End"] == "2026-12-20"
    text = _all_text(document)
    assert "49" not in text.replace("2026", "")  # {{ 7*7 }} was never evaluated
    assert text.count("Plan & <Q4>") == 2  # cover title and body title




def test_fonts_are_set_for_east_asian_text(ws: Workspace, plan_xlsx: Path) -> None:
    path = lifecycle.new(ws, "plan", plan_xlsx)["path"]
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert 'w:eastAsia="SimSun"' in styles and 'w:eastAsia="SimHei"' in styles
    assert 'w:ascii="Times New Roman"' in styles



def test_chinese_workspace_labels(tmp_path: Path) -> None:
    root = workspace.init(tmp_path / "zh", "四川虹欧显示器件有限公司", "技术质量部", "zh")
    w = Workspace.open(root, write=True)
    sample = Path(__file__).resolve().parent.parent / "records" / "plan.xlsx"
    document = docx.Document(lifecycle.new(w, "plan", sample)["path"])
    w.close()
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[1] == "技术质量部 管理文件"
    assert paragraphs[4] == "草稿 DRAFT"
    assert paragraphs[5] == "受控文件未经批准不得复制、打印"
    assert document.core_properties.language == "zh-CN"
    header = _header_text(document)
    assert "版本: 1.0版" in header and "页次 1/1" in header

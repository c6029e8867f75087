"""The rendered evaluation plan, reopened with python-docx as a reader would."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from conftest import PASSWORD, PLAN_INDICATORS, write_plan, sign
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


def test_cover_header_and_properties(ws: Workspace, plan_xlsx: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    sign(ws, DOC, "compile", "Wang")
    sign(ws, DOC, "review", "Zhou")
    sign(ws, DOC, "countersign", "Li")
    sign(ws, DOC, "countersign", "Sun Li")
    sign(ws, DOC, "approve", "Zhao")
    path = lifecycle.release(ws, DOC)["path"]
    document = docx.Document(path)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:6] == ["Hong'ou Display", "Technical Quality Dept. MANAGEMENT DOCUMENT", "",
                              "Evaluation plan Q4", "CONTROLLED",
                              "Controlled document: do not copy or print without approval"]
    block = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert block == [
        ["Approval", "Name", "Date", "Copy No.", ""],
        ["Compiled by", "Wang Jianguo", "2026-11-20", "Document No.", DOC],
        ["Standardized by", "", "", "Version", "1.0"],
        ["Reviewed by", "Zhou Zhiqiang", "2026-11-20", "Compiled on", "2026-11-20"],
        ["Countersigned by", "Li Ming, Sun Li", "2026-11-20", "Release date", "2026-11-20"],
        ["Approved by", "Zhao Deming", "2026-11-20", "Effective date", "2026-11-20"],
    ]
    record = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert record == [["No.", "Pages", "Change No.", "Changed by", "Effective date", "Summary"],
                      ["1", "All", "", "Wang Jianguo", "2026-11-20", "Initial issue"]]
    assert _header_text(document).split("\n") == [
        "Hong'ou Display Technical Quality Dept.", "MANAGEMENT DOCUMENT", "Document No.", DOC,
        "Title: Evaluation plan Q4", "Title: Evaluation plan Q4", "Version", "1.0",
        "CONTROLLED", "CONTROLLED", "Page", "1/1"]
    header_xml = zipfile.ZipFile(path).read("word/header1.xml").decode()
    assert "> PAGE <" in header_xml and "> NUMPAGES <" in header_xml
    props = document.core_properties
    assert (props.title, props.identifier, props.version, props.content_status, props.subject, props.language,
            props.author) == ("Evaluation plan Q4", DOC, "1.0", "Effective", "plan", "en-US", "Wang Jianguo")
    assert props.created.isoformat() == props.modified.isoformat() == "2026-11-20T00:00:00+00:00"


def test_revision_record_lists_every_revision_up_to_this_one(ws: Workspace, plan_xlsx: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        sign(ws, DOC, role, name)
    lifecycle.release(ws, DOC)
    path = lifecycle.revise(ws, DOC, "CR-7", "Wang Jianguo", "Weights & targets <changed>", pages="3",
                            password=PASSWORD)["path"]
    document = docx.Document(path)
    record = [[c.text for c in row.cells] for row in document.tables[1].rows][1:]
    assert record == [["1", "All", "", "Wang Jianguo", "2026-11-20", "Initial issue"],
                      ["2", "3", "CR-7", "Wang Jianguo", "", "Weights & targets <changed>"]]
    assert document.paragraphs[4].text == "DRAFT"
    assert document.core_properties.content_status == "Draft"


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
    assert "版本\n1.0版" in header and "页次\n1/1" in header and "草稿 DRAFT" in header

"""The seed standard as a Word body: records/regulation.docx, framed like any department's document."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from qmsdocs.body.frame import frame_body
from qmsdocs.body.inspect import inspect_body
from qmsdocs.body.readback import check_body_readback
from test_body_frame import FRAME

ROOT = Path(__file__).resolve().parents[1]
REGULATION = ROOT / "records" / "regulation.docx"


def test_the_shipped_regulation_is_what_the_tool_builds() -> None:
    from tools import build_seed_docx

    if not build_seed_docx.SOURCE.is_file():
        pytest.skip(f"the seed text {build_seed_docx.SOURCE} is not on this machine")
    assert build_seed_docx.build(build_seed_docx.SOURCE.read_text(encoding="utf-8")) == REGULATION.read_bytes()


def test_the_regulation_has_its_sections_tables_and_revision_record() -> None:
    import docx

    document = docx.Document(str(REGULATION))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["1 目的", "2 规范性引用文件", "3 适用范围", "4 术语及定义", "5 管理职责", "5.1 客户服务组组长",
                        "5.2 客户服务人员", "6 管理内容", "6.1 服务体系考评的目标", "6.2 服务体系考评指标",
                        "6.3 服务体系考评原则", "6.4 服务体系考评方法", "6.5 服务体系考评实施"]
    approval, history = document.tables
    assert [c.text for c in history.rows[0].cells] == ["序号", "页码", "更改单号", "更改人", "生效日期", "摘要"]
    assert [c.text for c in approval.rows[1].cells] == ["标准化/日期", "", "版本号", "1.0版"]
    texts = [p.text for p in document.paragraphs]
    assert "GB/T19001-2000 质量管理体系要求" in texts and "5.1.5 负责负责客户服务组服务体系的管理控制;" in texts
    assert texts[-1] == "6.5.3 客户服务组组长在组织实施考评时应先召开考评沟通会,阐明考评的目的,方式方法,避免"
    assert len(document.sections) == 2


def test_the_regulation_frames_cleanly() -> None:
    import docx

    body = REGULATION.read_bytes()
    report = inspect_body(body, "regulation.docx")
    report.require_frameable()
    framed = frame_body(body, FRAME)
    check_body_readback(framed, body, "regulation.docx")
    assert len(docx.Document(io.BytesIO(framed)).sections) == 3

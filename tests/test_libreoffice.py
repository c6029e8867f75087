"""Generated documents opened by LibreOffice and turned into PDF, as an auditor's machine would."""
from __future__ import annotations

from pathlib import Path

from conftest import ROOT
from office import embedded_cjk_fonts, needs_libreoffice, pdf_text, to_pdf
from qmsdocs import lifecycle, workspace
from qmsdocs.workspace import Workspace


@needs_libreoffice
def test_plan_converts_with_number_and_embedded_cjk_font(tmp_path: Path) -> None:
    root = workspace.init(tmp_path / "ws", "四川虹欧显示器件有限公司", "技术质量部", "zh")
    ws = Workspace.open(root)
    result = lifecycle.new(ws, "plan", ROOT / "records" / "plan.xlsx")
    ws.close()
    [pdf] = to_pdf([Path(result["path"])], tmp_path / "pdf")
    text = pdf_text(pdf)
    assert result["doc_no"] in text
    assert "受控文件未经批准不得复制、打印" in text
    assert "一次修复合格率" in text
    assert "页次 1/" in text  # the PAGE/NUMPAGES fields were computed
    assert embedded_cjk_fonts(pdf), "no embedded CJK font in the PDF"

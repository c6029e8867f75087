"""Generated documents opened by LibreOffice and turned into PDF, as an auditor's machine would."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, sign
from office import embedded_cjk_fonts, needs_libreoffice, pdf_text, to_pdf
from qmsdocs import lifecycle, workspace
from qmsdocs.workspace import Workspace


@needs_libreoffice
def test_plan_converts_with_number_and_embedded_cjk_font(tmp_path: Path) -> None:
    root = workspace.init(tmp_path / "ws", "四川虹欧显示器件有限公司", "技术质量部", "zh")
    ws = Workspace.open(root, write=True)
    result = lifecycle.new(ws, "plan", ROOT / "records" / "plan.xlsx")
    ws.close()
    [pdf] = to_pdf([Path(result["path"])], tmp_path / "pdf")
    text = pdf_text(pdf)
    assert result["doc_no"] in text
    assert "受控文件未经批准不得复制、打印" in text
    assert "一次修复合格率" in text
    assert re.search(r"页次\s+1/\d", text)  # the PAGE/NUMPAGES fields were computed
    assert embedded_cjk_fonts(pdf), "no embedded CJK font in the PDF"


@needs_libreoffice
def test_export_with_pdf_renditions(tmp_path: Path) -> None:
    import zipfile

    from qmsdocs.demo import run_demo
    from qmsdocs.export import export

    demo = run_demo(str(tmp_path / "demo"))
    ws = Workspace.open(demo["records"])
    result = export(ws, tmp_path / "pkg.zip", pdf=True)
    ws.close()
    names = [f["name"] for f in result["files"]]
    docs = [n for n in names if n.endswith(".docx")]
    assert sorted(n[:-4] + ".docx" for n in names if n.endswith(".pdf")) == sorted(docs)
    with zipfile.ZipFile(tmp_path / "pkg.zip") as zf:
        for name in names:
            if name.endswith(".pdf"):
                (tmp_path / Path(name).name).write_bytes(zf.read(name))
                text = pdf_text(tmp_path / Path(name).name)
                assert "HO-JZ-" in text, name
                assert embedded_cjk_fonts(tmp_path / Path(name).name), name



"""Build ``records/regulation.docx``: the seed standard as the Word document a department would hand in.

Written from /work/shared/seed/customer-service-evaluation-standard.zh.txt (or the path given as
the first argument): its cover lines, approval block and revision record (修订记录) as Word tables,
its sections as headings, its clauses as paragraphs. The scrape lost some characters (the ``?``
runs, left out here) and breaks off in §6.5.3, where this document ends too. The running page
headers the scrape kept in the text are removed: qmsdocs puts its own control header on every page.

The same source always gives the same bytes (fixed core properties and zip timestamps).
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from qmsdocs import ooxml

SOURCE = Path("/work/shared/seed/customer-service-evaluation-standard.zh.txt")
OUT = Path(__file__).resolve().parent.parent / "records" / "regulation.docx"
TITLE = "客户服务体系考评管理办法"
_RUNNING_HEADER = re.compile(r"\s*四川虹欧显示器件有限公司技术质量部 管 理 文 件 文件编号 页 次 \d/\d "
                             r"标题:客户服务体系考评管理办法 版 本 1\.0版\s*")
#: Where each heading starts in the text, its level and the heading as printed.
HEADINGS = [
    ("目的 ", 1, "1 目的"), ("2.规范性引用", 1, "2 规范性引用文件"), ("3、适用范围", 1, "3 适用范围"),
    ("4、术语及定义", 1, "4 术语及定义"), ("5、管理职责", 1, "5 管理职责"),
    ("5.1客户服务组组长", 2, "5.1 客户服务组组长"), ("5、2客户服务人员", 2, "5.2 客户服务人员"),
    ("6、管理内容", 1, "6 管理内容"), ("6.1服务体系考评的目标", 2, "6.1 服务体系考评的目标"),
    ("6.2服务体系考评指标", 2, "6.2 服务体系考评指标"), ("6.3服务体系考评原则", 2, "6.3 服务体系考评原则"),
    ("6.4服务体系考评方法", 2, "6.4 服务体系考评方法"), ("6.5服务体系考评实施", 2, "6.5 服务体系考评实施"),
]
_CLAUSE = re.compile(r"\s*(?=\d\.\d\.\d\s?[^\d.])")


def sections(text: str) -> list[tuple[int, str, list[str]]]:
    """Return (level, heading, paragraphs) of the standard's body, in order."""
    body = _RUNNING_HEADER.sub("", text[text.index("目的 为不断"):]).strip()
    starts = [body.index(marker) for marker, _, _ in HEADINGS]
    assert starts == sorted(starts), "the headings of the seed text are out of order"
    out = []
    for index, (marker, level, heading) in enumerate(HEADINGS):
        end = starts[index + 1] if index + 1 < len(HEADINGS) else len(body)
        content = body[starts[index] + len(marker):end].strip()
        paragraphs = []
        for clause in _CLAUSE.split(content):
            # "GB/T19001-2000 质量管理体系要求" and the scope's two sentences are paragraphs of their own.
            for piece in re.split(r"\s+(?=GB/T19001)|(?<=。)\s+(?=本办法)", clause.strip()):
                if piece.strip():
                    paragraphs.append(re.sub(r"^(\d\.\d\.\d)\s?", r"\1 ", piece.strip()))
        out.append((level, heading, paragraphs))
    return out


def build(text: str) -> bytes:
    """Return the .docx bytes of the standard."""
    import datetime as dt

    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    for name, font in (("Normal", "SimSun"), ("Heading 1", "SimHei"), ("Heading 2", "SimHei"), ("Title", "SimHei")):
        style = document.styles[name]
        style.font.name = "Times New Roman" if name == "Normal" else "Arial"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    document.styles["Normal"].font.size = Pt(10.5)
    for line, size in (("四川虹欧显示器件有限公司技术质量部管理标准", 16), (TITLE, 22), ("（受控文件未经批准不得复制、打印）", 9)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).font.size = Pt(size)
    approval = [("编制日期", "", "文件编号", ""), ("标准化/日期", "", "版本号", "1.0版"), ("审核/日期", "", "发布日期", ""),
                ("会签/日期", "", "副本编号", ""), ("批准/日期", "", "", "")]
    _table(document, approval)
    document.add_paragraph()
    document.add_paragraph("修 订 记 录").alignment = WD_ALIGN_PARAGRAPH.CENTER
    history = _table(document, [("序号", "页码", "更改单号", "更改人", "生效日期", "摘要"), ("1", "全部", "", "", "", "首次发布"),
                                ("", "", "", "", "", "")])
    history.rows[0].height = None
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph(TITLE, style="Title")
    for level, heading, paragraphs in sections(text):
        document.add_heading(heading, level=level)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    core = document.core_properties
    core.title, core.author, core.last_modified_by = TITLE, "技术质量部", "技术质量部"
    core.created = core.modified = dt.datetime(2024, 1, 1)
    core.revision = 1
    out = io.BytesIO()
    document.save(out)
    return ooxml.write_package(ooxml.read_package(out.getvalue()))


def _table(document, rows):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    return table


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    OUT.write_bytes(build(source.read_text(encoding="utf-8")))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

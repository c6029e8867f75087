"""The controlled frame every template shares: styles and fonts, page header and footer, the cover.

Also the table and paragraph helpers the template bodies are written with. Each template is an
ordinary .docx that a quality engineer can open in Word and restyle; its placeholders are Jinja2
tags as docxtpl reads them (``{{ frame.doc_no }}``, ``{%tr for … %}``).
"""
from __future__ import annotations

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LATIN_BODY, CJK_BODY = "Times New Roman", "SimSun"
LATIN_HEAD, CJK_HEAD = "Arial", "SimHei"


def set_fonts(rpr_owner, latin: str, east_asia: str) -> None:
    """Set Latin and East Asian fonts explicitly on a style or run (w:rFonts with w:eastAsia)."""
    if hasattr(rpr_owner, "get_or_add_rPr"):
        rpr = rpr_owner.get_or_add_rPr()
    else:  # a plain element such as w:rPrDefault
        rpr = rpr_owner.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_owner.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for hint in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(hint), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def setup_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    set_fonts(normal.element, LATIN_BODY, CJK_BODY)
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12)):
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(style.element, LATIN_HEAD, CJK_HEAD)
    table = styles["Table Grid"]
    set_fonts(table.element, LATIN_BODY, CJK_BODY)
    # docDefaults too, so text outside any style (fields, table cells) keeps the CJK font.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    set_fonts(rpr_default, LATIN_BODY, CJK_BODY)


def field_runs(paragraph, instruction: str) -> None:
    """Append a complex field (PAGE, NUMPAGES) to the paragraph, with a placeholder result."""

    def run_with(child) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def cell_text(cell, text: str, bold: bool = False, align=None, size: float | None = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align


def loop_table(doc, header: list[str], cells: list[str], loop: str, widths: list[float] | None = None,
               size: float | None = None):
    """Add a table with a header row and one row repeated by ``{%tr for … %}`` (text of ``size`` points)."""
    table = doc.add_table(rows=4, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header):
        cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
    mark_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for " + loop + " %}")
    for cell, text in zip(table.rows[2].cells, cells):
        cell_text(cell, text, size=size)
    cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    if widths:
        set_widths(table, widths)
    return table


def set_widths(table, widths_cm: list[float]) -> None:
    """Fix column widths in the grid and in every cell (Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(width * 567)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def mark_header(row) -> None:
    """Repeat the row at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def heading(doc, text: str, level: int = 1) -> None:
    doc.add_heading(text, level=level)


def para(doc, text: str, bold: bool = False, size: float | None = None, align=None, east_asia: str | None = None):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if east_asia:
        set_fonts(run._r, LATIN_HEAD, east_asia)
    if align is not None:
        paragraph.alignment = align
    return paragraph


#: Widths in the frame's tables leave room for the widest font a reader may print them with when
#: Times New Roman and Arial are missing (DejaVu Serif Bold, about 10 em for ``HO-JZ-KP-2026-001``
#: and 6.4 em for ``2026-12-01``; Liberation and Noto are narrower), so a document number, a date
#: or a word of an English label never breaks across lines. Text width of an A4 page: 16.6 cm.
HEADER_PT = 9
HEADER_WIDTHS = [5.8, 3.6, 3.0, 4.2]


def add_header(doc, section, text_width: float = 16.6) -> None:
    """Page header: company and department, 管理文件, number; title, version; status mark, page X/Y."""
    header = section.header
    header.is_linked_to_previous = False
    widths = [HEADER_WIDTHS[0] + text_width - sum(HEADER_WIDTHS)] + HEADER_WIDTHS[1:]
    table = header.add_table(rows=3, cols=4, width=Cm(text_width))
    table.style = doc.styles["Table Grid"]
    set_widths(table, widths)
    size, left, center = HEADER_PT, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
    first, second, third = (row.cells for row in table.rows)
    cell_text(first[0], "{{ frame.company }} {{ frame.department }}", size=size)
    cell_text(first[1], "{{ L.management_document }}", bold=True, align=center, size=size)
    cell_text(first[2], "{{ L.doc_no }}", bold=True, align=left, size=size)
    cell_text(first[3], "{{ frame.doc_no }}", size=size)
    cell_text(second[0].merge(second[1]), "{{ L.title }}: {{ frame.title }}", size=size)
    cell_text(second[2], "{{ L.version_short }}", bold=True, size=size)
    cell_text(second[3], "{{ frame.version_text }}", size=size)
    cell_text(third[0].merge(third[1]), "{{ frame.mark }}", bold=True, size=size)
    cell_text(third[2], "{{ L.page }}", bold=True, size=size)
    page = third[3].paragraphs[0]
    field_runs(page, "PAGE")
    page.add_run("/")
    field_runs(page, "NUMPAGES")
    for run in page.runs:
        run.font.size = Pt(size)
    # python-docx puts an empty paragraph first in a new header; drop it to keep the header tight.
    first_paragraph = header.paragraphs[0]
    if not first_paragraph.text:
        first_paragraph._p.getparent().remove(first_paragraph._p)
        header._element.append(OxmlElement("w:p"))


def add_footer(section) -> None:
    """Page footer: the copy number of a controlled copy (blank on the master file)."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run("{% if frame.copy_no %}{{ L.copy_no }}: {{ frame.copy_no }}{% endif %}")
    run.font.size = Pt(9)


#: The approval block: role, name, date, label, value (a copy number such as HO-JZ-KP-2026-001-C01).
COVER_BLOCK_PT = 9
COVER_BLOCK_WIDTHS = [3.6, 2.6, 2.6, 3.0, 4.8]


def add_cover(doc) -> None:
    """Cover page as the seed standard has it: names, title, mark, notice, approval block, revisions."""
    para(doc, "{{ frame.company }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    para(doc, "{{ frame.department }} {{ L.management_document }}", bold=True, size=14,
         align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    para(doc, "")
    para(doc, "{{ frame.title }}", bold=True, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    para(doc, "{{ frame.mark }}", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    para(doc, "{{ L.notice }}", size=9, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "")
    block = doc.add_table(rows=6, cols=5)
    block.style = doc.styles["Table Grid"]
    block.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = COVER_BLOCK_PT
    cells = block.rows[0].cells
    for cell, text in zip(cells, ("{{ L.approval }}", "{{ L.name }}", "{{ L.date }}", "", "")):
        cell_text(cell, text, bold=True, size=size)
    right = [("{{ L.doc_no }}", "{{ frame.doc_no }}"), ("{{ L.version }}", "{{ frame.version_text }}"),
             ("{{ L.compiled_on }}", "{{ frame.compiled_on }}"), ("{{ L.release_date }}", "{{ frame.release_date }}"),
             ("{{ L.effective_date }}", "{{ frame.effective_date }}")]
    for index in range(5):
        row = block.rows[index + 1].cells
        cell_text(row[0], "{{ frame.approvals[%d].label }}" % index, bold=True, size=size)
        cell_text(row[1], "{{ frame.approvals[%d].name }}" % index, size=size)
        cell_text(row[2], "{{ frame.approvals[%d].date }}" % index, size=size)
        cell_text(row[3], right[index][0], bold=True, size=size)
        cell_text(row[4], right[index][1], size=size)
    set_widths(block, COVER_BLOCK_WIDTHS)
    cell_text(block.rows[0].cells[3], "{{ L.copy_no }}", bold=True, size=size)
    cell_text(block.rows[0].cells[4], "{{ frame.copy_no }}", size=size)
    para(doc, "")
    para(doc, "{{ L.revision_record }}", bold=True, size=12, east_asia=CJK_HEAD)
    loop_table(
        doc,
        ["{{ L.rev_no }}", "{{ L.rev_pages }}", "{{ L.rev_change_no }}", "{{ L.rev_changed_by }}",
         "{{ L.rev_effective }}", "{{ L.rev_summary }}"],
        ["{{ r.no }}", "{{ r.pages }}", "{{ r.change_no }}", "{{ r.changed_by }}", "{{ r.effective_date }}",
         "{{ r.summary }}"],
        "r in frame.history",
        [1.2, 1.7, 3.4, 2.4, 2.8, 5.1],
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def new_document(cover: bool = True, landscape: bool = False):
    """Return a new A4 document with the frame's header and footer, and the cover if asked."""
    from docx.enum.section import WD_ORIENT

    doc = Document()
    setup_styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(3.2), Cm(2.2)
    section.header_distance = Cm(1.0)
    add_header(doc, section, (29.7 if landscape else 21) - 4.4)
    add_footer(section)
    if cover:
        add_cover(doc)
    # Remove the empty first paragraph python-docx's default document starts with.
    body = doc.element.body
    first = body[0]
    if first.tag == qn("w:p") and not "".join(first.itertext()).strip():
        body.remove(first)
    return doc


def kv_table(doc, rows: list[tuple[str, str]], widths: tuple[float, float] = (4.5, 12.1)) -> None:
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = doc.styles["Table Grid"]
    for row, (label, value) in zip(table.rows, rows):
        cell_text(row.cells[0], label, bold=True)
        cell_text(row.cells[1], value)
    set_widths(table, list(widths))

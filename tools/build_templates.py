"""Build the shipped templates in ``templates/`` (run ``make templates`` after changing this file).

Each template is an ordinary .docx that a quality engineer can open in Word and restyle; its
placeholders are Jinja2 tags as docxtpl reads them (``{{ frame.doc_no }}``, ``{%tr for … %}``).
The frame (cover, approval block, revision record, page header) is the same for every type.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qmsdocs import ooxml  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "templates"
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


def plan_body(doc) -> None:
    para(doc, "{{ frame.title }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    heading(doc, "1 {{ L.purpose }}")
    doc.add_paragraph("{{ plan.purpose }}")
    heading(doc, "2 {{ L.scope }}")
    doc.add_paragraph("{{ plan.scope }}")
    heading(doc, "3 {{ L.reference }}")
    doc.add_paragraph("{{ L.reference_text }}")
    doc.add_paragraph("{{ frame.reference }}")
    heading(doc, "4 {{ L.arrangement }}")
    kv_table(doc, [("{{ L.period }}", "{{ plan.period }}"), ("{{ L.organizer }}", "{{ plan.organizer }}"),
                   ("{{ L.start }}", "{{ plan.start }}"), ("{{ L.end }}", "{{ plan.end }}"),
                   ("{{ L.meeting_date }}", "{{ plan.meeting_date }}")])
    heading(doc, "5 {{ L.targets_title }}")
    doc.add_paragraph("{{ L.targets_text }}")
    heading(doc, "6 {{ L.indicators }}")
    loop_table(
        doc,
        ["{{ L.code }}", "{{ L.indicator_name }}", "{{ L.kind }}", "{{ L.dimension }}", "{{ L.weight }}",
         "{{ L.metric }}", "{{ L.target }}", "{{ L.limit }}", "{{ L.method }}"],
        ["{{ i.code }}", "{{ i.name }}", "{{ i.kind }}", "{{ i.dimension }}", "{{ i.weight }}", "{{ i.metric }}",
         "{{ i.target }}", "{{ i.limit }}", "{{ i.method }}"],
        "i in indicators",
        [1.3, 2.5, 1.6, 2.3, 1.7, 2.3, 1.6, 1.4, 1.9],
        size=9,
    )
    heading(doc, "7 {{ L.methods_title }}")
    doc.add_paragraph("{{ L.methods_text }}")
    heading(doc, "8 {{ L.schedule }}")
    loop_table(
        doc,
        ["{{ L.step }}", "{{ L.start }}", "{{ L.end }}", "{{ L.owner }}", "{{ L.output }}"],
        ["{{ s.step }}", "{{ s.start }}", "{{ s.end }}", "{{ s.owner }}", "{{ s.output }}"],
        "s in schedule",
        [4.6, 2.8, 2.8, 2.4, 4.0],
    )
    heading(doc, "9 {{ L.evaluators }}")
    loop_table(doc, ["{{ L.name }}", "{{ L.role }}", "{{ L.evaluator_type }}"],
               ["{{ e.name }}", "{{ e.role }}", "{{ e.type }}"], "e in evaluators", [5, 6, 5])
    heading(doc, "10 {{ L.summary_method }}")
    doc.add_paragraph("{{ plan.summary_method }}")
    heading(doc, "11 {{ L.feedback_method }}")
    doc.add_paragraph("{{ plan.feedback_method }}")


def revlog_body(doc) -> None:
    para(doc, "{{ L.revision_log }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    kv_table(doc, [("{{ L.log_document }}", "{{ frame.doc_no }}  {{ frame.title }}"),
                   ("{{ L.log_current }}", "{{ log.current }}"),
                   ("{{ L.log_generated }}", "{{ log.generated }}")], (4.5, 20.8))
    para(doc, "")
    loop_table(
        doc,
        ["{{ L.version }}", "{{ L.status }}", "{{ L.rev_change_no }}", "{{ L.rev_changed_by }}", "{{ L.rev_pages }}",
         "{{ L.rev_summary }}", "{{ L.rev_effective }}", "{{ L.approved_by }}"],
        ["{{ r.version }}", "{{ r.status }}", "{{ r.change_no }}", "{{ r.changed_by }}", "{{ r.pages }}",
         "{{ r.summary }}", "{{ r.effective_date }}", "{{ r.approved_by }}"],
        "r in log.revisions",
        # Landscape, 25.3 cm: a status like "Superseded", a date and "name date" of the approver on one line.
        [2.0, 2.8, 3.0, 2.4, 1.7, 6.0, 2.8, 4.6],
        size=9,
    )


# --- Room for the widest fallback font ---------------------------------------------------------

#: Fonts a reader without Times New Roman and Arial may print with; the widest of them is measured.
FALLBACK_FONTS = ("DejaVuSerif", "DejaVuSans", "LiberationSerif-Regular", "LiberationSans-Regular")
#: Samples standing in for placeholders whose values must stay on one line.
SAMPLE_VALUES = {"frame.doc_no": "HO-JZ-KP-2026-001", "frame.copy_no": "HO-JZ-KP-2026-001-C01", "date": "2026-12-01"}
CELL_MARGINS_CM = 0.38


def _font_files(bold: bool) -> list[str]:
    import glob

    out = []
    for name in FALLBACK_FONTS:
        stem = name.replace("-Regular", "") + ("-Bold" if bold else ("" if "Regular" not in name else "-Regular"))
        out += glob.glob(f"/usr/share/fonts/**/{stem}.ttf", recursive=True)
    return out


def _widest_cm(word: str, size_pt: float, bold: bool) -> float:
    from PIL import ImageFont

    widths = [ImageFont.truetype(path, 100).getlength(word) / 100 for path in _font_files(bold)]
    return max(widths, default=0.0) * size_pt / 72 * 2.54


def _cell_words(text: str) -> list[str]:
    """Return the words of a cell's text with placeholders resolved in both languages (Latin words only)."""
    from qmsdocs.labels import labels

    texts = []
    for language in ("zh", "en"):
        L = labels(language)

        def value(match: re.Match[str]) -> str:
            path = match.group(1)
            if path.startswith("L."):
                return L.get(path[2:], "")
            if path in SAMPLE_VALUES:
                return SAMPLE_VALUES[path]
            if re.search(r"date|_on$|\.(start|end|due)$", path):
                return SAMPLE_VALUES["date"]
            return ""

        texts.append(re.sub(r"\{\{\s*([\w.\[\]]+)\s*\}\}", value, text))
    return [w for t in texts for w in t.split() if re.fullmatch(r"[\x21-\x7e]+", w)]


def overflowing_words(doc) -> list[str]:
    """Return the words that would break across lines in a table cell of ``doc``, printed in the widest font.

    Empty where no fallback font is installed to measure with.
    """
    if not _font_files(False):
        return []
    parts = [doc.element.body] + [s.header._element for s in doc.sections]
    problems = []
    for part in parts:
        for tc in part.iter(qn("w:tc")):
            width = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            if width is None:
                continue
            room = int(width.get(qn("w:w"))) / 567 - CELL_MARGINS_CM
            for p in tc.iter(qn("w:p")):
                text = "".join(t.text or "" for t in p.iter(qn("w:t")))
                if "{%" in text:  # a row of the template's loop, not printed
                    continue
                size = p.find(f".//{qn('w:sz')}")
                size_pt = int(size.get(qn("w:val"))) / 2 if size is not None else 10.5
                bold = p.find(f".//{qn('w:b')}") is not None
                for word in _cell_words(text):
                    need = _widest_cm(word, size_pt, bold)
                    if need > room:
                        problems.append(f"{word!r} needs {need:.2f} cm, cell has {room:.2f} cm")
    return problems


def trimmed_styles(styles: bytes, parts: list[bytes]) -> bytes:
    """Return styles.xml holding only the styles ``parts`` use, the defaults, and the styles they build on."""
    from lxml import etree

    root = etree.fromstring(styles)
    by_id = {style.get(qn("w:styleId")): style for style in root.iter(qn("w:style"))}
    used = {m.decode() for m in re.findall(rb'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"',
                                           b"".join(parts))}
    used |= {sid for sid, style in by_id.items() if style.get(qn("w:default")) == "1"}
    todo = list(used)
    while todo:
        style = by_id.get(todo.pop())
        for ref in ("w:basedOn", "w:link", "w:next"):
            found = style.find(qn(ref)) if style is not None else None
            if found is not None and found.get(qn("w:val")) not in used:
                used.add(found.get(qn("w:val")))
                todo.append(found.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in used:
            root.remove(style)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _bodies() -> dict[str, Callable]:
    """Return the body builder of each type: the plan's here, the others in tools/template_<type>.py."""
    import importlib

    bodies: dict[str, Callable] = {"plan": plan_body, "revlog": revlog_body}
    for name in ("minutes", "scores"):
        try:
            module = importlib.import_module(f"template_{name}")
        except ModuleNotFoundError:
            continue
        bodies[name] = module.body
    return bodies



def build(name: str) -> Path:
    doc = new_document(cover=name != "revlog", landscape=name == "revlog")
    _bodies()[name](doc)
    for problem in overflowing_words(doc):
        print(f"{name}: {problem}", file=sys.stderr)
    import io

    buffer = io.BytesIO()
    doc.save(buffer)
    # Fixed zip timestamps and properties: rebuilding an unchanged template gives the same bytes.
    entries = ooxml.read_package(buffer.getvalue())
    # python-docx's default package carries a thumbnail of an empty page and a 430 kB copy of the
    # styles for Word 2010 (stylesWithEffects); neither is needed: drop them and their references.
    dropped = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")
    entries = [(n, re.sub(rb'<(Relationship|Override) [^>]*(thumbnail|stylesWithEffects)[^>]*/>', b"", d))
               if n in ("_rels/.rels", "word/_rels/document.xml.rels", "[Content_Types].xml") else (n, d)
               for n, d in entries if n not in dropped]
    # Only the styles the template uses (python-docx's default carries 350 kB of them), and
    # extended properties that name qmsdocs, not the editor python-docx's default was saved with.
    parts = [d for n, d in entries if re.fullmatch(r"word/(document|header\d*|footer\d*|numbering)\.xml", n)]
    fixed = {ooxml.CORE_PART: ooxml.core_xml({"title": name, "creator": "qmsdocs"}), ooxml.APP_PART: ooxml.APP_XML}
    entries = [(n, fixed.get(n) or (trimmed_styles(d, parts) if n == "word/styles.xml" else d)) for n, d in entries]
    path = OUT / f"{name}.docx"
    OUT.mkdir(exist_ok=True)
    path.write_bytes(ooxml.write_package(entries))
    return path


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name in sys.argv[1:] or list(_bodies()):
        print(build(name))

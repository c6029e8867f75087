"""The body of the score sheets template (考评评分表), built by ``python -m tools.templates scores``.

One template serves both the full document and the per-person split files: the summary,
team figures, charts and formula appendix sit inside ``{%p if full %}`` blocks, and the
per-person pages are a ``{%p for p in people %}`` loop that the split files fill with one person.

The two charts are placeholder pictures here, named by their alternative text ``{{ chart_totals }}``
and ``{{ chart_first_pass }}``; ``qmsdocs.doctypes.scores.chart_media`` fills those slots at render
time, whatever the pictures' media files are called after a restyle.
"""
from __future__ import annotations

import io
import struct
import zlib

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm

from tools.templates.frame import CJK_HEAD, heading, kv_table, loop_table, para

#: Placeholder size in pixels: the 2:1 aspect of qmsdocs.charts.FIGSIZE, so a chart fits the frame.
PLACEHOLDER_PX = (200, 100)


def placeholder_png(rgb: tuple[int, int, int]) -> bytes:
    """Return a solid-colour PNG of PLACEHOLDER_PX (distinct colours keep the two pictures apart)."""
    width, height = PLACEHOLDER_PX

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def chart(doc, rgb: tuple[int, int, int], caption: str, slot: str) -> None:
    """Add a placeholder picture named ``slot`` in its alternative text, and its caption."""
    shape = doc.add_picture(io.BytesIO(placeholder_png(rgb)), width=Cm(16))
    shape._inline.docPr.set("descr", "{{ %s }}" % slot)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, caption, align=WD_ALIGN_PARAGRAPH.CENTER)


def signature_table(doc) -> None:
    """Signature lines of the performance talk: evaluator and staff member, each with a date."""
    table = doc.add_table(rows=2, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, who in zip(table.rows, ("{{ L.evaluator_signature }}", "{{ L.staff_signature }}")):
        for cell, text in zip(row.cells, (who, "", "{{ L.date }}", "")):
            cell.paragraphs[0].add_run(text).bold = bool(text)
        row.height = Cm(1.2)
        for cell, width in zip(row.cells, (3.6, 6.0, 2.0, 4.4)):
            cell.width = Cm(width)


def grid(doc, rows: list[list[str]], widths: list[float]) -> None:
    """Add a fixed table of label/value pairs side by side, labels in bold."""
    table = doc.add_table(rows=len(rows), cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, texts in zip(table.rows, rows):
        for index, (cell, text, width) in enumerate(zip(row.cells, texts, widths)):
            cell.paragraphs[0].add_run(text).bold = index % 2 == 0
            cell.width = Cm(width)


def full_part(doc) -> None:
    """The summary, averages, team figures and charts of the full document."""
    para(doc, "{%p if full %}")
    para(doc, "{{ frame.title }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    heading(doc, "1 {{ L.scores_overview }}")
    kv_table(doc, [("{{ L.period }}", "{{ scores.period }}"), ("{{ L.evaluated_on }}", "{{ scores.evaluated_on }}"),
                   ("{{ L.staff_count }}", "{{ scores.staff_count }}"),
                   ("{{ L.leader_weight }}", "{{ scores.leader_weight }}"),
                   ("{{ L.reference }}", "{{ frame.reference }}")])
    heading(doc, "2 {{ L.scores_summary }}")
    loop_table(doc, ["{{ L.rank }}", "{{ L.staff_id }}", "{{ L.name }}", "{{ L.total }}", "{{ L.grade }}"],
               ["{{ s.rank }}", "{{ s.staff_id }}", "{{ s.name }}", "{{ s.total }}", "{{ s.grade }}"],
               "s in summary", [1.6, 2.6, 4.4, 2.6, 4.4])
    para(doc, "{{ L.not_applicable_note }}", size=9)
    heading(doc, "3 {{ L.indicator_averages }}")
    loop_table(doc, ["{{ L.code }}", "{{ L.indicator_name }}", "{{ L.kind }}", "{{ L.weight }}",
                     "{{ L.staff_scored }}", "{{ L.average }}"],
               ["{{ a.code }}", "{{ a.name }}", "{{ a.kind }}", "{{ a.weight }}", "{{ a.count }}", "{{ a.average }}"],
               "a in averages", [1.6, 3.8, 2.8, 2.0, 2.4, 2.4])
    heading(doc, "4 {{ L.team_figures }}")
    loop_table(doc, ["{{ L.team_item }}", "{{ L.team_actual }}", "{{ L.target }}", "{{ L.team_result }}"],
               ["{{ t.item }}", "{{ t.actual }}", "{{ t.target }}", "{{ t.result }}"],
               "t in team", [6.0, 2.6, 4.6, 2.4])
    chart(doc, (0x44, 0x72, 0xC4), "{{ L.chart_totals }}", "chart_totals")
    chart(doc, (0xED, 0x7D, 0x31), "{{ L.chart_team }}", "chart_first_pass")
    para(doc, "{%p endif %}")


def person_part(doc) -> None:
    """One page per staff member: counts, indicator scores, ratings, the performance talk."""
    para(doc, "{%p for p in people %}")
    # The cover ends with a page break and a split file holds one person: break only in the full document.
    para(doc, "{%p if full %}")
    page_break(doc)
    para(doc, "{%p endif %}")
    para(doc, "{{ L.person_sheet }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    para(doc, "{{ scores.period }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    # A split file has no overview section, so it names the normative reference here.
    para(doc, "{%p if not full %}")
    para(doc, "{{ L.reference }}: {{ frame.reference }}", size=9, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p endif %}")
    grid(doc, [["{{ L.staff_id }}", "{{ p.staff_id }}", "{{ L.name }}", "{{ p.name }}", "{{ L.position }}",
                "{{ p.position }}"],
               ["{{ L.total }}", "{{ p.total }}", "{{ L.grade }}", "{{ p.grade }}", "{{ L.rank }}", "{{ p.rank }}"]],
         [2.0, 2.6, 2.0, 3.2, 2.2, 4.6])
    heading(doc, "{{ L.service_record }}", 2)
    loop_table(doc, ["{{ L.jobs }}", "{{ L.first_pass }}", "{{ L.repeat }}", "{{ L.complaints }}", "{{ L.scrapped }}"],
               ["{{ c.jobs }}", "{{ c.first_pass }}", "{{ c.repeat }}", "{{ c.complaints }}", "{{ c.scrapped }}"],
               "c in p.service")
    heading(doc, "{{ L.indicator_scores }}", 2)
    loop_table(doc, ["{{ L.code }}", "{{ L.indicator_name }}", "{{ L.measured }}", "{{ L.leader_mean }}",
                     "{{ L.peer_mean }}", "{{ L.score }}", "{{ L.weight }}", "{{ L.weighted_score }}"],
               ["{{ i.code }}", "{{ i.name }}", "{{ i.value }}", "{{ i.leader }}", "{{ i.peer }}", "{{ i.score }}",
                "{{ i.weight }}", "{{ i.weighted }}"],
               "i in p.indicators", [1.3, 3.7, 2.2, 2.0, 2.0, 1.5, 1.7, 2.2], size=9)
    para(doc, "{{ L.rounding_note }}", size=9)
    para(doc, "{%p if p.not_applicable %}")
    para(doc, "{{ L.not_applicable_note }}", size=9)
    para(doc, "{%p endif %}")
    heading(doc, "{{ L.ratings }}", 2)
    loop_table(doc, ["{{ L.code }}", "{{ L.leader_ratings }}", "{{ L.peer_ratings }}"],
               ["{{ g.indicator }}", "{{ g.leader }}", "{{ g.peer }}"],
               "g in p.ratings", [2.0, 4.6, 9.0])
    heading(doc, "{{ L.talk }}", 2)
    para(doc, "{{ L.talk_text }}")
    para(doc, "{{ L.improvement }}")
    para(doc, "")
    signature_table(doc)
    para(doc, "{%p endfor %}")


def appendix_part(doc) -> None:
    """The formula appendix: every formula an auditor needs to recompute the scores."""
    para(doc, "{%p if full %}")
    page_break(doc)
    heading(doc, "{{ L.formula_appendix }}")
    para(doc, "{{ L.formula_intro }}")
    para(doc, "{%p for f in formulas %}")
    doc.add_paragraph("{{ f }}", style="List Number")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")


def body(doc) -> None:
    full_part(doc)
    person_part(doc)
    appendix_part(doc)

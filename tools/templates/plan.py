"""The body of the plan template (考评策划书): purpose, scope, arrangement, indicators, methods, schedule."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tools.templates.frame import CJK_HEAD, heading, kv_table, loop_table, para


def body(doc) -> None:
    """Add the plan's sections to a document that already has the cover and page header."""
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

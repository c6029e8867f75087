"""The body of the revision log template (修订记录): every revision of a document, on a landscape page."""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tools.templates.frame import CJK_HEAD, kv_table, loop_table, para


def body(doc) -> None:
    """Add the revision log to a landscape document without a cover."""
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

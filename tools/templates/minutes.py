"""The body of the meeting-minutes template (考评沟通会会议纪要, seed §6.5.3).

``python -m tools.templates minutes`` puts this after the shared cover and header and writes
``templates/minutes.docx``. Placeholders are those of ``qmsdocs.doctypes.minutes.context``.
"""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tools.templates.frame import CJK_HEAD, heading, kv_table, loop_table, para



def if_empty(doc, items: str, label: str) -> None:
    """Add a sentence shown only when the list ``items`` is empty, so an empty table is not mistaken for lost rows."""
    doc.add_paragraph("{%p if not " + items + " %}")
    doc.add_paragraph("{{ L." + label + " }}")
    doc.add_paragraph("{%p endif %}")


def details(doc) -> None:
    """Add the meeting details: name, date, time, place, chair, recorder, attendance, reference."""
    kv_table(doc, [
        ("{{ L.minutes_meeting_title }}", "{{ meeting.title or frame.title }}"),
        ("{{ L.minutes_date }}", "{{ meeting.date }}"),
        ("{{ L.minutes_time }}", "{{ meeting.start }}–{{ meeting.end }}"),
        ("{{ L.minutes_location }}", "{{ meeting.location }}"),
        ("{{ L.minutes_chair }}", "{{ meeting.chair }}"),
        ("{{ L.minutes_recorder }}", "{{ meeting.recorder }}"),
        ("{{ L.minutes_attendance }}", "{{ attendance }}"),
        ("{{ L.minutes_reference }}", "{{ frame.reference }}"),
    ])


def people(doc, loop: str) -> None:
    """Add a table of attendees (present or absent) looping over ``loop``."""
    loop_table(doc, ["{{ L.minutes_no }}", "{{ L.minutes_name }}", "{{ L.minutes_department }}",
                     "{{ L.minutes_role }}"],
               ["{{ p.no }}", "{{ p.name }}", "{{ p.department }}", "{{ p.role }}"], loop, [1.4, 4, 5.2, 6])


def body(doc) -> None:
    """Add the minutes' sections to a document that already has the cover and page header."""
    para(doc, "{{ frame.title }}", bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER, east_asia=CJK_HEAD)
    heading(doc, "1 {{ L.minutes_details }}")
    details(doc)
    heading(doc, "2 {{ L.minutes_purpose }}")
    doc.add_paragraph("{{ meeting.purpose }}")
    heading(doc, "3 {{ L.minutes_present }}")
    people(doc, "p in present")
    heading(doc, "4 {{ L.minutes_absent }}")
    people(doc, "p in absent")
    if_empty(doc, "absent", "minutes_nobody_absent")
    heading(doc, "5 {{ L.minutes_agenda }}")
    loop_table(doc, ["{{ L.minutes_no }}", "{{ L.minutes_topic }}", "{{ L.minutes_presenter }}",
                     "{{ L.minutes_notes }}"],
               ["{{ a.no }}", "{{ a.topic }}", "{{ a.presenter }}", "{{ a.notes }}"], "a in agenda",
               [1.2, 4, 2.6, 8.8])
    heading(doc, "6 {{ L.minutes_decisions }}")
    loop_table(doc, ["{{ L.minutes_no }}", "{{ L.minutes_decision }}"], ["{{ d.no }}", "{{ d.decision }}"],
               "d in decisions", [1.2, 15.4])
    if_empty(doc, "decisions", "minutes_no_decisions")
    heading(doc, "7 {{ L.minutes_actions }}")
    loop_table(doc, ["{{ L.minutes_no }}", "{{ L.minutes_action }}", "{{ L.minutes_owner }}",
                     "{{ L.minutes_due }}", "{{ L.minutes_status }}"],
               ["{{ x.no }}", "{{ x.action }}", "{{ x.owner }}", "{{ x.due }}", "{{ x.status }}"],
               "x in actions", [1.2, 7.6, 2.4, 3.0, 2.4])
    if_empty(doc, "actions", "minutes_no_actions")

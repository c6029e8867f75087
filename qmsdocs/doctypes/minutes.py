"""The meeting minutes of the evaluation communication meeting (考评沟通会会议纪要, seed §6.5.3).

Before an evaluation the team leader holds a communication meeting that explains its purpose,
indicators and methods; the minutes record who came, what was said, what was decided and who
does what by when. This module reads the minutes workbook and builds the template context.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmsdocs.config import Config
from qmsdocs.doctypes import DocType
from qmsdocs.i18n import _
from qmsdocs.labels import labels
from qmsdocs.sheets import ACTIONS, AGENDA, ATTENDEES, DECISIONS, MEETING, Sheet
from qmsdocs.workbook import Row, WorkbookReader


@dataclass(frozen=True)
class Meeting:
    """The Meeting sheet: when, where and who ran the meeting. Times are ``HH:MM`` text."""

    title: str | None
    date: dt.date
    start: str
    end: str
    location: str
    chair: str
    recorder: str
    purpose: str


@dataclass(frozen=True)
class Attendee:
    name: str
    department: str
    role: str
    present: bool


@dataclass(frozen=True)
class AgendaItem:
    no: int
    topic: str
    presenter: str
    notes: str


@dataclass(frozen=True)
class Decision:
    no: int
    decision: str


@dataclass(frozen=True)
class ActionItem:
    no: int
    action: str
    owner: str
    due: dt.date
    status: str


@dataclass(frozen=True)
class MinutesData:
    """The minutes workbook, parsed and checked; numbered lists are in number order."""

    meeting: Meeting
    attendees: tuple[Attendee, ...]
    agenda: tuple[AgendaItem, ...]
    decisions: tuple[Decision, ...]
    actions: tuple[ActionItem, ...]

    @property
    def present(self) -> tuple[Attendee, ...]:
        """Return the attendees who came, in workbook order."""
        return tuple(a for a in self.attendees if a.present)

    @property
    def absent(self) -> tuple[Attendee, ...]:
        """Return the attendees who were invited but did not come, in workbook order."""
        return tuple(a for a in self.attendees if not a.present)


# -- reading ---------------------------------------------------------------------------------
def read(path: Path, display: str) -> tuple[MinutesData, list[str]]:
    """Return the minutes workbook's data and warnings; raise DataError listing every problem."""
    reader = WorkbookReader(path, display)
    try:
        fields, where = reader.fields(MEETING)
        _check_times(reader, fields, where)
        attendees = reader.table(ATTENDEES)
        _check_attendance(reader, attendees)
        agenda = _numbered(reader, AGENDA)
        if not agenda and not _sheet_has_problems(reader, AGENDA):
            reader.problem("has no agenda items; add at least one row", AGENDA.name)
        decisions = _numbered(reader, DECISIONS)
        actions = _numbered(reader, ACTIONS)
        reader.raise_if_problems()
        data = MinutesData(
            meeting=_meeting(fields),
            attendees=tuple(Attendee(r["name"], r["department"], r["role"] or "", r["present"] == "yes")
                            for r in attendees),
            agenda=tuple(AgendaItem(r["no"], r["topic"], r["presenter"] or "", r["notes"] or "") for r in agenda),
            decisions=tuple(Decision(r["no"], r["decision"]) for r in decisions),
            actions=tuple(ActionItem(r["no"], r["action"], r["owner"], r["due"], r["status"] or "")
                          for r in actions),
        )
        reader.warnings.extend(_absent_officers(reader.file, data, where))
        return data, reader.warnings
    finally:
        reader.close()


def _meeting(fields: dict[str, Any]) -> Meeting:
    """Return the Meeting of fields already checked to be complete."""
    return Meeting(title=fields["title"], date=fields["date"], start=fields["start"], end=fields["end"],
                   location=fields["location"], chair=fields["chair"], recorder=fields["recorder"],
                   purpose=fields["purpose"])


def _check_times(reader: WorkbookReader, fields: dict[str, Any], where: dict[str, int]) -> None:
    """Report a meeting that ends before it starts (both are zero-padded HH:MM, so text order is time order)."""
    start, end = fields.get("start"), fields.get("end")
    if start and end and end < start:
        reader.problem(_("end {end} is before start {start}").format(end=end, start=start), MEETING.name,
                       where.get("end"), "end")


def _sheet_has_problems(reader: WorkbookReader, sheet: Sheet) -> bool:
    """Return whether a problem was already reported on ``sheet`` (a missing sheet counts).

    Cell problems carry the sheet's title as typed, which may be the Chinese name or another case.
    """
    names = {sheet.name.casefold(), sheet.zh.casefold()}
    return any((p.sheet is not None and p.sheet.strip().casefold() in names)
               or (p.sheet is None and p.message.startswith(_missing_sheet(sheet))) for p in reader.problems)


def _missing_sheet(sheet: Sheet) -> str:
    """Return how the workbook reader's message for a missing ``sheet`` begins, in the active language."""
    return _("missing sheet {sheet} ({sheet_zh}); the workbook has: {present}").format(
        sheet=sheet.name, sheet_zh=sheet.zh, present="")


def _check_attendance(reader: WorkbookReader, rows: list[Row]) -> None:
    """Report an attendee list with nobody present; minutes of a meeting nobody attended record nothing.

    Skipped when the sheet already has problems: a bad ``present`` cell reads as blank and
    would make this message wrong as well as redundant.
    """
    if _sheet_has_problems(reader, ATTENDEES):
        return
    if not rows:
        reader.problem(_("has no attendees; add at least one row"), ATTENDEES.name)
    elif not any(r["present"] == "yes" for r in rows):
        reader.problem(_("has nobody present; mark at least one attendee present = yes (是)"), ATTENDEES.name)


def _numbered(reader: WorkbookReader, sheet: Sheet) -> list[Row]:
    """Return the rows of a numbered sheet sorted by ``no``, reporting every repeated number."""
    rows = reader.table(sheet)
    first_row: dict[int, int] = {}
    for row in rows:
        no = row["no"]
        if no is None:
            continue
        if no in first_row:
            reader.problem(_("no {no} appears twice (also row {row})").format(no=no, row=first_row[no]), sheet.name,
                           row.number, "no")
        else:
            first_row[no] = row.number
    # A row whose number was unreadable is reported already; sorting it last keeps the sort total.
    return sorted(rows, key=lambda r: (r["no"] is None, r["no"] or 0))


def _absent_officers(file: str, data: MinutesData, where: dict[str, int]) -> list[str]:
    """Return warnings for a chair or recorder who is not on the attendee list as present.

    Only a warning: small meetings often leave the chair and recorder off the list, but a
    mismatch may also be a typo in a name the minutes are signed with.
    """
    here = {a.name for a in data.present}
    warnings = []
    for key in ("chair", "recorder"):
        name = getattr(data.meeting, key)
        if name not in here:
            warnings.append(_("{file}, sheet {sheet}, row {row}: {key} {name} is not listed as "
                              "present in sheet {attendees}").format(file=file, sheet=MEETING.name, row=where.get(key),
                                                                    key=key, name=name, attendees=ATTENDEES.name))
    return warnings


# -- template context ------------------------------------------------------------------------
def _text(value: str) -> str:
    """Return the value, or a dash for an optional cell left blank (so table cells never look lost)."""
    return value if value.strip() else "—"


def _person(index: int, attendee: Attendee) -> dict[str, str]:
    """Return one attendee's row of the present or absent table."""
    return {"no": str(index), "name": attendee.name, "department": attendee.department,
            "role": _text(attendee.role)}


def attendance_text(data: MinutesData, language: str) -> str:
    """Return the attendance sentence, e.g. ``应到 15 人，实到 14 人，缺席 1 人``."""
    return labels(language)["minutes_attendance_text"].format(
        expected=len(data.attendees), present=len(data.present), absent=len(data.absent))


def context(data: MinutesData, config: Config) -> dict[str, Any]:
    """Return the template variables of the minutes' content.

    ``meeting.title`` is the workbook's title ("" when blank): the template falls back to the
    document title, and a ``--title`` that differs does not hide the meeting's own name.
    """
    m = data.meeting
    return {
        "meeting": {"title": m.title or "", "date": m.date.isoformat(), "start": m.start, "end": m.end,
                    "location": m.location, "chair": m.chair, "recorder": m.recorder, "purpose": m.purpose},
        "attendance": attendance_text(data, config.language),
        "present": [_person(i, a) for i, a in enumerate(data.present, start=1)],
        "absent": [_person(i, a) for i, a in enumerate(data.absent, start=1)],
        "agenda": [{"no": str(a.no), "topic": a.topic, "presenter": _text(a.presenter), "notes": _text(a.notes)}
                   for a in data.agenda],
        "decisions": [{"no": str(d.no), "decision": d.decision} for d in data.decisions],
        "actions": [{"no": str(a.no), "action": a.action, "owner": a.owner, "due": a.due.isoformat(),
                     "status": _text(a.status)} for a in data.actions],
    }


def title_of(data: MinutesData) -> str | None:
    """Return the meeting title the workbook gives, or None."""
    return data.meeting.title or None


DOCTYPE = DocType(name="minutes", read=read, context=context, title_of=title_of,
                  default_title=("考评沟通会会议纪要", "Evaluation Communication Meeting Minutes"))

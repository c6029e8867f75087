"""Tests of qmsdocs.doctypes.minutes: the sample, rendered and reopened; bad workbooks; special text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import lifecycle, workspace
from qmsdocs.blank import build_blank
from qmsdocs.config import Config
from qmsdocs.doctypes import minutes
from qmsdocs.sheets import WORKBOOKS
from qmsdocs.errors import DataError
from qmsdocs.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "records" / "minutes.xlsx"
D = dt.date

#: The Meeting sheet of a small valid workbook, in sheet order: the value of key k sits in row 2 + index.
MEETING: dict[str, Any] = {
    "title": "Q4 communication meeting",
    "date": D(2026, 12, 2),
    "start": "09:00",
    "end": "10:30",
    "location": "Room 301",
    "chair": "Wang Jianguo",
    "recorder": "Wu Jing",
    "purpose": "Explain the evaluation.",
}
MEETING_ROW = {key: index for index, key in enumerate(MEETING, start=2)}
ATTENDEES = [
    ["Wang Jianguo", "Customer service", "Team leader", "yes"],
    ["Wu Jing", "Customer service", None, "是"],
    ["Ma Chao", "Customer service", "Engineer", "no"],
]
AGENDA = [[1, "Purpose", "Wang Jianguo", "Why we evaluate"], [2, "Methods", None, None]]
DECISIONS = [[1, "Follow the plan."]]
ACTIONS = [[1, "Brief Ma Chao", "Li Ming", D(2026, 12, 3), "open"]]


def write_minutes(path: Path, meeting: dict[str, Any] | None = None, attendees: list[list[Any]] | None = None,
                  agenda: list[list[Any]] | None = None, decisions: list[list[Any]] | None = None,
                  actions: list[list[Any]] | None = None, drop: str | None = None) -> Path:
    """Write a minutes workbook from the blank (Chinese headers) and return its path; ``drop`` removes a sheet."""
    wb = build_blank("minutes", "zh")
    for sheet in WORKBOOKS["minutes"]:  # Chinese headers under English tab names (the reader takes both)
        wb[sheet.zh].title = sheet.name
    for key, value in dict(MEETING, **(meeting or {})).items():
        wb["Meeting"].cell(MEETING_ROW[key], 2, value)
    for name, rows in (("Attendees", attendees), ("Agenda", agenda), ("Decisions", decisions),
                       ("Actions", actions)):
        default = {"Attendees": ATTENDEES, "Agenda": AGENDA, "Decisions": DECISIONS, "Actions": ACTIONS}[name]
        for row in default if rows is None else rows:
            wb[name].append(row)
    if drop:
        del wb[drop]
    wb.save(path)
    return path


def load_sample_data() -> dict[str, list[Any]]:
    """Return ``MINUTES`` of tools/samples/minutes.py, the source of records/minutes.xlsx."""
    from tools.samples.minutes import MINUTES

    return MINUTES


def render(records: Path, data: Path, title: str | None = None) -> tuple[dict[str, Any], Any]:
    """Return the result of ``new minutes`` in the workspace and the .docx reopened with python-docx."""
    import docx

    ws = Workspace.open(records, write=True)
    try:
        result = lifecycle.new(ws, "minutes", data, title)
    finally:
        ws.close()
    return result, docx.Document(result["path"])


def sections(document: Any) -> dict[str, list[list[list[str]]]]:
    """Return, for each heading of the body, its tables as rows of cell texts, and its paragraphs under ''."""
    from docx.table import Table

    out: dict[str, list[list[list[str]]]] = {}
    current = ""
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            out.setdefault(current, []).append([[c.text for c in row.cells] for row in block.rows])
        elif block.style.name.startswith("Heading"):
            current = block.text
        elif block.text:
            out.setdefault(current + "/text", []).append([[block.text]])
    return out


def texts_under(found: dict[str, list[list[list[str]]]], heading: str) -> list[str]:
    """Return the paragraphs (not table cells) under a heading."""
    return [t[0][0] for t in found.get(heading + "/text", [])]


# -- the sample ----------------------------------------------------------------------------------
@pytest.fixture
def zh_records(tmp_path: Path) -> Path:
    root = tmp_path / "zh"
    workspace.init(root, "四川虹欧显示器件有限公司", "技术质量部", "zh")
    return root


def test_sample_reads_without_warnings() -> None:
    data, warnings = minutes.read(SAMPLE, "minutes.xlsx")
    assert warnings == []
    assert data.meeting.chair == "王建国"
    assert data.meeting.start < data.meeting.end
    staff = {"李明", "张伟", "刘洋", "陈晨", "杨帆", "赵磊", "黄丽", "周杰", "吴静", "徐强", "孙悦", "马超", "朱琳"}
    present_staff = staff & {a.name for a in data.present}
    assert len(present_staff) >= 12
    assert 1 <= len(staff & {a.name for a in data.absent}) <= 2
    assert "王建国" in {a.name for a in data.present}
    assert any("听" in a.topic + a.notes and "问" in a.topic + a.notes for a in data.agenda)
    assert data.decisions and all(a.owner and a.due for a in data.actions)


def test_sample_renders_every_value_in_its_place(zh_records: Path) -> None:
    sample = load_sample_data()
    result, document = render(zh_records, SAMPLE)
    meeting = sample["Meeting"]
    assert result["title"] == meeting[0]
    assert document.core_properties.title == meeting[0]
    found = sections(document)
    assert found["1 会议概况"] == [[
        ["标题", meeting[0]],
        ["会议日期", meeting[1].isoformat()],
        ["会议时间", f"{meeting[2]:%H:%M}–{meeting[3]:%H:%M}"],
        ["会议地点", meeting[4]],
        ["主持人", meeting[5]],
        ["记录人", meeting[6]],
        ["出席情况", "应到 16 人，实到 14 人，缺席 2 人"],
        ["规范性引用文件", "GB/T 19001-2016"],
    ]]
    assert texts_under(found, "2 会议目的") == [meeting[7]]
    header = ["序号", "姓名", "部门", "职务"]
    present = [r for r in sample["Attendees"] if r[3] == "是"]
    absent = [r for r in sample["Attendees"] if r[3] == "否"]
    assert found["3 出席人员"] == [[header] + [[str(i), *r[:3]] for i, r in enumerate(present, start=1)]]
    assert found["4 缺席人员"] == [[header] + [[str(i), *r[:3]] for i, r in enumerate(absent, start=1)]]
    assert texts_under(found, "4 缺席人员") == []  # no "nobody absent" sentence
    assert found["5 会议议程及记录"] == [[["序号", "议题", "报告人", "记录"]]
                                     + [[str(r[0]), r[1], r[2], r[3]] for r in sample["Agenda"]]]
    assert found["6 会议决议"] == [[["序号", "决议"]] + [[str(r[0]), r[1]] for r in sample["Decisions"]]]
    assert found["7 行动项"] == [[["序号", "行动项", "责任人", "完成日期", "状态"]]
                               + [[str(r[0]), r[1], r[2], r[3].isoformat(), r[4]] for r in sample["Actions"]]]


# -- reading ---------------------------------------------------------------------------------
def test_reads_labels_times_and_sorts_by_number(tmp_path: Path) -> None:
    path = write_minutes(tmp_path / "m.xlsx", {"start": dt.time(8, 5), "end": "9：40"},
                         agenda=[[2, "Second", None, None], ["1", "First", None, None]],
                         actions=[[1, "Early", "Li Ming", D(2026, 11, 1), None]])
    data, warnings = minutes.read(path, "m.xlsx")
    assert warnings == []
    assert (data.meeting.start, data.meeting.end) == ("08:05", "09:40")
    assert [(a.no, a.topic) for a in data.agenda] == [(1, "First"), (2, "Second")]
    assert [a.name for a in data.present] == ["Wang Jianguo", "Wu Jing"]
    assert [a.name for a in data.absent] == ["Ma Chao"]
    # An action due before the meeting is allowed: it may record something already done.
    assert data.actions[0].due == D(2026, 11, 1)


def test_chair_and_recorder_not_present_are_warnings(tmp_path: Path) -> None:
    path = write_minutes(tmp_path / "m.xlsx", {"chair": "Ma Chao", "recorder": "Somebody"})
    _, warnings = minutes.read(path, "m.xlsx")
    assert warnings == [
        "m.xlsx, sheet Meeting, row 7: chair Ma Chao is not listed as present in sheet Attendees",
        "m.xlsx, sheet Meeting, row 8: recorder Somebody is not listed as present in sheet Attendees",
    ]


def test_context_labels_in_english() -> None:
    data, _ = minutes.read(SAMPLE, "minutes.xlsx")
    content = minutes.context(data, Config(language="en"))
    assert content["attendance"] == "16 invited, 14 present, 2 absent"
    assert content["present"][0] == {"no": "1", "name": "王建国", "department": "客户服务组", "role": "客户服务组组长"}


BAD = [
    ("end before start", {"meeting": {"end": "08:30"}},
     ["m.xlsx, sheet Meeting, row 5, column end: end 08:30 is before start 09:00"]),
    ("bad time", {"meeting": {"start": "9点"}},
     ["m.xlsx, sheet Meeting, row 4, column start: 9点 is not a time written as HH:MM"]),
    ("no date", {"meeting": {"date": None}},
     ["m.xlsx, sheet Meeting, row 3, column date: is empty; expected a date (YYYY-MM-DD)"]),
    ("present maybe", {"attendees": [ATTENDEES[0], ["Wu Jing", "CS", None, "maybe"]]},
     ["m.xlsx, sheet Attendees, row 3, column present: maybe is not one of yes, no (是, 否)"]),
    ("nobody present", {"attendees": [["Wang Jianguo", "CS", None, "否"], ["Wu Jing", "CS", None, "no"]]},
     ["m.xlsx, sheet Attendees: has nobody present; mark at least one attendee present = yes (是)"]),
    ("no attendees", {"attendees": []},
     ["m.xlsx, sheet Attendees: has no attendees; add at least one row"]),
    ("no department", {"attendees": [["Wang Jianguo", None, None, "yes"]]},
     ["m.xlsx, sheet Attendees, row 2, column department: is empty; expected text"]),
    ("no agenda", {"agenda": []},
     ["m.xlsx, sheet Agenda: has no agenda items; add at least one row"]),
    ("agenda number twice", {"agenda": [[1, "A", None, None], [2, "B", None, None], [1, "C", None, None]]},
     ["m.xlsx, sheet Agenda, row 4, column no: no 1 appears twice (also row 2)"]),
    ("agenda number not a number", {"agenda": [["one", "A", None, None]]},
     ["m.xlsx, sheet Agenda, row 2, column no: one is not a number"]),
    ("decision and action numbers twice",
     {"decisions": [[1, "A"], [1, "B"]], "actions": [ACTIONS[0], ACTIONS[0]]},
     ["m.xlsx, sheet Decisions, row 3, column no: no 1 appears twice (also row 2)",
      "m.xlsx, sheet Actions, row 3, column no: no 1 appears twice (also row 2)"]),
    ("due not a date", {"actions": [[1, "Brief", "Li Ming", "next week", None]]},
     ["m.xlsx, sheet Actions, row 2, column due: next week is not a date written as YYYY-MM-DD"]),
    ("no owner", {"actions": [[1, "Brief", None, D(2026, 12, 3), None]]},
     ["m.xlsx, sheet Actions, row 2, column owner: is empty; expected text"]),
    ("missing sheet", {"drop": "Decisions"},
     ["m.xlsx: missing sheet Decisions (决议); the workbook has: 说明, Meeting, Attendees, Agenda, Actions"]),
    ("every problem at once",
     {"meeting": {"end": "08:00"}, "attendees": [["Wang Jianguo", "CS", None, "perhaps"]],
      "agenda": [[3, "A", None, None], [3, "B", None, None]]},
     ["m.xlsx, sheet Meeting, row 5, column end: end 08:00 is before start 09:00",
      "m.xlsx, sheet Attendees, row 2, column present: perhaps is not one of yes, no (是, 否)",
      "m.xlsx, sheet Agenda, row 3, column no: no 3 appears twice (also row 2)"]),
]


@pytest.mark.parametrize("changes, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_workbooks_report_every_problem(tmp_path: Path, changes: dict[str, Any], expected: list[str]) -> None:
    path = write_minutes(tmp_path / "m.xlsx", **changes)
    with pytest.raises(DataError) as exc:
        minutes.read(path, "m.xlsx")
    assert [str(p) for p in exc.value.problems] == expected


def test_bad_workbook_registers_nothing(records: Path, tmp_path: Path) -> None:
    from conftest import tree_digest

    before = tree_digest(records)
    path = write_minutes(tmp_path / "m.xlsx", {"end": "08:30"})
    with pytest.raises(DataError):
        render(records, path)
    assert tree_digest(records) == before


# -- rendering special text and empty lists --------------------------------------------------------
SPECIAL = {
    "title": 'R&D <review> "Q4" {{ 7*7 }}',
    "location": "会议室 & <lab> 🏢",
    "purpose": "Line one\nline two {% if true %}x{% endif %} 'quoted'",
}
SPECIAL_NOTE = "First & second <b>bold</b>\n{{ 7*7 }} 考评 😀\ttabbed"


def test_special_text_is_kept_exactly(records: Path, tmp_path: Path) -> None:
    path = write_minutes(
        tmp_path / "m.xlsx", SPECIAL,
        attendees=[["Wang Jianguo", "A&B <dept>", '"Leader"', "yes"], ["Wu Jing", "{{ x }}", None, "yes"]],
        agenda=[[1, "Topic <1> & {{ 7*7 }}", "王建国 😀", SPECIAL_NOTE]],
        decisions=[[1, "Decide {%p if %} & <ok>"]],
        actions=[[1, "Act & <now>", "Li \"Ming\"", D(2026, 12, 3), "{{ status }}"]])
    _, document = render(records, path)
    found = sections(document)
    details = dict(found["1 Meeting details"][0])
    assert details["Title"] == SPECIAL["title"]
    assert details["Location"] == SPECIAL["location"]
    assert details["Attendance"] == "2 invited, 2 present, 0 absent"
    assert texts_under(found, "2 Purpose of the meeting") == [SPECIAL["purpose"]]
    assert found["3 Attendees present"][0][1:] == [["1", "Wang Jianguo", "A&B <dept>", '"Leader"'],
                                                   ["2", "Wu Jing", "{{ x }}", "—"]]
    assert found["5 Agenda and notes"][0][1:] == [["1", "Topic <1> & {{ 7*7 }}", "王建国 😀", SPECIAL_NOTE]]
    assert found["6 Decisions"][0][1:] == [["1", "Decide {%p if %} & <ok>"]]
    assert found["7 Action items"][0][1:] == [["1", "Act & <now>", 'Li "Ming"', "2026-12-03", "{{ status }}"]]
    assert "49" not in "".join(c for row in found["5 Agenda and notes"][0] for c in row)


def test_empty_lists_render_with_a_sentence(records: Path, tmp_path: Path) -> None:
    path = write_minutes(tmp_path / "m.xlsx", attendees=ATTENDEES[:2], decisions=[], actions=[])
    _, document = render(records, path)
    found = sections(document)
    assert found["4 Attendees absent"] == [[["No.", "Name", "Department", "Role"]]]
    assert texts_under(found, "4 Attendees absent") == ["Nobody was absent."]
    assert found["6 Decisions"] == [[["No.", "Decision"]]]
    assert texts_under(found, "6 Decisions") == ["No decisions were taken."]
    assert found["7 Action items"] == [[["No.", "Action", "Owner", "Due", "Status"]]]
    assert texts_under(found, "7 Action items") == ["No action items."]
    assert found["5 Agenda and notes"][0][1:] == [["1", "Purpose", "Wang Jianguo", "Why we evaluate"],
                                                  ["2", "Methods", "—", "—"]]


def test_title_option_keeps_the_meeting_title(records: Path, tmp_path: Path) -> None:
    path = write_minutes(tmp_path / "m.xlsx")
    result, document = render(records, path, title="Minutes HY-1")
    assert result["title"] == "Minutes HY-1"
    assert document.core_properties.title == "Minutes HY-1"
    assert dict(sections(document)["1 Meeting details"][0])["Title"] == MEETING["title"]


def test_without_title_the_default_title_is_used(records: Path, tmp_path: Path) -> None:
    path = write_minutes(tmp_path / "m.xlsx", {"title": None})
    result, document = render(records, path)
    assert result["title"] == "Evaluation Communication Meeting Minutes"
    assert dict(sections(document)["1 Meeting details"][0])["Title"] == "Evaluation Communication Meeting Minutes"

"""The layout of every input workbook (spec §5): sheets, columns, labels and value kinds.

A column's ``kind`` says how a cell is read: ``text``, ``int`` (whole number ≥ 0), ``number``
(> 0), ``score`` (0–100), ``date``, ``time``, ``rate`` (0.9, 90% or 90 all mean 90 %),
``choice:<vocab>`` (a key or label of :mod:`qmsdocs.vocab`) or ``methods`` (several of the seven).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"
    required: bool = True
    help_zh: str = ""

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Sheet:
    """One sheet: a table with a header row, or (``keyvalue``) two columns field / value."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    keyvalue: bool = False

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


FIELD = Column("field", "字段", "Field")
VALUE = Column("value", "值", "Value")

INDICATORS = Sheet("Indicators", "指标", (
    Column("code", "代码", "Code"),
    Column("name", "名称", "Name"),
    Column("kind", "类型", "Kind", "choice:kind"),
    Column("dimension", "维度", "Dimension", "choice:dimension"),
    Column("weight", "权重", "Weight", "number"),
    Column("metric", "计量指标", "Metric", "choice:metric", required=False),
    Column("target", "目标值", "Target", "text", required=False),
    Column("limit", "限值", "Limit", "text", required=False),
    Column("method", "考评方法", "Method", "methods"),
))

PLAN = Sheet("Plan", "策划", (
    Column("title", "标题", "Title", required=False),
    Column("period", "考评周期", "Period"),
    Column("purpose", "目的", "Purpose"),
    Column("scope", "范围", "Scope"),
    Column("organizer", "组织者", "Organizer"),
    Column("start", "开始日期", "Start", "date"),
    Column("end", "结束日期", "End", "date"),
    Column("meeting_date", "沟通会日期", "Meeting date", "date", required=False),
    Column("summary_method", "结果汇总方法", "How results are summarised"),
    Column("feedback_method", "绩效沟通方式", "How performance is communicated"),
), keyvalue=True)

SCHEDULE = Sheet("Schedule", "日程", (
    Column("step", "步骤", "Step"),
    Column("start", "开始日期", "Start", "date"),
    Column("end", "结束日期", "End", "date"),
    Column("owner", "负责人", "Owner"),
    Column("output", "输出", "Output", required=False),
))

EVALUATORS = Sheet("Evaluators", "考评人员", (
    Column("name", "姓名", "Name"),
    Column("role", "职务", "Role"),
    Column("type", "类别", "Type", "choice:evaluator_type"),
))

MEETING = Sheet("Meeting", "会议", (
    Column("title", "标题", "Title", required=False),
    Column("date", "日期", "Date", "date"),
    Column("start", "开始时间", "Start", "time"),
    Column("end", "结束时间", "End", "time"),
    Column("location", "地点", "Location"),
    Column("chair", "主持人", "Chair"),
    Column("recorder", "记录人", "Recorder"),
    Column("purpose", "会议目的", "Purpose"),
), keyvalue=True)

ATTENDEES = Sheet("Attendees", "参会人员", (
    Column("name", "姓名", "Name"),
    Column("department", "部门", "Department"),
    Column("role", "职务", "Role", required=False),
    Column("present", "出席", "Present", "choice:present"),
))

AGENDA = Sheet("Agenda", "议程", (
    Column("no", "序号", "No.", "int"),
    Column("topic", "议题", "Topic"),
    Column("presenter", "报告人", "Presenter", required=False),
    Column("notes", "记录", "Notes", required=False),
))

DECISIONS = Sheet("Decisions", "决议", (
    Column("no", "序号", "No.", "int"),
    Column("decision", "决议", "Decision"),
))

ACTIONS = Sheet("Actions", "行动项", (
    Column("no", "序号", "No.", "int"),
    Column("action", "行动项", "Action"),
    Column("owner", "责任人", "Owner"),
    Column("due", "完成日期", "Due", "date"),
    Column("status", "状态", "Status", required=False),
))

PERIOD = Sheet("Period", "期间", (
    Column("period", "考评周期", "Period"),
    Column("evaluated_on", "考评日期", "Evaluated on", "date"),
), keyvalue=True)

STAFF = Sheet("Staff", "员工", (
    Column("staff_id", "工号", "Staff ID"),
    Column("name", "姓名", "Name"),
    Column("position", "岗位", "Position", required=False),
))

RATINGS = Sheet("Ratings", "评分", (
    Column("staff_id", "工号", "Staff ID"),
    Column("evaluator", "考评人", "Evaluator"),
    Column("evaluator_type", "考评人类别", "Evaluator type", "choice:evaluator_type"),
    Column("indicator", "指标代码", "Indicator"),
    Column("score", "评分", "Score", "score"),
))

SERVICE = Sheet("Service", "服务记录", (
    Column("staff_id", "工号", "Staff ID"),
    Column("jobs", "服务次数", "Jobs", "int"),
    Column("first_pass", "一次修复合格数", "First pass", "int"),
    Column("repeat", "二次修复数", "Repeat", "int"),
    Column("complaints", "投诉数", "Complaints", "int"),
    Column("scrapped", "废损数", "Scrapped", "int"),
))

#: The sheets of each workbook type, in the order ``qms sheet`` writes them.
WORKBOOKS: dict[str, tuple[Sheet, ...]] = {
    "plan": (PLAN, INDICATORS, SCHEDULE, EVALUATORS),
    "minutes": (MEETING, ATTENDEES, AGENDA, DECISIONS, ACTIONS),
    "scores": (PERIOD, INDICATORS, STAFF, RATINGS, SERVICE),
}

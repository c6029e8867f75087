"""Plain data objects read from the input workbooks and handed to scoring and rendering.

They hold parsed, validated values only: no file, sheet or row bookkeeping (that lives in the
workbook readers, which report errors before any of these objects exist).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

KINDS = ("quantitative", "qualitative")
DIMENSIONS = ("capability", "process", "performance")
METRICS = ("first_pass_rate", "repeat_rate", "complaint_rate", "scrap_rate")
#: Metrics where a lower value is better; they need a ``limit`` above the ``target``.
LOWER_IS_BETTER = ("repeat_rate", "complaint_rate", "scrap_rate")
METHODS = ("listen", "check", "look", "visit", "test", "measure", "ask")
EVALUATOR_TYPES = ("leader", "peer")


@dataclass(frozen=True)
class Indicator:
    """One evaluation indicator (考评指标) as the plan and score workbooks define it.

    ``target`` and ``limit`` are rates as exact fractions (0.9 for 90 %) for quantitative
    indicators; for qualitative ones ``target`` is None and ``target_text`` keeps what was typed.
    """

    code: str
    name: str
    kind: str
    dimension: str
    weight: Decimal
    metric: str | None = None
    target: Decimal | None = None
    limit: Decimal | None = None
    methods: tuple[str, ...] = ()
    target_text: str = ""


@dataclass(frozen=True)
class ScheduleStep:
    step: str
    start: dt.date | None
    end: dt.date | None
    owner: str
    output: str


@dataclass(frozen=True)
class Evaluator:
    name: str
    role: str
    type: str


@dataclass(frozen=True)
class PlanData:
    """The evaluation plan workbook (考评策划书), parsed."""

    fields: dict[str, object]
    indicators: tuple[Indicator, ...]
    schedule: tuple[ScheduleStep, ...]
    evaluators: tuple[Evaluator, ...]


@dataclass(frozen=True)
class Staff:
    staff_id: str
    name: str
    position: str


@dataclass(frozen=True)
class Rating:
    """One evaluator's score (0–100) of one staff member on one qualitative indicator."""

    staff_id: str
    evaluator: str
    evaluator_type: str
    indicator: str
    score: Decimal


@dataclass(frozen=True)
class Service:
    """The service counts behind the quantitative indicators for one staff member."""

    staff_id: str
    jobs: int
    first_pass: int
    repeat: int
    complaints: int
    scrapped: int


@dataclass(frozen=True)
class ScoresData:
    """The scores workbook (考评评分表), parsed and cross-checked."""

    fields: dict[str, object]
    indicators: tuple[Indicator, ...]
    staff: tuple[Staff, ...]
    ratings: tuple[Rating, ...]
    service: tuple[Service, ...] = field(default_factory=tuple)

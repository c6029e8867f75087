"""The evaluation plan (考评策划书, seed §6.5.2): workbook reading and template context."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from qmsdocs import vocab
from qmsdocs.config import Config
from qmsdocs.doctypes import DocType
from qmsdocs.i18n import _
from qmsdocs.indicators import read_indicators
from qmsdocs.models import Evaluator, Indicator, PlanData, ScheduleStep
from qmsdocs.sheets import EVALUATORS, PLAN, SCHEDULE
from qmsdocs.workbook import WorkbookReader


def read(path: Path, display: str) -> tuple[PlanData, list[str]]:
    """Return the plan workbook's data and warnings; raise DataError listing every problem."""
    reader = WorkbookReader(path, display)
    try:
        fields, where = reader.fields(PLAN)
        if fields.get("start") and fields.get("end") and fields["end"] < fields["start"]:
            reader.problem(_("end {end} is before start {start}").format(end=fields["end"], start=fields["start"]),
                           PLAN.name, where.get("end"), "end")
        indicators = read_indicators(reader)
        schedule = []
        for row in reader.table(SCHEDULE):
            if row["start"] and row["end"] and row["end"] < row["start"]:
                reader.problem(_("end {end} is before start {start}").format(end=row["end"], start=row["start"]),
                               SCHEDULE.name, row.number, "end")
            schedule.append(ScheduleStep(row["step"] or "", row["start"], row["end"], row["owner"] or "",
                                         row["output"] or ""))
        evaluators = [Evaluator(r["name"] or "", r["role"] or "", r["type"] or "") for r in reader.table(EVALUATORS)]
        if not evaluators and not any(p.sheet == EVALUATORS.name for p in reader.problems):
            reader.problem("has no evaluators; add at least one row", EVALUATORS.name)
        reader.raise_if_problems()
        return PlanData(fields, indicators, tuple(schedule), tuple(evaluators)), reader.warnings
    finally:
        reader.close()


def number_text(value: Decimal) -> str:
    """Return a decimal without exponent or trailing zeros: 30, 0.25."""
    text = format(value.normalize(), "f")
    return text


def rate_text(value: Decimal | None) -> str:
    """Return a rate as a percentage: 0.9 → 90%, 0.025 → 2.5%."""
    return "" if value is None else number_text(value * 100) + "%"


def indicator_row(ind: Indicator, language: str) -> dict[str, str]:
    """Return the display values of one indicator for a table row."""
    sep = "、" if language == "zh" else ", "
    quantitative = ind.kind == "quantitative"
    return {
        "code": ind.code,
        "name": ind.name,
        "kind": vocab.label("kind", ind.kind, language),
        "dimension": vocab.label("dimension", ind.dimension, language),
        "weight": number_text(ind.weight),
        "metric": vocab.label("metric", ind.metric, language) if ind.metric else "—",
        "target": rate_text(ind.target) if quantitative else (ind.target_text or "—"),
        "limit": rate_text(ind.limit) if ind.limit is not None else "—",
        "method": sep.join(vocab.label("method", m, language) for m in ind.methods),
    }


def _text(value: Any) -> str:
    if value is None:
        return "—"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def context(data: PlanData, config: Config) -> dict[str, Any]:
    """Return the template variables of the plan's content."""
    language = config.language
    return {
        # The title is the frame's (--title may override the workbook's), so it is not repeated here.
        "plan": {key: _text(value) for key, value in data.fields.items() if key != "title"},
        "indicators": [indicator_row(i, language) for i in data.indicators],
        "schedule": [
            {"step": s.step, "start": _text(s.start), "end": _text(s.end), "owner": s.owner, "output": s.output}
            for s in data.schedule
        ],
        "evaluators": [
            {"name": e.name, "role": e.role, "type": vocab.label("evaluator_type", e.type, language)}
            for e in data.evaluators
        ],
    }


def title_of(data: PlanData) -> str | None:
    title = data.fields.get("title")
    return str(title) if title else None


DOCTYPE = DocType(name="plan", read=read, context=context, title_of=title_of,
                  default_title=("客户服务体系考评策划书", "Customer Service Evaluation Plan"))

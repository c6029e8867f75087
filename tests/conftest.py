"""Shared fixtures: a fresh workspace, a fixed 'today', and input workbooks built on the fly."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import workspace
from qmsdocs.workspace import Workspace

TODAY = "2026-11-20"
ROOT = Path(__file__).resolve().parent.parent

PLAN_FIELDS: dict[str, Any] = {
    "title": "Evaluation plan Q4",
    "period": "2026 Q4",
    "purpose": "Evaluate service staff objectively.",
    "scope": "All customer-service staff.",
    "organizer": "Wang Jianguo",
    "start": dt.date(2026, 12, 1),
    "end": "2026-12-20",
    "meeting_date": dt.date(2026, 12, 2),
    "summary_method": "Weighted totals, ranked.",
    "feedback_method": "One-to-one talks.",
}
PLAN_INDICATORS = [
    ["Q1", "First-time fix", "quantitative", "performance", 40, "first_pass_rate", "90%", None, "check, measure"],
    ["Q2", "Repeat repairs", "定量", "过程", 20, "repeat_rate", 0.05, 0.15, "查、看"],
    ["S1", "Attitude", "qualitative", "capability", 40, None, "80 points", None, "listen, ask"],
]
PLAN_SCHEDULE = [["Plan the round", dt.date(2026, 11, 24), dt.date(2026, 11, 30), "Wang", "Plan"]]
PLAN_EVALUATORS = [["Wang Jianguo", "Team leader", "leader"], ["Li Ming", "Engineer", "peer"]]


def write_plan(path: Path, fields: dict[str, Any] | None = None, indicators: list[list[Any]] | None = None,
               schedule: list[list[Any]] | None = None, evaluators: list[list[Any]] | None = None) -> Path:
    """Write a filled plan workbook (English headers) and return its path."""
    from qmsdocs.blank import build_blank

    wb = build_blank("plan", "en")
    values = dict(PLAN_FIELDS, **(fields or {}))
    ws = wb["Plan"]
    ws.delete_rows(2, ws.max_row)
    for key, value in values.items():
        ws.append([key, value])
    for name, rows in (("Indicators", indicators or PLAN_INDICATORS), ("Schedule", schedule or PLAN_SCHEDULE),
                       ("Evaluators", evaluators or PLAN_EVALUATORS)):
        for row in rows:
            wb[name].append(row)
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QMS_TODAY", TODAY)
    monkeypatch.delenv("QMS_RECORDS", raising=False)
    return TODAY


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """Return the folder of a fresh workspace (English documents)."""
    root = tmp_path / "ws"
    workspace.init(root, "Hong'ou Display", "Technical Quality Dept.", "en")
    return root


@pytest.fixture
def ws(records: Path):
    w = Workspace.open(records)
    yield w
    w.close()


@pytest.fixture
def plan_xlsx(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan.xlsx")


def tree_digest(root: Path) -> dict[str, str]:
    """Return the sha256 of every file below ``root`` (to prove a refused command changed nothing)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}

"""qmsdocs.indicators: the Indicators sheet of the plan and scores workbooks, and rates."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest_workbooks import INDICATOR_HEADER, INDICATORS_OK, write_workbook
from qmsdocs.indicators import read_indicators
from qmsdocs.models import Indicator
from qmsdocs.workbook import WorkbookReader
from qmsdocs.xlsx.cells import parse_rate

NAME = "plan.xlsx"
METRIC_NEEDED = "first_pass_rate, repeat_rate, complaint_rate or scrap_rate"


def indicators_of(tmp_path: Path, rows: list[list[Any]]) -> tuple[tuple[Indicator, ...], list[str]]:
    """Return the indicators read from a workbook of ``rows`` and the problem lines."""
    path = write_workbook(tmp_path / NAME, {"Indicators": [INDICATOR_HEADER] + rows})
    with WorkbookReader(path, NAME) as reader:
        indicators = read_indicators(reader)
    return indicators, [str(p) for p in reader.problems]


def row(**changes: Any) -> list[Any]:
    """Return a valid quantitative indicator row (Q1, repeat_rate 5 % / 15 %) with ``changes``."""
    values = dict(zip(INDICATOR_HEADER, ["Q1", "Repeats", "quantitative", "process", 20, "repeat_rate", "5%", "15%",
                                         "check"]))
    values.update(changes)
    return [values[key] for key in INDICATOR_HEADER]


def test_valid_indicators(tmp_path: Path) -> None:
    indicators, problems = indicators_of(tmp_path, INDICATORS_OK)
    assert problems == []
    assert indicators == (
        Indicator("Q1", "First-time fix", "quantitative", "performance", Decimal(40), "first_pass_rate",
                  Decimal("0.9"), None, ("check", "measure"), "90%"),
        Indicator("Q2", "Repeat repairs", "quantitative", "process", Decimal(20), "repeat_rate",
                  Decimal("0.05"), Decimal("0.15"), ("check", "look"), "0.05"),
        Indicator("S1", "Attitude", "qualitative", "capability", Decimal(40), None, None, None, ("listen", "ask"),
                  "80 points"),
    )


@pytest.mark.parametrize("changes, target, limit", [
    ({"target": 0.05, "limit": 0.15}, Decimal("0.05"), Decimal("0.15")),
    ({"target": "5 %", "limit": "１５％"}, Decimal("0.05"), Decimal("0.15")),
    ({"target": 5, "limit": 15}, Decimal("0.05"), Decimal("0.15")),
    ({"target": 0, "limit": "100%"}, Decimal(0), Decimal(1)),
], ids=["fractions as numbers", "percent with a space and full width", "percent numbers", "zero to one"])
def test_rates_typed_in_every_way(tmp_path: Path, changes: dict[str, Any], target: Decimal, limit: Decimal) -> None:
    indicators, problems = indicators_of(tmp_path, [row(**changes)])
    assert problems == []
    assert (indicators[0].target, indicators[0].limit) == (target, limit)


def test_qualitative_indicator_ignores_metric_and_keeps_target_text(tmp_path: Path) -> None:
    indicators, problems = indicators_of(tmp_path, [row(kind="qualitative", target="Polite & <quick>", limit="x")])
    assert problems == []
    assert (indicators[0].metric, indicators[0].target, indicators[0].limit) == (None, None, None)
    assert indicators[0].target_text == "Polite & <quick>"


PREFIX = "plan.xlsx, sheet Indicators, row 2, column "
PROBLEMS: list[tuple[str, list[list[Any]], list[str]]] = [
    ("quantitative without metric", [row(metric=None)],
     [PREFIX + f"metric: quantitative indicator Q1 needs a metric: {METRIC_NEEDED}"]),
    ("unknown metric reported once", [row(metric="speed")],
     [PREFIX + "metric: speed is not one of first_pass_rate, repeat_rate, complaint_rate, scrap_rate "
               "(一次修复合格率, 二次修复率, 投诉率, 废损率)"]),
    ("no code and no metric", [row(code=None, metric=None)],
     [PREFIX + "code: is empty; expected text",
      PREFIX + f"metric: quantitative indicator without a code needs a metric: {METRIC_NEEDED}"]),
    ("missing target", [row(target=None)],
     [PREFIX + "target: quantitative indicator Q1 needs a target rate such as 0.9 or 90%"]),
    ("missing limit of a lower-is-better metric", [row(limit=None)],
     [PREFIX + "limit: quantitative indicator Q1 needs a limit rate such as 0.9 or 90%"]),
    ("target not a rate", [row(target="high")], [PREFIX + "target: high is not a rate such as 0.9 or 90%"]),
    ("target above 100%", [row(target="150%")], [PREFIX + "target: 150% is not a rate such as 0.9 or 90%"]),
    ("limit below target", [row(target="10%", limit="5%")],
     [PREFIX + "limit: 5% is not above the target 10% of indicator Q1 (lower is better for repeat_rate)"]),
    ("limit equal to target", [row(target=0.1, limit="10%")],
     [PREFIX + "limit: 10% is not above the target 0.1 of indicator Q1 (lower is better for repeat_rate)"]),
    ("first-pass target of zero", [row(metric="first_pass_rate", target="0%", limit=None)],
     [PREFIX + "target: 0% is not a target above 0 for indicator Q1"]),
    ("duplicate code", [row(), row(name="Again")],
     ["plan.xlsx, sheet Indicators, row 3, column code: duplicate indicator code Q1 (first in row 2)"]),
    ("bad weight and method", [row(weight="heavy", method="smell")],
     [PREFIX + "weight: heavy is not a number",
      PREFIX + "method: smell is not a method; expected any of listen, check, look, visit, test, measure, ask "
               "(听, 查, 看, 访, 考, 测, 问)"]),
    ("no indicators", [], ["plan.xlsx, sheet Indicators: has no indicators; add at least one row"]),
]


@pytest.mark.parametrize("rows, lines", [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS])
def test_indicator_problems(tmp_path: Path, rows: list[list[Any]], lines: list[str]) -> None:
    indicators, problems = indicators_of(tmp_path, rows)
    assert problems == lines


@pytest.mark.parametrize("typed, rate", [
    ("0.9", Decimal("0.9")), ("90%", Decimal("0.9")), ("90", Decimal("0.9")), (" 90 % ", Decimal("0.9")),
    ("５%", Decimal("0.05")), ("５％", Decimal("0.05")), ("９０．５％", Decimal("0.905")), ("0", Decimal(0)),
    ("1", Decimal(1)), ("100%", Decimal(1)), ("100", Decimal(1)), ("1.5", Decimal("0.015")), (".5", Decimal("0.5")),
    ("0.5%", Decimal("0.005")),
])
def test_parse_rate(typed: str, rate: Decimal) -> None:
    assert parse_rate(typed) == rate


@pytest.mark.parametrize("typed", ["", "%", "150", "101%", "-5%", "abc", "90%%", "% 90", "NaN", "Infinity", "1e2",
                                   "0.9.1", "9 0", "0,9", "90 percent"])
def test_parse_rate_refuses(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(typed)

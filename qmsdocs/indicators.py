"""Reading and cross-checking the Indicators sheet shared by the plan and scores workbooks."""
from __future__ import annotations

from decimal import Decimal

from qmsdocs.models import LOWER_IS_BETTER, Indicator
from qmsdocs.sheets import INDICATORS
from qmsdocs.text import one_line
from qmsdocs.workbook import WorkbookReader
from qmsdocs.xlsx.cells import parse_rate


def read_indicators(reader: WorkbookReader) -> tuple[Indicator, ...]:
    """Return the indicators of the workbook; problems go to the reader."""
    return read_indicators_and_codes(reader)[0]


def read_indicators_and_codes(reader: WorkbookReader) -> tuple[tuple[Indicator, ...], set[str]]:
    """Return the indicators of the workbook and every code on the sheet, also of rows with problems."""
    sheet = INDICATORS.name
    seen: dict[str, int] = {}
    out = []
    for row in reader.table(INDICATORS):
        code, kind, metric = row["code"], row["kind"], row["metric"]
        name = f"indicator {one_line(code)}" if code is not None else "indicator without a code"
        if code is not None:
            if code in seen:
                reader.problem(f"duplicate indicator code {one_line(code)} (first in row {seen[code]})", sheet,
                               row.number, "code")
            else:
                seen[code] = row.number
        target = limit = None
        if kind == "quantitative":
            if metric is None and not reader.has_problem(sheet, row.number, "metric"):
                reader.problem(f"quantitative {name} needs a metric: first_pass_rate, repeat_rate, "
                               "complaint_rate or scrap_rate", sheet, row.number, "metric")
            target = _rate(reader, row.number, "target", row["target"], name)
            if metric in LOWER_IS_BETTER:
                limit = _rate(reader, row.number, "limit", row["limit"], name)
                if target is not None and limit is not None and not limit > target:
                    reader.problem(f"{one_line(row['limit'])} is not above the target {one_line(row['target'])} "
                                   f"of {name} (lower is better for {metric})", sheet, row.number, "limit")
            elif metric == "first_pass_rate" and target == 0:
                reader.problem(f"{one_line(row['target'])} is not a target above 0 for {name}", sheet, row.number,
                               "target")
        if None in (code, row["name"], kind, row["dimension"], row["weight"], row["method"]):
            continue
        out.append(Indicator(code=code, name=row["name"], kind=kind, dimension=row["dimension"],
                             weight=row["weight"], metric=metric if kind == "quantitative" else None,
                             target=target, limit=limit, methods=row["method"],
                             target_text=row["target"] or ""))
    if not out and not reader.problems:
        reader.problem("has no indicators; add at least one row", sheet)
    return tuple(out), set(seen)


def _rate(reader: WorkbookReader, number: int, column: str, raw: str | None, name: str) -> Decimal | None:
    """Return the rate in a target or limit cell; report it if it is missing or not a rate."""
    if raw is None:
        if not reader.has_problem(INDICATORS.name, number, column):
            reader.problem(f"quantitative {name} needs a {column} rate such as 0.9 or 90%",
                           INDICATORS.name, number, column)
        return None
    try:
        return parse_rate(raw)
    except ValueError:
        reader.problem(f"{one_line(raw)} is not a rate such as 0.9 or 90%", INDICATORS.name, number, column)
        return None

"""The results workbook of a score round (``qms new scores --xlsx``): sheet ``Results`` and a chart.

Columns are fixed by the spec: ``staff_id``, ``name``, ``total`` (rounded), ``grade``, ``rank``,
then one column per indicator code holding that indicator's rounded score. A score that does not
apply (no jobs, or no rating) is a blank cell, so the column stays numeric for Excel's own sums.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from qmsdocs import ooxml
from qmsdocs.outputs import append_values
from qmsdocs.scoring import ScoreReport

SHEET = "Results"
FIXED_COLUMNS = ("staff_id", "name", "total", "grade", "rank")
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _number(value: Decimal | None) -> float | None:
    # One-decimal Decimals convert to floats exactly as shown (84.3 stays 84.3).
    return None if value is None else float(value)


def build(report: ScoreReport, codes: list[str], grade_labels: dict[str, str], chart_title: str,
          day: dt.date) -> bytes:
    """Return the .xlsx bytes of the results: one row per staff member in rank order, plus a bar chart.

    ``grade_labels`` maps grade keys to the workspace language; ``day`` stamps the file's
    properties so the same results give the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws: Any = wb.active  # a new workbook always has its one sheet
    ws.title = SHEET
    append_values(ws, list(FIXED_COLUMNS) + codes)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for result in report.results:
        scores = {s.code: _number(s.score_rounded) for s in result.indicators}
        append_values(ws, [result.staff.staff_id, result.staff.name, _number(result.total_rounded),
                   grade_labels[result.grade] if result.grade else None, result.rank]
                  + [scores.get(code) for code in codes])
    # Show every score with its one decimal (98.0, not 98), as the document does.
    for row in ws.iter_rows(min_row=2):
        for cell in (row[2], *row[len(FIXED_COLUMNS):]):
            cell.number_format = "0.0"
    ws.freeze_panes = "A2"
    for index in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(index)].width = 12
    rows = len(report.results)
    if rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = chart_title
        chart.y_axis.title = FIXED_COLUMNS[2]
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.legend = None
        chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=rows + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=rows + 1))
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{get_column_letter(len(FIXED_COLUMNS) + len(codes) + 2)}2")
    stamp = dt.datetime.combine(day, dt.time())
    wb.properties.creator = "qmsdocs"
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps "modified" with the clock and the zip entries with the time of saving;
    # both are fixed here so the results of one revision are always the same bytes.
    fixed = rb"\g<1>" + f"{stamp.isoformat()}Z".encode() + rb"\g<2>"
    entries = [(name, _MODIFIED.sub(fixed, data) if name == "docProps/core.xml" else data)
               for name, data in ooxml.read_package(buffer.getvalue())]
    return ooxml.write_package(entries)

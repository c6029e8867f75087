"""Write a sample workbook: the blank workbook of its type, filled with the sample's rows."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from qmsdocs.blank import build_blank, tab_name
from qmsdocs.sheets import WORKBOOKS

OUT = Path(__file__).resolve().parent.parent.parent / "records"


def fill(kind: str, data: dict[str, list]) -> Path:
    """Write ``records/<kind>.xlsx``, the blank workbook of ``kind`` (Chinese tabs) filled with ``data``.

    Return the path written.
    """
    wb = build_blank(kind, "zh")
    for sheet in WORKBOOKS[kind]:
        ws = wb[tab_name(sheet, "zh")]
        rows = data.get(sheet.name, [])
        if sheet.keyvalue:
            for index, value in enumerate(rows, start=2):
                ws.cell(index, 2, value)
        else:
            for row in rows:
                ws.append(row)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    wb.properties.creator = "qmsdocs"
    fixed = dt.datetime(2026, 11, 1)
    wb.properties.created = wb.properties.modified = fixed
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{kind}.xlsx"
    wb.save(path)
    return path

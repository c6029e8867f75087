"""Time one read of a scores workbook, in a process of its own; print the seconds it took.

    python bench/read_workbook.py openpyxl FILE.xlsx   # every row of every sheet, values only
    python bench/read_workbook.py qmsdocs FILE.xlsx    # the scores reader: checks, conversions, cross-checks

Modules are imported before the clock starts, so the figure is the reading alone. The first is
the floor any reader built on openpyxl stands on: ``read_only=True`` and ``values_only=True``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def read_openpyxl(path: Path) -> int:
    """Return the number of rows of every sheet, read as openpyxl reads fastest."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            rows += 1
    wb.close()
    return rows


def read_qmsdocs(path: Path) -> int:
    """Return the number of ratings the scores reader finds (every check of ``qms new scores`` made)."""
    from qmsdocs.doctypes import scores

    data, _ = scores.read(path, path.name)
    return len(data.ratings)


def main() -> None:
    mode, path = sys.argv[1], Path(sys.argv[2])
    read = {"openpyxl": read_openpyxl, "qmsdocs": read_qmsdocs}[mode]
    import openpyxl  # noqa: F401  (both pay their imports before the clock starts)

    import qmsdocs.doctypes.scores  # noqa: F401

    start = time.perf_counter()
    read(path)
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()

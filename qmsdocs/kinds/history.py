"""The revision record of a document taken over at its existing number (``qms new --history FILE.xlsx``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from qmsdocs.sheets import Column, Sheet

#: The sheet: one row per earlier revision, oldest first, as the document's own 修订记录 shows them.
HISTORY = Sheet("History", "修订记录", (
    Column("version", "版本", "Version"),
    Column("pages", "页码", "Pages", required=False),
    Column("change_no", "更改单号", "Change No.", required=False),
    Column("changed_by", "更改人", "Changed by", required=False),
    Column("effective_date", "生效日期", "Effective date", "date"),
    Column("summary", "摘要", "Summary"),
))
#: More rows than any real revision record holds.
MAX_ROWS = 500


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def read_history(path: Path, display: str, scheme: str, current: tuple[int, int]) -> tuple[tuple[str, ...], ...]:
    """Return the rows (version, pages, change_no, changed_by, effective_date, summary) of the history workbook.

    Each row's version must be a label of ``scheme`` and the rows must ascend to before ``current``
    (the version being registered); DataError lists every problem.
    """
    import tempfile

    from qmsdocs.kinds.generated import MAX_WORKBOOK_BYTES
    from qmsdocs.safeio import read_regular

    # Read once, within bounds and without blocking (a FIFO or a device given as --history is
    # refused, not waited on); the workbook reader then opens a private copy.
    data = read_regular(path, MAX_WORKBOOK_BYTES, display)
    with tempfile.TemporaryDirectory(prefix="qms-history-") as tmp:
        copy = Path(tmp) / "history.xlsx"
        copy.write_bytes(data)
        return _read(copy, display, scheme, current)


def _read(path: Path, display: str, scheme: str, current: tuple[int, int]) -> tuple[tuple[str, ...], ...]:
    from qmsdocs.numbering import parse_version
    from qmsdocs.errors import UsageError
    from qmsdocs.workbook import WorkbookReader

    reader = WorkbookReader(path, display)
    try:
        rows = reader.table(HISTORY)
        if len(rows) > MAX_ROWS:
            reader.problem(f"has {len(rows)} rows; at most {MAX_ROWS} are read", HISTORY.name)
        out = []
        last: tuple[int, int] | None = None
        for row in rows[:MAX_ROWS]:
            label = _text(row["version"])
            if not label:
                continue
            try:
                number = parse_version(scheme, label, "version")
            except UsageError as exc:
                reader.problem(str(exc).split(": ", 1)[1], HISTORY.name, row.number, "version")
                continue
            if last is not None and number <= last:
                reader.problem(f"{label} does not come after the row above it", HISTORY.name, row.number, "version")
            elif number >= current:
                reader.problem(f"{label} is not before the version being registered", HISTORY.name, row.number,
                               "version")
            last = number
            out.append((label, _text(row["pages"]), _text(row["change_no"]), _text(row["changed_by"]),
                        _text(row["effective_date"]), _text(row["summary"])))
        if not rows and not reader.problems:
            reader.problem("has no rows", HISTORY.name)
        reader.raise_if_problems()
        return tuple(out)
    finally:
        reader.close()

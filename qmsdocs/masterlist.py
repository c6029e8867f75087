"""The master list of controlled documents (受控文件清单) as a workbook."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qmsdocs.errors import UsageError
from qmsdocs.outputs import append_values

COLUMNS = (
    ("doc_no", "文件编号", "Document No."),
    ("title", "标题", "Title"),
    ("type", "类型", "Type"),
    ("version", "版本", "Version"),
    ("status", "状态", "Status"),
    ("effective_date", "生效日期", "Effective date"),
    ("change_no", "最近更改单号", "Last change No."),
    ("owner", "编制人", "Owner"),
)


def write_master_list(ws: Any, documents: list[dict[str, Any]], out: Path, *, force: bool = False,
                      option: str = "--xlsx") -> Path:
    """Write the master list to ``out`` all at once and return the path written.

    ``out`` is refused inside the workspace (except its exports/ folder) and, unless ``force``,
    when it exists (see :func:`qmsdocs.outputs.write_output`).
    """
    from qmsdocs.outputs import check_output, write_output

    check_output(out, ws.root, force=force, option=option)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the master list file must end in .xlsx")
    return write_output(out, master_list_bytes(ws, documents), workspace_root=ws.root, force=force, option=option)


def master_list_bytes(ws: Any, documents: list[dict[str, Any]]) -> bytes:
    """Return the master list workbook: frozen header row, filters, one row per document."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from qmsdocs import clock

    zh = ws.config.language == "zh"
    wb = Workbook()
    sheet = wb.active
    sheet.title = "受控文件清单" if zh else "Master list"
    append_values(sheet, [zh_label if zh else en_label for _, zh_label, en_label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for doc in documents:
        # Titles and names come from users: text cells, never formulas (see append_values).
        append_values(sheet, [doc.get(key) or "" for key, _, _ in COLUMNS])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for letter, width in zip("ABCDEFGH", (22, 40, 10, 8, 12, 12, 18, 12)):
        sheet.column_dimensions[letter].width = width
    stamp = dt.datetime.combine(clock.today(), dt.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "qmsdocs"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

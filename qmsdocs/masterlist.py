"""The master list of controlled documents (受控文件清单) as a workbook."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.outputs import append_values

#: The columns: the key in ``qms list --json`` and the label key in :mod:`qmsdocs.labels`.
COLUMNS = (
    ("doc_no", "doc_no"),
    ("title", "title"),
    ("type", "master_type"),
    ("version", "version_short"),
    ("status", "status"),
    ("effective_date", "master_effective"),
    ("change_no", "master_change_no"),
    ("approver", "approved_by"),
    ("next_review", "master_next_review"),
    ("open_draft", "master_open_draft"),
    ("owner", "master_owner"),
)
#: Column widths in characters, in the order of COLUMNS.
WIDTHS = (22, 36, 12, 7, 12, 12, 16, 12, 12, 10, 12)
#: The row of column headers, repeated on every printed page; row 1 is the title.
HEADER_ROW = 2


def write_master_list(ws: Any, documents: list[dict[str, Any]], out: Path, *, force: bool = False,
                      option: str = "--xlsx") -> Path:
    """Write the master list to ``out`` all at once and return the path written.

    ``out`` is refused inside the workspace (except its exports/ folder) and, unless ``force``,
    when it exists (see :func:`qmsdocs.outputs.write_output`).
    """
    from qmsdocs.outputs import check_output, write_output

    check_output(out, ws.root, force=force, option=option)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(_("{path}: the master list file must end in .xlsx").format(path=out))
    return write_output(out, master_list_bytes(ws, documents), workspace_root=ws.root, force=force, option=option)


def kind_label(kind: str, config: Any, L: dict[str, str]) -> str:
    """Return what a register calls documents of ``kind`` (考评策划书, 管理办法, …) in the workspace language."""
    if f"kind_{kind}" in L:
        return L[f"kind_{kind}"]
    from qmsdocs import kinds
    from qmsdocs.errors import QmsError

    try:
        return kinds.get(kind, config).label(config.language)
    except (QmsError, AttributeError):  # a kind no longer in qms.toml keeps its name
        return kind


def shown_value(key: str, value: Any, L: dict[str, str], config: Any = None) -> Any:
    """Return a listing value as the register prints it: kinds and statuses in the workspace language."""
    if key == "type" and value:
        return kind_label(value, config, L)
    if key == "status" and value:
        return L.get(f"status_{value}", value)
    return "" if value is None else value


def master_list_bytes(ws: Any, documents: list[dict[str, Any]]) -> bytes:
    """Return the master list workbook: a title row, a header row repeated on every printed page
    and frozen on screen, filters, one row per document; printed landscape, one page wide."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from qmsdocs import clock
    from qmsdocs.labels import labels

    L = labels(ws.config.language)
    wb = Workbook()
    sheet: Any = wb.active  # a new workbook always has its one sheet
    sheet.title = L["master_list_sheet"]
    company = getattr(ws.config, "company", "") or ""
    today = clock.today().isoformat()
    if ws.config.language == "zh":
        heading = f"{company} {L['master_list']}（{L['master_as_of']} {today}）".strip()
    else:
        heading = f"{company} — {L['master_list']} ({L['master_as_of']} {today})".removeprefix(" — ")
    append_values(sheet, [heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    append_values(sheet, [L[label] for _, label in COLUMNS])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for doc in documents:
        # Titles and names come from users: text cells, never formulas (see append_values).
        append_values(sheet, [shown_value(key, doc.get(key), L, ws.config) for key, _ in COLUMNS])
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(sheet.max_row, HEADER_ROW)}"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    stamp = dt.datetime.combine(clock.today(), dt.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "qmsdocs"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

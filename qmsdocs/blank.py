"""Blank input workbooks (``qms sheet``): every sheet and header of spec §5, with validation."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from qmsdocs import vocab
from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.outputs import append_values
from qmsdocs.sheets import FIELD, VALUE, WORKBOOKS, Column, Sheet

_INSTRUCTIONS = {
    "zh": [
        "填写说明",
        "每个工作表的第一行是表头，请勿修改；表头可以写中文名称或英文键名（如 score）。",
        "空行会被跳过；日期写成 YYYY-MM-DD 或使用 Excel 日期；数字可以是数字或文本。",
        "下拉列表给出可选值（中文或英文均可）；多个考评方法用“、”或逗号分隔：听、查、看、访、考、测、问。",
        "目标值和限值是比率：0.9、90% 或 90 都表示 90%。二次修复率、投诉率、废损率越低越好，限值必须大于目标值。",
        "公式单元格按 Excel 保存的结果读取：填写后请在 Excel 或 LibreOffice 中保存一次。",
        "文本按原样写入文件，包括 &、<、引号和 {{ }}；但不能含有控制字符。",
    ],
    "en": [
        "How to fill in this workbook",
        "Row 1 of each sheet is the header: keep it. Headers may be the English label, the key (e.g. score) or the "
        "Chinese label.",
        "Blank rows are skipped. Dates are Excel dates or YYYY-MM-DD text. Numbers may be typed as text.",
        "Drop-down lists show the accepted values (English or Chinese). Several methods are separated by commas: "
        "listen, check, look, visit, test, measure, ask.",
        "Targets and limits are rates: 0.9, 90% and 90 all mean 90 %. For repeat, complaint and scrap rates lower "
        "is better and the limit must be above the target.",
        "Formula cells are read by the value Excel saved: save the workbook once in Excel or LibreOffice.",
        "Text is printed exactly as typed, including &, <, quotes and {{ }}; control characters are refused.",
    ],
}


def _choices(column: Column, language: str) -> list[str] | None:
    if column.kind.startswith("choice:"):
        name = column.kind.split(":", 1)[1]
        return [vocab.label(name, key, language) for key in vocab.CHOICES[name]]
    return None


def _validate(ws: Any, column: Column, letter: str, language: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = f"{letter}2:{letter}5000"
    choices = _choices(column, language)
    if choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not column.required)
    elif column.kind == "score":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    elif column.kind == "int":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    elif column.kind == "number":
        dv = DataValidation(type="decimal", operator="greaterThan", formula1="0")
    else:
        return
    dv.error = f"{column.label(language)}: " + ("请从列表中选择" if language == "zh" else "choose from the list") \
        if choices else f"{column.label(language)}: " + ("数值超出范围" if language == "zh" else "value out of range")
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(rows)


def tab_name(sheet: Sheet, language: str) -> str:
    """Return the name of the sheet's tab in a blank workbook of ``language`` (the reader accepts both)."""
    return sheet.zh if language == "zh" else sheet.name


def build_blank(kind: str, language: str) -> Any:
    """Return an openpyxl Workbook with the sheets of workbook ``kind`` and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    if kind not in WORKBOOKS:
        raise UsageError(_("unknown workbook {kind!r}; known: {known}").format(kind=kind, known=", ".join(WORKBOOKS)))
    wb = Workbook()
    info: Any = wb.active  # a new workbook always has its one sheet
    info.title = "说明" if language == "zh" else "Instructions"
    for line in _INSTRUCTIONS[language]:
        append_values(info, [line])
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 110
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for sheet in WORKBOOKS[kind]:
        ws = wb.create_sheet(tab_name(sheet, language))
        columns: tuple[Column, ...] = (FIELD, VALUE) if sheet.keyvalue else sheet.columns
        append_values(ws, [c.label(language) for c in columns])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        ws.freeze_panes = "A2"
        if sheet.keyvalue:
            for column in sheet.columns:
                append_values(ws, [column.label(language)])
            ws.column_dimensions["A"].width = 24
            ws.column_dimensions["B"].width = 70
        else:
            for index, column in enumerate(columns, start=1):
                letter = get_column_letter(index)
                ws.column_dimensions[letter].width = max(12, len(column.label(language)) * 2 + 4)
                _validate(ws, column, letter, language)
    return wb


def write_blank(kind: str, out: Path, language: str, *, workspace_root: Path | None = None, force: bool = False,
                option: str = "-o") -> Path:
    """Write the blank workbook ``kind`` to ``out`` all at once and return the path written.

    ``out`` is refused inside the workspace at ``workspace_root`` (except its exports/ folder)
    and, unless ``force``, when it exists (see :func:`qmsdocs.outputs.write_output`).
    """
    import io

    from qmsdocs.outputs import check_output, write_output

    check_output(out, workspace_root, force=force, option=option)  # before the work, not after
    if out.suffix.lower() != ".xlsx":
        raise UsageError(_("{path}: the output file must end in .xlsx").format(path=out))
    buffer = io.BytesIO()
    build_blank(kind, language).save(buffer)
    return write_output(out, buffer.getvalue(), workspace_root=workspace_root, force=force, option=option)


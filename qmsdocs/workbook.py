"""Reading input workbooks safely and reporting every problem at once.

The file is checked before openpyxl sees it (size, zip structure, uncompressed size, so a zip
bomb is refused unread); openpyxl itself parses XML through defusedxml when it is installed,
which refuses entity bombs. Each cell is then read by its column's kind, and every problem is
collected with its sheet, Excel row number and column before one DataError is raised.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from qmsdocs import vocab
from qmsdocs.errors import DataError, Problem
from qmsdocs.sheets import FIELD, VALUE, Column, Sheet
from qmsdocs.text import bad_character

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_ROWS = 200_000
_METHOD_SPLIT = re.compile(r"[,，、;；/\s]+")


@dataclass(frozen=True)
class Row:
    """One data row: its Excel row number and the parsed value of each known column (None = blank)."""

    number: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


def check_container(path: Path, display: str) -> None:
    """Raise DataError unless ``path`` looks like a readable, reasonably sized .xlsx package."""

    def fail(message: str) -> DataError:
        return DataError(Problem(display, message))

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})") from None
    if path.is_dir():
        raise fail("is a folder, not an .xlsx workbook")
    if size == 0:
        raise fail("is empty; expected an .xlsx workbook")
    if size > MAX_FILE_BYTES:
        raise fail(f"is {size // (1024 * 1024)} MiB; workbooks over {MAX_FILE_BYTES // (1024 * 1024)} MiB are refused")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        with open(path, "rb") as f:
            head = f.read(8)
        kind = "an old binary Excel (.xls) or Word (.doc) file" if head.startswith(b"\xd0\xcf\x11\xe0") else (
            "a truncated or damaged zip" if head.startswith(b"PK") else "not an .xlsx workbook (not a zip package)")
        raise fail(f"is {kind}; save it as .xlsx (Excel Workbook) and try again") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise fail(f"holds {len(infos)} parts; refused as a possible zip bomb")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise fail(f"unpacks to {total // (1024 * 1024)} MiB; refused as a possible zip bomb")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
        raise fail(f"is {what} (no xl/workbook.xml); expected an .xlsx workbook")


class WorkbookReader:
    """Reads the sheets of one workbook, collecting problems and warnings as it goes."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        import openpyxl

        self.path = path
        self.file = display or str(path)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        check_container(path, self.file)
        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise DataError(Problem(self.file, f"cannot be read as an .xlsx workbook ({type(exc).__name__}: "
                                               f"{str(exc)[:120]})")) from None
        self._formula_wb: Any = None
        self._has_formulas = self._scan_formulas()

    def _scan_formulas(self) -> bool:
        """Return whether any worksheet holds a formula (cheap scan of the raw XML)."""
        with zipfile.ZipFile(self.path) as zf:
            for info in zf.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with zf.open(info) as f:
                        tail = b""
                        for chunk in iter(lambda: f.read(1 << 20), b""):
                            if b"<f>" in tail + chunk or b"<f " in tail + chunk or b":f>" in tail + chunk:
                                return True
                            tail = chunk[-4:]
        return False

    def close(self) -> None:
        self._wb.close()
        if self._formula_wb is not None:
            self._formula_wb.close()

    # -- locating and reporting -------------------------------------------------------------
    def problem(self, message: str, sheet: str | None = None, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, sheet, row, column))

    def has_problem(self, sheet: str, row: int, column: str) -> bool:
        return any(p.sheet == sheet and p.row == row and p.column == column for p in self.problems)

    def raise_if_problems(self) -> None:
        if self.problems:
            raise DataError(self.problems)

    def _find_sheet(self, sheet: Sheet) -> Any:
        wanted = {sheet.name.casefold(), sheet.zh.casefold()}
        for ws in self._wb.worksheets:
            if ws.title.strip().casefold() in wanted:
                return ws
        self.problem(f"missing sheet {sheet.name} ({sheet.zh}); the workbook has: "
                     f"{', '.join(ws.title for ws in self._wb.worksheets)}")
        return None

    def _rows(self, ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
        """Return (Excel row number, values) of every non-blank row, formulas checked for cached values."""
        formula_rows: dict[int, tuple[Any, ...]] = {}
        if self._has_formulas:
            import openpyxl

            if self._formula_wb is None:
                self._formula_wb = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
            fws = self._formula_wb[ws.title]
            for number, values in enumerate(fws.iter_rows(values_only=True), start=1):
                if any(isinstance(v, str) and v.startswith("=") for v in values):
                    formula_rows[number] = values
        out = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                self.problem(f"has more than {MAX_ROWS} rows; split the data", ws.title)
                break
            if number in formula_rows:
                values = tuple(
                    _NoCache(f) if v is None and isinstance(f, str) and f.startswith("=") else v
                    for v, f in zip(values, formula_rows[number] + (None,) * len(values))
                )
            if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
                out.append((number, values))
        return out

    # -- sheets ------------------------------------------------------------------------------
    def table(self, sheet: Sheet) -> list[Row]:
        """Return the parsed data rows of a table sheet (problems collected, not raised)."""
        ws = self._find_sheet(sheet)
        if ws is None:
            return []
        rows = self._rows(ws)
        if not rows:
            self.problem("has no header row; expected: " + ", ".join(c.key for c in sheet.columns), ws.title)
            return []
        header_number, header = rows[0]
        positions = self._map_header(ws.title, header_number, header, sheet.columns)
        if positions is None:
            return []
        result = []
        for number, values in rows[1:]:
            parsed: dict[str, Any] = {}
            for column in sheet.columns:
                index = positions.get(column.key)
                raw = values[index] if index is not None and index < len(values) else None
                parsed[column.key] = self._cell(raw, column, ws.title, number)
            result.append(Row(number, parsed))
        return result

    def fields(self, sheet: Sheet) -> tuple[dict[str, Any], dict[str, int]]:
        """Return the values of a field/value sheet and the row each field stands in."""
        ws = self._find_sheet(sheet)
        if ws is None:
            return {}, {}
        rows = self._rows(ws)
        if not rows:
            self.problem("is empty; expected the columns field and value", ws.title)
            return {}, {}
        header_number, header = rows[0]
        positions = self._map_header(ws.title, header_number, header, (FIELD, VALUE))
        if positions is None:
            return {}, {}
        by_label = {}
        for column in sheet.columns:
            by_label[column.key.casefold()] = column
            by_label[column.zh.casefold()] = column
            by_label[column.en.casefold()] = column
        values: dict[str, Any] = {}
        where: dict[str, int] = {}
        for number, row in rows[1:]:
            key_raw = row[positions["field"]] if positions["field"] < len(row) else None
            raw = row[positions["value"]] if positions["value"] < len(row) else None
            key = str(key_raw).strip().casefold() if key_raw is not None else ""
            column = by_label.get(key)
            if column is None:
                self.warnings.append(f"{self.file}, sheet {ws.title}, row {number}: unknown field {key_raw!s} ignored")
                continue
            if column.key in where:
                self.problem(f"field {column.key} appears twice (also row {where[column.key]})", ws.title, number, "field")
                continue
            where[column.key] = number
            values[column.key] = self._cell(raw, column, ws.title, number, name=column.key)
        for column in sheet.columns:
            if column.required and values.get(column.key) is None and column.key not in where:
                self.problem(f"missing field {column.key} ({column.zh})", ws.title)
            values.setdefault(column.key, None)
        return values, where

    def _map_header(self, title: str, number: int, header: tuple[Any, ...],
                    columns: tuple[Column, ...]) -> dict[str, int] | None:
        lookup = {}
        for column in columns:
            for text in (column.key, column.zh, column.en):
                lookup[text.casefold()] = column.key
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            if cell is None or not str(cell).strip():
                continue
            key = lookup.get(str(cell).strip().casefold())
            if key is None:
                self.warnings.append(f"{self.file}, sheet {title}, row {number}: unknown column {str(cell).strip()!r} ignored")
            elif key in positions:
                self.problem(f"column {key} appears twice", title, number, str(cell).strip())
            else:
                positions[key] = index
        missing = [c for c in columns if c.key not in positions and c.required]
        for column in missing:
            self.problem(f"missing column {column.key} ({column.zh}) in the header row", title, number)
        return None if missing else positions

    # -- cells -------------------------------------------------------------------------------
    def _cell(self, raw: Any, column: Column, sheet: str, row: int, name: str | None = None) -> Any:
        """Return the cell's value read as the column's kind; None if blank or bad (bad is reported)."""
        col = name or column.key

        def bad(message: str) -> None:
            self.problem(message, sheet, row, col)

        if isinstance(raw, _NoCache):
            bad(f"formula {raw.formula} has no saved value; open and save the workbook in Excel or LibreOffice")
            return None
        if isinstance(raw, str):
            problem = bad_character(raw)
            if problem:
                bad(f"{problem} is not allowed")
                return None
            if not raw.strip():
                raw = None
        if raw is None:
            if column.required:
                bad(f"is empty; expected {_expectation(column)}")
            return None
        try:
            return _convert(raw, column)
        except _Bad as exc:
            bad(f"{_show(raw)} {exc}")
            return None


class _NoCache:
    """Marks a formula cell that has no cached value."""

    def __init__(self, formula: str) -> None:
        self.formula = formula


class _Bad(Exception):
    pass


def _show(raw: Any) -> str:
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _expectation(column: Column) -> str:
    kind = column.kind
    if kind.startswith("choice:"):
        return "one of " + vocab.expected(kind.split(":", 1)[1])
    return {
        "text": "text",
        "int": "a whole number ≥ 0",
        "number": "a number > 0",
        "score": "a number between 0 and 100",
        "date": "a date (YYYY-MM-DD)",
        "time": "a time (HH:MM)",
        "rate": "a rate such as 0.9 or 90%",
        "methods": "one or more of " + vocab.expected("method"),
    }[kind]


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _Bad("is not a number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    if isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise _Bad("is not a number") from None
        if not value.is_finite():
            raise _Bad("is not a number")
        return value
    raise _Bad("is not a number")


def _convert(raw: Any, column: Column) -> Any:
    kind = column.kind
    if kind == "text":
        if isinstance(raw, (dt.datetime, dt.date)):
            return _show(raw)[:10] if isinstance(raw, dt.datetime) and raw.time() == dt.time() else _show(raw)
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return raw if isinstance(raw, str) else str(raw)
    if kind in ("int", "number", "score"):
        value = _number(raw)
        if kind == "int":
            if value != value.to_integral_value() or value < 0:
                raise _Bad("is not a whole number ≥ 0")
            return int(value)
        if kind == "number":
            if value <= 0:
                raise _Bad("is not a number > 0")
            return value
        if not Decimal(0) <= value <= Decimal(100):
            raise _Bad("is not between 0 and 100")
        return value
    if kind == "date":
        if isinstance(raw, dt.datetime):
            if raw.time() != dt.time():
                raise _Bad("has a time of day; expected a date (YYYY-MM-DD)")
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            text = raw.strip()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    pass
        raise _Bad("is not a date written as YYYY-MM-DD")
    if kind == "time":
        if isinstance(raw, dt.time):
            return raw.strftime("%H:%M")
        if isinstance(raw, dt.datetime) and raw.date() == dt.date(1899, 12, 30):
            return raw.strftime("%H:%M")
        if isinstance(raw, str) and re.fullmatch(r"([01]?\d|2[0-3])[:：][0-5]\d", raw.strip()):
            hours, minutes = re.split("[:：]", raw.strip())
            return f"{int(hours):02d}:{minutes}"
        raise _Bad("is not a time written as HH:MM")
    if kind.startswith("choice:"):
        name = kind.split(":", 1)[1]
        key = vocab.lookup(name, _show(raw))
        if key is None:
            raise _Bad("is not one of " + vocab.expected(name))
        return key
    if kind == "methods":
        keys = []
        for part in _METHOD_SPLIT.split(_show(raw).strip()):
            if not part:
                continue
            # "听查看" typed without separators: split into single characters.
            pieces = list(part) if vocab.lookup("method", part) is None and all(
                vocab.lookup("method", ch) for ch in part) else [part]
            for piece in pieces:
                key = vocab.lookup("method", piece)
                if key is None:
                    raise _Bad("is not a list of " + vocab.expected("method"))
                if key not in keys:
                    keys.append(key)
        if not keys:
            raise _Bad("names no method")
        return tuple(keys)
    raise AssertionError(kind)


def parse_rate(raw: str) -> Decimal:
    """Return a rate typed as 0.9, ``90%`` or 90 as the fraction 0.9; raise ValueError otherwise."""
    text = raw.strip()
    percent = text.endswith("%") or text.endswith("％")
    try:
        value = Decimal(text.rstrip("%％").strip())
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or value < 0:
        raise ValueError(raw)
    if percent or value > 1:
        value = value / 100
    if value > 1:
        raise ValueError(raw)
    return value

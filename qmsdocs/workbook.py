"""Reading input workbooks safely and reporting every problem at once.

Three layers stand between a user's file and a document:

1. :func:`check_container` looks at the package before any XML parser does: its size, its zip
   structure, the declared uncompressed size (a zip bomb is refused unread) and every XML part
   for a ``<!DOCTYPE`` (no workbook needs one, so an entity bomb is refused unexpanded). openpyxl
   parses through defusedxml as well, a second line behind the first.
2. openpyxl reads the cells (read-only, the saved values of formulas). What it cannot tell is
   taken from the raw sheet XML: a formula without a saved value, a cell holding an Excel error,
   and text using the OOXML ``_xHHHH_`` escapes (how Excel stores control characters and
   carriage returns, and which openpyxl leaves undecoded).
3. Each cell is read by its column's kind; every problem is collected with its sheet, Excel row
   number and column, and :meth:`WorkbookReader.raise_if_problems` raises them as one DataError.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
import stat
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from qmsdocs import i18n, vocab
from qmsdocs.errors import DataError, Problem
from qmsdocs.i18n import N_, _
from qmsdocs.sheets import FIELD, VALUE, Column, Sheet
from qmsdocs.text import bad_character, one_line

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
#: Non-blank rows read from one sheet at most.
#: Excel's own limit for one cell; a longer text was not typed in Excel and is refused.
MAX_CELL_CHARS = 32_767
MAX_ROWS = 200_000
#: The used range read from one sheet: columns A to AMJ (every qmsdocs sheet needs fewer than
#: 20) and Excel's own last row. A cell beyond refuses the sheet before its width is paid for:
#: a sparse sheet of cells in column XFD would otherwise cost 16,384 values a row.
MAX_COLUMNS = 1024
MAX_ROW_NUMBER = 1_048_576

_METHOD_SPLIT = re.compile(r"[,，、;；/\s]+")
_SAVE_AS = "; save it as .xlsx (Excel Workbook) and try again"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
#: Parts never parsed as XML (an SVG image may rightly hold a DOCTYPE).
_BINARY_FOLDERS = ("xl/media/", "xl/embeddings/", "xl/printerSettings/")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY")
#: What sends a part through the raw pass: a formula (``<f>``, ``<x:f>``), an ``_xHHHH_`` escape,
#: and an error cell (`` t="e"``, looked for only where its cheaper hint is found). Each pattern
#: starts with a literal, which ``re`` finds at memory speed; one alternation led by ``<`` or a
#: space would stop at every tag of a sheet and cost ten times the time openpyxl takes to read it.
_SPECIAL = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"), re.compile(rb"_x[0-9A-Fa-f]{4}_"))
_ERROR_HINT = re.compile(rb"t=[\"']e[\"']")
_ERROR = re.compile(rb"\st=[\"']e[\"']")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_RATE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(%?)", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?", re.ASCII)
#: The serial day 0 of Excel's two date systems: a time-only cell may come back on these days.
_ZERO, _HUNDRED = Decimal(0), Decimal(100)
_TIME_ONLY_DAYS = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1904, 1, 1))


@dataclass(frozen=True)
class Row:
    """One data row: its Excel row number and the parsed value of each known column (None = blank)."""

    number: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


# -- the container ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Package:
    """What the container check learned: the parts holding formulas, error cells or escapes."""

    special: frozenset[str]


def check_container(path: Path, display: str) -> None:
    """Raise DataError unless ``path`` is a readable, reasonably sized .xlsx package without XML entities."""
    _inspect(Path(path), display)


def _inspect(path: Path, display: str) -> _Package:
    def fail(message: str) -> DataError:
        return DataError(Problem(display, message))

    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise fail("is a folder, not an .xlsx workbook")
        with open(path, "rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    if st.st_size == 0:
        raise fail("is empty; expected an .xlsx workbook")
    if st.st_size > MAX_FILE_BYTES:
        raise fail(f"is {st.st_size // (1024 * 1024)} MiB; workbooks over {MAX_FILE_BYTES // (1024 * 1024)} MiB "
                   "are refused")
    if head == _OLE_MAGIC:
        raise fail("is an old binary Excel (.xls) file or a password-protected workbook; save it as .xlsx "
                   "(Excel Workbook) without a password and try again")
    if not head.startswith(b"PK"):
        raise fail("is not an .xlsx workbook (not a zip package)" + _SAVE_AS)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise fail("is a truncated or damaged zip package; save it again as .xlsx (Excel Workbook) "
                   "and try again") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise fail(f"holds {len(infos)} parts; refused as a possible zip bomb")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise fail(f"unpacks to {total // (1024 * 1024)} MiB; refused as a possible zip bomb")
        names = {i.filename for i in infos}
        if "xl/workbook.bin" in names:
            raise fail("is a binary Excel workbook (.xlsb)" + _SAVE_AS)
        if "content.xml" in names and "mimetype" in names:
            raise fail("is an OpenDocument file (.ods)" + _SAVE_AS)
        if "xl/workbook.xml" not in names:
            what = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
            raise fail(f"is {what} (no xl/workbook.xml); expected an .xlsx workbook")
        try:
            special = _scan_parts(zf, infos, fail)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                NotImplementedError) as exc:
            raise fail(f"cannot be unpacked ({one_line(str(exc), 100)}); save it again as .xlsx "
                       "(Excel Workbook) and try again") from None
    return _Package(special)


def _scan_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                fail: Callable[[str], DataError]) -> frozenset[str]:
    """Return the parts that need the raw pass; raise if a part declares a DOCTYPE (entities)."""
    special = set()
    for info in infos:
        if info.is_dir() or info.filename.startswith(_BINARY_FOLDERS):
            continue
        hit = False
        tail = b""
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                window = tail + chunk
                if _DOCTYPE.search(window):
                    raise fail(f"part {info.filename} declares a DOCTYPE (XML entities), which no workbook needs; "
                               "refused as a possible XML bomb")
                hit = hit or _special(window)
                tail = window[-64:]
        if hit:
            special.add(info.filename)
    return frozenset(special)


def _special(window: bytes) -> bool:
    """Return whether raw XML holds a formula, an error cell or an ``_xHHHH_`` escape."""
    return any(p.search(window) for p in _SPECIAL) or (
        _ERROR_HINT.search(window) is not None and _ERROR.search(window) is not None)


def _unreadable(file: str, exc: BaseException, sheet: str | None = None) -> DataError:
    """Return the one-line DataError for a workbook that openpyxl (or our raw pass) failed to read."""
    from defusedxml import DefusedXmlException

    while exc.__cause__ is not None:  # openpyxl wraps the parser's error in a ValueError of its own
        exc = exc.__cause__
    detail = one_line(str(exc) or type(exc).__name__, 100)
    if isinstance(exc, DefusedXmlException):
        message = "holds an XML entity or DOCTYPE declaration; refused as a possible XML bomb"
    elif isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        message = f"is a damaged zip package ({detail}); save it again as .xlsx (Excel Workbook) and try again"
    elif isinstance(exc, SyntaxError):  # xml.etree ParseError and lxml's XMLSyntaxError
        message = f"holds damaged XML ({detail}); open and save it again in Excel or LibreOffice"
    elif isinstance(exc, KeyError):
        message = f"is incomplete: a part it refers to is missing ({detail}); save it again in Excel or LibreOffice"
    else:
        message = f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {detail})"
    return DataError(Problem(file, message, sheet))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while a workbook's rows become objects.

    Reading creates hundreds of thousands of objects that all stay alive and hold no cycles; the
    collector would walk all of them again and again as they pile up, which costs a sixth of the
    time openpyxl takes to read them. Nested uses are fine: the outermost one turns it back on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence openpyxl's warnings (unsupported extensions and the like): users cannot act on them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# -- raw sheet XML --------------------------------------------------------------------------------

class _Marker:
    """A cell whose value openpyxl cannot give: reported, never read as a value."""

    def message(self) -> str:
        raise NotImplementedError


class _NoCache(_Marker):
    """A formula cell saved without its value (written by a program that does not calculate)."""

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __str__(self) -> str:
        return "=" + self.formula

    def message(self) -> str:
        what = f"formula ={one_line(self.formula)}" if self.formula else "formula"
        return f"{what} has no saved value; open and save the workbook in Excel or LibreOffice"


class _ExcelError(_Marker):
    """A cell showing an Excel error such as #DIV/0! or #N/A."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return self.code

    def message(self) -> str:
        return f"{one_line(self.code)} is an Excel error, not a value; correct the cell"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _decode(text: str) -> str:
    """Return OOXML text with its ``_xHHHH_`` escapes decoded (``_x005F_`` is a literal underscore)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _text_of(element: Any) -> str:
    """Return the text of a shared or inline string element: plain text and rich-text runs."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _column_letter(index: int) -> str:
    """Return the Excel letters of the 1-based column ``index`` (1 → A, 16384 → XFD)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(ref: str) -> int:
    from openpyxl.utils.cell import column_index_from_string

    letters = re.match(r"[A-Za-z]+", ref)
    if letters is None:
        raise ValueError(f"bad cell reference {ref!r}")
    return column_index_from_string(letters.group().upper())


def _escaped_shared_strings(source: IO[bytes]) -> dict[int, str]:
    """Return, by index, the decoded shared strings that use ``_xHHHH_`` escapes."""
    from defusedxml.ElementTree import iterparse

    out: dict[int, str] = {}
    index = 0
    for _event, element in iterparse(source):
        if _local(element.tag) == "si":
            text = _text_of(element)
            if _ESCAPE.search(text):
                out[index] = _decode(text)
            index += 1
            element.clear()
    return out


_KEEP = object()


def _raw_fix(cell: Any, shared: dict[int, str]) -> Any:
    """Return what a raw ``<c>`` element says openpyxl's value should be replaced by, or _KEEP."""
    kind = cell.get("t", "n")
    formula = value = inline = None
    for child in cell:
        name = _local(child.tag)
        if name == "f":
            formula = child
        elif name == "v":
            value = child
        elif name == "is":
            inline = child
    saved = value.text if value is not None else None
    # An empty <v> is a saved empty string only for a string result (t="str").
    if formula is not None and (value is None or (not saved and kind != "str")):
        return _NoCache(formula.text or "")
    if kind == "e":
        return _ExcelError(saved or "#VALUE!")
    if kind == "s" and saved and shared:
        return shared.get(int(saved), _KEEP)
    text = _text_of(inline) if kind == "inlineStr" and inline is not None else saved if kind == "str" else None
    if text and _ESCAPE.search(text):
        return _decode(text)
    return _KEEP


def _raw_fixes(source: IO[bytes], shared: dict[int, str]) -> dict[int, dict[int, Any]]:
    """Return {Excel row: {column index from 0: value}} of the cells whose openpyxl value must be replaced."""
    from defusedxml.ElementTree import iterparse

    fixes: dict[int, dict[int, Any]] = {}
    row = column = 0
    sheet_data = None
    for event, element in iterparse(source, events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            if name == "row":
                row = int(element.get("r") or row + 1)
                column = 0
            elif name == "sheetData":
                sheet_data = element
            continue
        if name == "c":
            ref = element.get("r")
            column = _column_index(ref) if ref else column + 1
            fix = _raw_fix(element, shared)
            if fix is not _KEEP:
                fixes.setdefault(row, {})[column - 1] = fix
            element.clear()
        elif name == "row" and sheet_data is not None:
            sheet_data.clear()  # rows already seen: keep memory flat on big sheets
    return fixes


def _patched(values: tuple[Any, ...], fixes: dict[int, Any]) -> tuple[Any, ...]:
    out = list(values)
    for index, value in fixes.items():
        if index >= len(out):
            out.extend([None] * (index + 1 - len(out)))
        out[index] = value
    return tuple(out)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# -- the reader -----------------------------------------------------------------------------------

#: Modules openpyxl imports if it can but a reader never uses: numpy, to recognise numpy numbers
#: written into cells, and Pillow, to keep the pictures of a workbook it saves again.
_UNUSED_BY_READER = ("numpy", "PIL")


def _openpyxl() -> Any:
    """Return the openpyxl module, imported without numpy and Pillow if neither is loaded yet.

    The two take a third of openpyxl's import time, which is most of a ``qms new plan``. They
    are hidden only while openpyxl imports, so whoever needs them later (matplotlib, for the
    charts) imports them as usual; openpyxl then simply does not know numpy's number types,
    which qmsdocs never hands it.
    """
    import sys

    if "openpyxl" in sys.modules or any(name in sys.modules for name in _UNUSED_BY_READER):
        import openpyxl

        return openpyxl
    for name in _UNUSED_BY_READER:
        sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" now raises ImportError
    try:
        import openpyxl
    finally:
        for name in _UNUSED_BY_READER:
            del sys.modules[name]
    return openpyxl


class WorkbookReader:
    """Reads the sheets of one workbook, collecting problems and warnings as it goes."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        openpyxl = _openpyxl()
        self.path = Path(path)
        self.file = display or str(path)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        #: (sheet, column key) -> the header as typed, by which Chinese errors name the column (English: the key).
        self._headers: dict[tuple[str, str], str] = {}
        self._package = _inspect(self.path, self.file)
        self._shared: dict[int, str] | None = None
        try:
            self._handle = open(self.path, "rb")
        except OSError as exc:
            raise DataError(Problem(self.file, _("cannot be read ({cause})").format(cause=exc.strerror or exc))) from None
        try:
            with _quiet():
                # A file object, not a name: openpyxl would refuse a workbook by its extension alone.
                self._wb = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for damaged files
            self._handle.close()
            raise _unreadable(self.file, exc) from None

    def close(self) -> None:
        self._wb.close()
        self._handle.close()

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- locating and reporting -------------------------------------------------------------
    def problem(self, message: str, sheet: str | None = None, row: int | None = None,
                column: str | None = None) -> None:
        """Record a problem located by sheet, Excel row number and column (each optional)."""
        column = self._headers.get((sheet or "", column or ""), column)
        self.problems.append(Problem(self.file, message, sheet, row, column))

    def has_problem(self, sheet: str, row: int, column: str) -> bool:
        column = self._headers.get((sheet, column), column)
        return any(p.sheet == sheet and p.row == row and p.column == column for p in self.problems)

    def raise_if_problems(self) -> None:
        """Raise one DataError with every problem: by sheet (as first met), then by row."""
        if self.problems:
            rank: dict[str | None, int] = {None: -1}
            for p in self.problems:
                rank.setdefault(p.sheet, len(rank))
            raise DataError(sorted(self.problems, key=lambda p: (rank[p.sheet], p.row or 0)))

    def _find_sheet(self, sheet: Sheet) -> Any:
        wanted = {sheet.name.casefold(), sheet.zh.casefold()}
        for ws in self._wb.worksheets:
            if ws.title.strip().casefold() in wanted:
                return ws
        present = ", ".join(ws.title for ws in self._wb.worksheets) or _("no worksheets")
        self.problem(_("missing sheet {sheet} ({sheet_zh}); the workbook has: {present}").format(
            sheet=sheet.name, sheet_zh=sheet.zh, present=present))
        return None

    def _rows(self, ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
        """Return (Excel row number, values) of every non-blank row; the first is the header.

        Rows after the header are cut to its width: cells under no header are never read.
        """
        fixes = self._fixes(ws)
        ws.reset_dimensions()  # a wrong <dimension> element must not cut rows or columns off
        out: list[tuple[int, tuple[Any, ...]]] = []
        width: int | None = None
        beyond: str | None = None
        try:
            with _quiet():
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if len(values) > MAX_COLUMNS or number > MAX_ROW_NUMBER:
                        beyond = f"{_column_letter(len(values) or 1)}{number}"
                        break
                    if number in fixes:
                        values = _patched(values, fixes[number])
                    # A filled first cell makes a row non-blank: the whole row is looked at only otherwise.
                    first = values[0] if values else None
                    if (first is None or (type(first) is str and not first.strip())) \
                            and all(_is_blank(v) for v in values):
                        continue
                    if width is None:
                        width = max(i for i, v in enumerate(values) if not _is_blank(v)) + 1
                    elif len(out) > MAX_ROWS:
                        self.problem(_("has more than {count} rows; split the data").format(count=MAX_ROWS), ws.title)
                        break
                    out.append((number, tuple(values[:width])))
        except Exception as exc:  # a damaged sheet is only found while iterating
            raise _unreadable(self.file, exc, ws.title) from None
        if beyond is not None:
            raise DataError(Problem(self.file, f"its used range reaches cell {beyond}; qmsdocs reads at most "
                                               f"A1:{_column_letter(MAX_COLUMNS)}{MAX_ROW_NUMBER} ({MAX_COLUMNS:,} "
                                               "columns); delete the cells outside the table", ws.title))
        return out

    def _fixes(self, ws: Any) -> dict[int, dict[int, Any]]:
        part = getattr(ws, "_worksheet_path", None)
        shared = self._escaped_shared()
        if part is None or (part not in self._package.special and not shared):
            return {}
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(part) as source:
                return _raw_fixes(source, shared)
        except Exception as exc:
            raise _unreadable(self.file, exc, ws.title) from None

    def _escaped_shared(self) -> dict[int, str]:
        if self._shared is None:
            self._shared = {}
            try:
                with zipfile.ZipFile(self.path) as zf:
                    part = _shared_strings_part(zf)
                    if part in self._package.special:
                        with zf.open(part) as source:
                            self._shared = _escaped_shared_strings(source)
            except Exception as exc:
                raise _unreadable(self.file, exc) from None
        return self._shared

    # -- sheets ------------------------------------------------------------------------------
    def table(self, sheet: Sheet) -> list[Row]:
        """Return the parsed data rows of a table sheet (problems collected, not raised)."""
        with paused_gc():
            return self._table(sheet)

    def _table(self, sheet: Sheet) -> list[Row]:
        ws = self._find_sheet(sheet)
        if ws is None:
            return []
        rows = self._rows(ws)
        if not rows:
            self.problem(_("is empty; expected a header row with {columns}").format(
                columns=", ".join(c.key for c in sheet.columns)), ws.title)
            return []
        header_number, header = rows[0]
        positions = self._map_header(ws.title, header_number, header, sheet.columns)
        if positions is None:
            return []
        # One search over all the sheet's text instead of one per cell: when it finds no control
        # character and no carriage return, the cells need neither check nor clean-up.
        clean = bad_character("\n".join(v for _, values in rows[1:] for v in values if isinstance(v, str))) is None
        located = [(column.key, column.kind, column, positions.get(column.key)) for column in sheet.columns]
        title, cell = ws.title, self._cell
        result = []
        for number, values in rows[1:]:
            width = len(values)
            parsed: dict[str, Any] = {}
            for key, kind, column, index in located:
                raw = values[index] if index is not None and index < width else None
                # The cells of nearly every workbook, read here as _cell would read them, without a call:
                # clean text, whole numbers for counts and scores.
                if type(raw) is str:
                    if clean and kind == "text" and len(raw) <= MAX_CELL_CHARS and raw.strip():
                        parsed[key] = raw
                        continue
                elif type(raw) is int:
                    if kind == "int" and raw >= 0:
                        parsed[key] = raw
                        continue
                    if kind == "score" and 0 <= raw <= 100:
                        parsed[key] = Decimal(raw)
                        continue
                parsed[key] = cell(raw, column, title, number, None, clean)
            result.append(Row(number, parsed))
        return result

    def fields(self, sheet: Sheet) -> tuple[dict[str, Any], dict[str, int]]:
        """Return the values of a field/value sheet and the row each field stands in."""
        ws = self._find_sheet(sheet)
        if ws is None:
            return {}, {}
        rows = self._rows(ws)
        if not rows:
            self.problem(_("is empty; expected the columns field and value"), ws.title)
            return {}, {}
        header_number, header = rows[0]
        positions = self._map_header(ws.title, header_number, header, (FIELD, VALUE))
        if positions is None:
            return {}, {}
        by_label = {}
        for column in sheet.columns:
            for text in (column.key, column.zh, column.en):
                by_label[text.casefold()] = column
        values: dict[str, Any] = {}
        where: dict[str, int] = {}
        name_column = Column("field", FIELD.zh, FIELD.en, required=False)
        for number, row in rows[1:]:
            key_raw = row[positions["field"]] if positions["field"] < len(row) else None
            raw = row[positions["value"]] if positions["value"] < len(row) else None
            key = self._cell(key_raw, name_column, ws.title, number)
            if key is None:
                if not self.has_problem(ws.title, number, "field"):
                    self.warnings.append(str(Problem(self.file, _("value {value} has no field name; ignored").format(
                        value=_show(raw)), ws.title, number)))
                continue
            column = by_label.get(key.strip().casefold())
            if column is None:
                self.warnings.append(str(Problem(self.file, _("unknown field {field} ignored").format(
                    field=one_line(key)), ws.title, number)))
                continue
            if column.key in where:
                self.problem(_("field {field} appears twice (also row {row})").format(
                    field=column.key, row=where[column.key]), ws.title, number,
                             "field")
                continue
            where[column.key] = number
            values[column.key] = self._cell(raw, column, ws.title, number, name=column.key)
        for column in sheet.columns:
            if column.required and column.key not in where:
                self.problem(_("missing field {field} ({field_zh})").format(field=column.key, field_zh=column.zh),
                             ws.title)
            values.setdefault(column.key, None)
        return values, where

    def _map_header(self, title: str, number: int, header: tuple[Any, ...],
                    columns: tuple[Column, ...]) -> dict[str, int] | None:
        from openpyxl.utils import get_column_letter

        lookup = {}
        for column in columns:
            for text in (column.key, column.zh, column.en):
                lookup[text.casefold()] = column.key
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            if _is_blank(cell):
                continue
            text = _plain(cell).strip()
            key = lookup.get(text.casefold())
            if key is None:
                self.warnings.append(str(Problem(self.file, _("unknown column {column!r} ignored").format(
                    column=one_line(text)), title, number)))
            elif key in positions:
                self.problem(_("{key} appears twice in the header (columns {first} and {second})").format(
                    key=key, first=get_column_letter(positions[key] + 1), second=get_column_letter(index + 1)),
                    title, number, one_line(text))
            else:
                positions[key] = index
                if i18n.language() != "en":
                    self._headers[(title, key)] = one_line(text)
        missing = [c for c in columns if c.key not in positions and c.required]
        for column in missing:
            self.problem(_("missing column {column} ({column_zh}) in the header row").format(
                column=column.key, column_zh=column.zh), title, number)
        return None if missing else positions

    # -- cells -------------------------------------------------------------------------------
    def _cell(self, raw: Any, column: Column, sheet: str, row: int, name: str | None = None,
              checked: bool = False) -> Any:
        """Return the cell's value read as the column's kind; None if blank or bad (bad is reported).

        ``checked``: the text is known to hold no control character nor carriage return.
        """
        col = name or column.key
        if isinstance(raw, _Marker):
            self.problem(raw.message(), sheet, row, col)
            return None
        if isinstance(raw, str):
            if not checked:
                raw = raw.replace("\r\n", "\n")  # a Windows line break pasted into a cell is one line break
                problem = bad_character(raw)
                if problem:
                    self.problem(_("{problem} is not allowed").format(problem=problem), sheet, row, col)
                    return None
            if len(raw) > MAX_CELL_CHARS:
                self.problem(_("holds {count:,} characters; a cell holds at most {most:,}").format(
                    count=len(raw), most=MAX_CELL_CHARS), sheet, row, col)
                return None
            if not raw.strip():
                raw = None
        if raw is None:
            if column.required:
                self.problem(_("is empty; expected {what}").format(what=_expectation(column)), sheet, row, col)
            return None
        try:
            return _convert(raw, column)
        except _Bad as exc:
            self.problem(str(exc), sheet, row, col)
            return None


def _shared_strings_part(zf: zipfile.ZipFile) -> str | None:
    """Return the name of the shared strings part, as [Content_Types].xml declares it."""
    from defusedxml.ElementTree import fromstring

    try:
        types = fromstring(zf.read("[Content_Types].xml"))
    except KeyError:
        return None
    for override in types:
        if _local(override.tag) == "Override" and override.get("ContentType") == _SHARED_STRINGS_TYPE:
            return (override.get("PartName") or "").lstrip("/")
    return None


# -- converting one cell ----------------------------------------------------------------------------

class _Bad(Exception):
    """A cell that cannot be read as its column's kind; the message is the whole problem."""


def _plain(raw: Any) -> str:
    """Return a cell value as the text Excel would show for it (numbers without exponent or ``.0``)."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time():
            return raw.date().isoformat()
        return raw.isoformat(sep=" ", timespec="minutes" if raw.second == raw.microsecond == 0 else "seconds")
    if isinstance(raw, dt.time):
        return raw.isoformat(timespec="minutes" if raw.second == raw.microsecond == 0 else "seconds")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float):
        try:
            return format(Decimal(repr(raw)).normalize(), "f")
        except InvalidOperation:
            return repr(raw)
    return str(raw)


def _show(raw: Any) -> str:
    """Return a cell value for an error message: one line, not too long."""
    return one_line(_plain(raw))


def _not(raw: Any, what: str) -> _Bad:
    """``what``: a message (marked with N_ where it is a literal), translated here."""
    return _Bad(_("{value} is not {what}").format(value=_show(raw), what=_(what)))


def _expectation(column: Column) -> str:
    kind = column.kind
    if kind.startswith("choice:"):
        return _("one of {values}").format(values=vocab.expected(kind.split(":", 1)[1]))
    return {
        "text": _("text"),
        "int": _("a whole number ≥ 0"),
        "number": _("a number > 0"),
        "score": _("a number between 0 and 100"),
        "date": _("a date (YYYY-MM-DD)"),
        "time": _("a time (HH:MM)"),
        "rate": _("a rate such as 0.9 or 90%"),
        "methods": _("one or more of {values}").format(values=vocab.expected("method")),
    }[kind]


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _not(raw, N_("a number"))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        value = Decimal(repr(raw))
        if not value.is_finite():
            raise _not(raw, N_("a number"))
        return value
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()  # full-width digits typed in Chinese input mode
        if _NUMBER.fullmatch(text):
            return Decimal(text)
    raise _not(raw, N_("a number"))


def _convert(raw: Any, column: Column) -> Any:
    kind = column.kind
    if kind == "text":
        return raw if isinstance(raw, str) else _plain(raw)
    if kind in ("int", "number", "score"):
        value = _number(raw)
        if kind == "int":
            if value != value.to_integral_value() or value < 0:
                raise _not(raw, N_("a whole number ≥ 0"))
            return int(value)
        if kind == "number":
            if value <= 0:
                raise _not(raw, N_("a number > 0"))
            return value
        if not _ZERO <= value <= _HUNDRED:
            raise _not(raw, N_("between 0 and 100"))
        return value
    if kind == "date":
        return _date(raw)
    if kind == "time":
        return _time(raw)
    if kind == "rate":
        try:
            return parse_rate(_plain(raw))
        except ValueError:
            raise _not(raw, N_("a rate such as 0.9 or 90%")) from None
    if kind.startswith("choice:"):
        name = kind.split(":", 1)[1]
        key = vocab.lookup(name, _plain(raw))
        if key is None:
            raise _not(raw, _("one of {values}").format(values=vocab.expected(name)))
        return key
    if kind == "methods":
        return _methods(raw)
    raise AssertionError(kind)


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time():
            raise _Bad(_("{value} has a time of day; expected a date (YYYY-MM-DD)").format(value=_show(raw)))
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if _DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise _not(raw, N_("a valid date (no such month or day)")) from None
    raise _not(raw, N_("a date written as YYYY-MM-DD"))


def _time(raw: Any) -> str:
    if isinstance(raw, dt.datetime) and raw.date() in _TIME_ONLY_DAYS:
        raw = raw.time()
    if isinstance(raw, dt.timedelta) and dt.timedelta(0) <= raw < dt.timedelta(days=1):
        raw = (dt.datetime.min + raw).time()
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, str):
        m = _TIME.fullmatch(unicodedata.normalize("NFKC", raw).strip())
        if m:
            return f"{int(m.group(1)):02d}:{m.group(2)}"
    raise _not(raw, N_("a time written as HH:MM"))


def _methods(raw: Any) -> tuple[str, ...]:
    keys: list[str] = []
    for part in _METHOD_SPLIT.split(_plain(raw).strip()):
        if not part:
            continue
        # "听查看" typed without separators: split into single characters.
        pieces = [part]
        if vocab.lookup("method", part) is None and all(vocab.lookup("method", ch) for ch in part):
            pieces = list(part)
        for piece in pieces:
            key = vocab.lookup("method", piece)
            if key is None:
                raise _Bad(_("{value} is not a method; expected any of {values}").format(
                    value=one_line(piece), values=vocab.expected("method")))
            if key not in keys:
                keys.append(key)
    if not keys:
        raise _Bad(_("{value} names no method; expected any of {values}").format(
            value=_show(raw), values=vocab.expected("method")))
    return tuple(keys)


def parse_rate(raw: str) -> Decimal:
    """Return a rate typed as 0.9, ``90%`` or 90 as the fraction 0.9; raise ValueError otherwise.

    A number above 1 is read as a percentage, so ``1`` is 100 % and ``1.5`` is 1.5 %.
    """
    text = unicodedata.normalize("NFKC", str(raw)).strip()  # ５％ typed in Chinese input mode
    m = _RATE.fullmatch(text)
    if m is None:
        raise ValueError(raw)
    value = Decimal(m.group(1))
    if m.group(2) or value > 1:
        value = value / 100
    if value > 1:
        raise ValueError(raw)
    return value

"""Reading the sheets of an input workbook and reporting every problem at once.

:class:`WorkbookReader` stands between a user's file and a document:

1. :func:`qmsdocs.xlsx.container.inspect` checks the package before any XML parser does.
2. openpyxl reads the cells (read-only, the saved values of formulas); where the package check
   found formulas, error cells or ``_xHHHH_`` escapes, :mod:`qmsdocs.xlsx.sheet_xml` reads the
   raw sheet XML for what openpyxl cannot tell.
3. The reader finds each sheet by its English or Chinese name and each column by its header, and
   reads every cell by its column's kind (:mod:`qmsdocs.xlsx.cells`). Every problem is collected
   with its sheet, Excel row number and column; :meth:`WorkbookReader.raise_if_problems` raises
   them as one DataError.
"""
from __future__ import annotations

import contextlib
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from qmsdocs import i18n
from qmsdocs.errors import DataError, Problem
from qmsdocs.i18n import _
from qmsdocs.sheets import FIELD, VALUE, Column, Sheet
from qmsdocs.text import bad_character, one_line
from qmsdocs.xlsx import container, sheet_xml
from qmsdocs.xlsx.cells import BadCell, is_blank, plain, read_cell, show
from qmsdocs.xlsx.loading import import_openpyxl

#: Non-blank rows read from one sheet at most.
MAX_ROWS = 200_000
#: The used range read from one sheet: columns A to AMJ (every qmsdocs sheet needs fewer than
#: 20) and Excel's own last row. A cell beyond refuses the sheet before its width is paid for:
#: a sparse sheet of cells in column XFD would otherwise cost 16,384 values a row.
MAX_COLUMNS = 1024
MAX_ROW_NUMBER = 1_048_576


@dataclass(frozen=True)
class Row:
    """One data row: its Excel row number and the parsed value of each known column (None = blank)."""

    number: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence openpyxl's warnings (unsupported extensions and the like): users cannot act on them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class WorkbookReader:
    """Reads the sheets of one workbook, collecting problems and warnings as it goes."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        openpyxl = import_openpyxl()
        self.path = Path(path)
        self.file = display or str(path)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        #: (sheet, column key) -> the header as typed, by which Chinese errors name the column (English: the key).
        self._headers: dict[tuple[str, str], str] = {}
        self._package = container.inspect(self.path, self.file)
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
            raise container.unreadable(self.file, exc) from None

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
        """Return whether a problem is recorded for this cell."""
        column = self._headers.get((sheet, column), column)
        return any(p.sheet == sheet and p.row == row and p.column == column for p in self.problems)

    def raise_if_problems(self) -> None:
        """Raise one DataError with every problem: by sheet (as first met), then by row."""
        if self.problems:
            rank: dict[str | None, int] = {None: -1}
            for p in self.problems:
                rank.setdefault(p.sheet, len(rank))
            ordered: list[Problem] = sorted(self.problems, key=lambda p: (rank[p.sheet], p.row or 0))
            raise DataError(ordered)

    # -- sheets ------------------------------------------------------------------------------
    def table(self, sheet: Sheet) -> list[Row]:
        """Return the parsed data rows of a table sheet (problems collected, not raised)."""
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
        located = [(column.key, column, positions.get(column.key)) for column in sheet.columns]
        title = ws.title
        result = []
        for number, values in rows[1:]:
            width = len(values)
            parsed: dict[str, Any] = {}
            for key, column, index in located:
                try:
                    parsed[key] = read_cell(values[index] if index is not None and index < width else None,
                                            column, clean)
                except BadCell as exc:
                    self.problem(str(exc), title, number, key)
                    parsed[key] = None
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
                        value=show(raw)), ws.title, number)))
                continue
            field = by_label.get(key.strip().casefold())
            if field is None:
                self.warnings.append(str(Problem(self.file, _("unknown field {field} ignored").format(
                    field=one_line(key)), ws.title, number)))
                continue
            if field.key in where:
                self.problem(_("field {field} appears twice (also row {row})").format(
                    field=field.key, row=where[field.key]), ws.title, number,
                             "field")
                continue
            where[field.key] = number
            values[field.key] = self._cell(raw, field, ws.title, number, name=field.key)
        for column in sheet.columns:
            if column.required and column.key not in where:
                self.problem(_("missing field {field} ({field_zh})").format(field=column.key, field_zh=column.zh),
                             ws.title)
            values.setdefault(column.key, None)
        return values, where

    def _cell(self, raw: Any, column: Column, sheet: str, row: int, name: str | None = None) -> Any:
        """Return the cell's value read as the column's kind; None if blank or bad (bad is reported)."""
        try:
            return read_cell(raw, column)
        except BadCell as exc:
            self.problem(str(exc), sheet, row, name or column.key)
            return None

    def _find_sheet(self, sheet: Sheet) -> Any:
        wanted = {sheet.name.casefold(), sheet.zh.casefold()}
        for ws in self._wb.worksheets:
            if ws.title.strip().casefold() in wanted:
                return ws
        present = ", ".join(ws.title for ws in self._wb.worksheets) or _("no worksheets")
        self.problem(_("missing sheet {sheet} ({sheet_zh}); the workbook has: {present}").format(
            sheet=sheet.name, sheet_zh=sheet.zh, present=present))
        return None

    def _map_header(self, title: str, number: int, header: tuple[Any, ...],
                    columns: tuple[Column, ...]) -> dict[str, int] | None:
        """Return {column key: index from 0} of the header row; None if a required column is missing."""
        lookup = {}
        for column in columns:
            for text in (column.key, column.zh, column.en):
                lookup[text.casefold()] = column.key
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            if is_blank(cell):
                continue
            text = plain(cell).strip()
            key = lookup.get(text.casefold())
            if key is None:
                self.warnings.append(str(Problem(self.file, _("unknown column {column!r} ignored").format(
                    column=one_line(text)), title, number)))
            elif key in positions:
                self.problem(_("{key} appears twice in the header (columns {first} and {second})").format(
                    key=key, first=sheet_xml.column_letter(positions[key] + 1),
                    second=sheet_xml.column_letter(index + 1)), title, number, one_line(text))
            else:
                positions[key] = index
                if i18n.language() != "en":
                    self._headers[(title, key)] = one_line(text)
        missing = [c for c in columns if c.key not in positions and c.required]
        for column in missing:
            self.problem(_("missing column {column} ({column_zh}) in the header row").format(
                column=column.key, column_zh=column.zh), title, number)
        return None if missing else positions

    # -- rows ----------------------------------------------------------------------------------
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
                        beyond = f"{sheet_xml.column_letter(len(values) or 1)}{number}"
                        break
                    if number in fixes:
                        values = sheet_xml.patched(values, fixes[number])
                    # A filled first cell makes a row non-blank: the whole row is looked at only otherwise.
                    first = values[0] if values else None
                    if (first is None or (type(first) is str and not first.strip())) \
                            and all(is_blank(v) for v in values):
                        continue
                    if width is None:
                        width = max(i for i, v in enumerate(values) if not is_blank(v)) + 1
                    elif len(out) > MAX_ROWS:
                        self.problem(_("has more than {count} rows; split the data").format(count=MAX_ROWS), ws.title)
                        break
                    out.append((number, tuple(values[:width])))
        except Exception as exc:  # a damaged sheet is only found while iterating
            raise container.unreadable(self.file, exc, ws.title) from None
        if beyond is not None:
            last = f"{sheet_xml.column_letter(MAX_COLUMNS)}{MAX_ROW_NUMBER}"
            raise DataError(Problem(self.file, f"its used range reaches cell {beyond}; qmsdocs reads at most "
                                               f"A1:{last} ({MAX_COLUMNS:,} columns); delete the cells outside "
                                               "the table", ws.title))
        return out

    def _fixes(self, ws: Any) -> dict[int, dict[int, Any]]:
        """Return the raw pass's replacements for the sheet's cells (none if its part needs no raw pass)."""
        part = getattr(ws, "_worksheet_path", None)
        shared = self._escaped_shared()
        if part is None or (part not in self._package.special and not shared):
            return {}
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(part) as source:
                return sheet_xml.raw_fixes(source, shared)
        except Exception as exc:
            raise container.unreadable(self.file, exc, ws.title) from None

    def _escaped_shared(self) -> dict[int, str]:
        if self._shared is None:
            self._shared = {}
            try:
                with zipfile.ZipFile(self.path) as zf:
                    part = sheet_xml.shared_strings_part(zf)
                    if part in self._package.special:
                        with zf.open(part) as source:
                            self._shared = sheet_xml.escaped_shared_strings(source)
            except Exception as exc:
                raise container.unreadable(self.file, exc) from None
        return self._shared

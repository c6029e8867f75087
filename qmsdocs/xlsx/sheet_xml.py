"""What openpyxl cannot tell about a cell, taken from the raw sheet XML.

openpyxl reads the saved values of formulas. It cannot say that a formula has no saved value
(written by a program that does not calculate) nor that a cell shows an Excel error, and it
leaves the OOXML ``_xHHHH_`` escapes undecoded (how Excel stores control characters and carriage
returns). :func:`raw_fixes` reads a sheet part once more, with defusedxml, and returns the values
that replace openpyxl's; :func:`needs_raw_pass` tells from the raw bytes whether a part needs it.
"""
from __future__ import annotations

import re
import zipfile
from typing import IO, Any

from qmsdocs.text import one_line

#: What sends a part through the raw pass: a formula (``<f>``, ``<x:f>``), an ``_xHHHH_`` escape,
#: and an error cell (`` t="e"``, looked for only where its cheaper hint is found). Each pattern
#: starts with a literal, which ``re`` finds at memory speed; one alternation led by ``<`` or a
#: space would stop at every tag of a sheet and cost ten times the time openpyxl takes to read it.
_SPECIAL = (re.compile(rb"<f[\s>/]"), re.compile(rb":f[\s>/]"), re.compile(rb"_x[0-9A-Fa-f]{4}_"))
_ERROR_HINT = re.compile(rb"t=[\"']e[\"']")
_ERROR = re.compile(rb"\st=[\"']e[\"']")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


class Marker:
    """A cell whose value openpyxl cannot give: reported, never read as a value."""

    def message(self) -> str:
        """Return the problem, as reported for the cell."""
        raise NotImplementedError


class NoCache(Marker):
    """A formula cell saved without its value (written by a program that does not calculate)."""

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __str__(self) -> str:
        return "=" + self.formula

    def message(self) -> str:
        what = f"formula ={one_line(self.formula)}" if self.formula else "formula"
        return f"{what} has no saved value; open and save the workbook in Excel or LibreOffice"


class ExcelError(Marker):
    """A cell showing an Excel error such as #DIV/0! or #N/A."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __str__(self) -> str:
        return self.code

    def message(self) -> str:
        return f"{one_line(self.code)} is an Excel error, not a value; correct the cell"


def needs_raw_pass(window: bytes) -> bool:
    """Return whether raw XML holds a formula, an error cell or an ``_xHHHH_`` escape."""
    return any(p.search(window) for p in _SPECIAL) or (
        _ERROR_HINT.search(window) is not None and _ERROR.search(window) is not None)


def column_letter(index: int) -> str:
    """Return the Excel letters of the 1-based column ``index`` (1 → A, 16384 → XFD)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def shared_strings_part(zf: zipfile.ZipFile) -> str | None:
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


def escaped_shared_strings(source: IO[bytes]) -> dict[int, str]:
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


def raw_fixes(source: IO[bytes], shared: dict[int, str]) -> dict[int, dict[int, Any]]:
    """Return {Excel row: {column index from 0: value}} of the cells whose openpyxl value must be replaced.

    ``shared``: the escaped shared strings (:func:`escaped_shared_strings`). A value is a decoded
    text or a :class:`Marker`.
    """
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


def patched(values: tuple[Any, ...], fixes: dict[int, Any]) -> tuple[Any, ...]:
    """Return a row's values with the raw pass's ``fixes`` ({column index from 0: value}) put in."""
    out = list(values)
    for index, value in fixes.items():
        if index >= len(out):
            out.extend([None] * (index + 1 - len(out)))
        out[index] = value
    return tuple(out)


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
        return NoCache(formula.text or "")
    if kind == "e":
        return ExcelError(saved or "#VALUE!")
    if kind == "s" and saved and shared:
        return shared.get(int(saved), _KEEP)
    text = _text_of(inline) if kind == "inlineStr" and inline is not None else saved if kind == "str" else None
    if text and _ESCAPE.search(text):
        return _decode(text)
    return _KEEP


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


def _column_index(ref: str) -> int:
    from openpyxl.utils.cell import column_index_from_string

    letters = re.match(r"[A-Za-z]+", ref)
    if letters is None:
        raise ValueError(f"bad cell reference {ref!r}")
    return column_index_from_string(letters.group().upper())

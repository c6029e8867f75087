"""One cell's value read as its column's kind (text, int, number, score, date, time, rate, choice, methods).

:func:`read_cell` returns the value or raises :class:`BadCell`, whose message is the whole
problem; the reader adds the sheet, row and column. Values come as openpyxl gives them (or as
:mod:`qmsdocs.xlsx.sheet_xml` replaced them): numbers, dates and text typed in Excel's cells as
well as the same typed as text, full-width digits of a Chinese input method included.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from qmsdocs import vocab
from qmsdocs.i18n import N_, _
from qmsdocs.sheets import Column
from qmsdocs.text import bad_character, one_line
from qmsdocs.xlsx.sheet_xml import Marker

#: Excel's own limit for one cell; a longer text was not typed in Excel and is refused.
MAX_CELL_CHARS = 32_767

_METHOD_SPLIT = re.compile(r"[,，、;；/\s]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_RATE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(%?)", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?", re.ASCII)
_ZERO, _HUNDRED = Decimal(0), Decimal(100)
#: The serial day 0 of Excel's two date systems: a time-only cell may come back on these days.
_TIME_ONLY_DAYS = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1904, 1, 1))


class BadCell(Exception):
    """A cell that cannot be read as its column's kind; the message is the whole problem."""


def read_cell(raw: Any, column: Column, checked: bool = False) -> Any:
    """Return the cell's value read as the column's kind, None if blank; raise BadCell if it cannot be read.

    ``checked``: the text is known to hold no control character nor carriage return (the reader
    searches a whole sheet's text once, which is much cheaper than one search per cell).
    """
    kind = column.kind
    if isinstance(raw, str):
        if not checked:
            raw = raw.replace("\r\n", "\n")  # a Windows line break pasted into a cell is one line break
            problem = bad_character(raw)
            if problem:
                raise BadCell(_("{problem} is not allowed").format(problem=problem))
        if len(raw) > MAX_CELL_CHARS:
            raise BadCell(_("holds {count:,} characters; a cell holds at most {most:,}").format(
                count=len(raw), most=MAX_CELL_CHARS))
        if not raw.strip():
            raw = None
        elif kind == "text":
            return raw
    elif type(raw) is int and raw >= 0 and (kind == "int" or (kind == "score" and raw <= 100)):
        # Whole numbers typed in Excel, the cells of nearly every count and score, need no Decimal.
        return raw if kind == "int" else Decimal(raw)
    elif isinstance(raw, Marker):
        raise BadCell(raw.message())
    if raw is None:
        if column.required:
            raise BadCell(_("is empty; expected {what}").format(what=expectation(column)))
        return None
    return _convert(raw, column)


def is_blank(value: Any) -> bool:
    """Return whether a cell value is empty or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def plain(raw: Any) -> str:
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


def show(raw: Any) -> str:
    """Return a cell value for an error message: one line, not too long."""
    return one_line(plain(raw))


def expectation(column: Column) -> str:
    """Return what a cell of ``column`` should hold, as an error message says it."""
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


def _not(raw: Any, what: str) -> BadCell:
    """``what``: a message (marked with N_ where it is a literal), translated here."""
    return BadCell(_("{value} is not {what}").format(value=show(raw), what=_(what)))


def _convert(raw: Any, column: Column) -> Any:
    """Return a non-blank value read as the column's kind; raise BadCell."""
    kind = column.kind
    if kind == "text":
        return raw if isinstance(raw, str) else plain(raw)
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
            return parse_rate(plain(raw))
        except ValueError:
            raise _not(raw, N_("a rate such as 0.9 or 90%")) from None
    if kind.startswith("choice:"):
        name = kind.split(":", 1)[1]
        key = vocab.lookup(name, plain(raw))
        if key is None:
            raise _not(raw, _("one of {values}").format(values=vocab.expected(name)))
        return key
    if kind == "methods":
        return _methods(raw)
    raise AssertionError(kind)


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


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time():
            raise BadCell(_("{value} has a time of day; expected a date (YYYY-MM-DD)").format(value=show(raw)))
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
    for part in _METHOD_SPLIT.split(plain(raw).strip()):
        if not part:
            continue
        # "听查看" typed without separators: split into single characters.
        pieces = [part]
        if vocab.lookup("method", part) is None and all(vocab.lookup("method", ch) for ch in part):
            pieces = list(part)
        for piece in pieces:
            key = vocab.lookup("method", piece)
            if key is None:
                raise BadCell(_("{value} is not a method; expected any of {values}").format(
                    value=one_line(piece), values=vocab.expected("method")))
            if key not in keys:
                keys.append(key)
    if not keys:
        raise BadCell(_("{value} names no method; expected any of {values}").format(
            value=show(raw), values=vocab.expected("method")))
    return tuple(keys)

"""Checks on free text that is about to go into a Word file."""
from __future__ import annotations

import re

from qmsdocs.i18n import _

# XML 1.0 cannot hold C0 controls other than tab, newline and carriage return, nor the
# surrogates or U+FFFE/U+FFFF; Word also treats a lone CR oddly, so we refuse it too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def bad_character(text: str) -> str | None:
    """Return a description of the first character XML cannot hold, or None if the text is clean."""
    m = _FORBIDDEN.search(text)
    if m is None:
        return None
    return _("control character U+{code:04X} at position {position}").format(code=ord(m.group()),
                                                                              position=m.start() + 1)


def one_line(text: str, limit: int = 60) -> str:
    """Return ``text`` fit for one line of an error message: controls escaped, long text shortened."""
    shown = _UNPRINTABLE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check_option(name: str, value: str | None) -> None:
    """Raise a DataError if an option value holds a character a document cannot hold."""
    from qmsdocs.errors import DataError

    if value is None:
        return
    problem = bad_character(value)
    if problem:
        raise DataError(_("option {name}: {problem} is not allowed (remove it and try again)").format(
            name=name, problem=problem))

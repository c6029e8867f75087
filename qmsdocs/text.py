"""Checks on free text that is about to go into a Word file."""
from __future__ import annotations

import re

# XML 1.0 cannot hold C0 controls other than tab, newline and carriage return, nor the
# surrogates or U+FFFE/U+FFFF; Word also treats a lone CR oddly, so we refuse it too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def bad_character(text: str) -> str | None:
    """Return a description of the first character XML cannot hold, or None if the text is clean."""
    m = _FORBIDDEN.search(text)
    if m is None:
        return None
    return f"control character U+{ord(m.group()):04X} at position {m.start() + 1}"


def check_option(name: str, value: str | None) -> None:
    """Raise a DataError if an option value holds a character a document cannot hold."""
    from qmsdocs.errors import DataError

    if value is None:
        return
    problem = bad_character(value)
    if problem:
        raise DataError(f"option {name}: {problem} is not allowed (remove it and try again)")

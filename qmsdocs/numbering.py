"""Document numbers (文件编号) and version labels (版本号)."""
from __future__ import annotations

import re

from qmsdocs.config import Config
from qmsdocs.db import Register
from qmsdocs.i18n import _
from qmsdocs.names import name_key

_FIELD = re.compile(r"\{(\w+)(?::0?(\d*)d?)?\}")


def format_number(pattern: str, code: str, year: int, seq: int) -> str:
    """Return the document number the pattern gives for this type code, year and sequence."""

    def fill(m: re.Match[str]) -> str:
        fields: dict[str, str | int] = {"code": code, "year": year, "seq": seq}
        value = fields[m.group(1)]
        width = int(m.group(2)) if m.group(2) else 0
        return str(value).zfill(width) if isinstance(value, int) else value

    return _FIELD.sub(fill, pattern)


def counter_name(pattern: str, code: str, year: int) -> str:
    """Return the counter a number takes its ``{seq}`` from: per the fields the pattern holds.

    Without ``{year}`` numbers continue across years; without ``{code}`` one sequence serves every type.
    """
    fields = {m.group(1) for m in _FIELD.finditer(pattern)}
    return f"seq:{code if 'code' in fields else '*'}/{year if 'year' in fields else '*'}"


def next_number(register: Register, config: Config, doc_type: str, year: int) -> tuple[str, str, int]:
    """Return ``(doc_no, code, seq)`` for the next document of this type and year.

    Call inside the command's write transaction: the counter row is locked with it, which keeps
    two writers from taking the same number, and a rolled-back command gives its number back.
    A number already taken (a document registered at its existing number) is skipped.
    """
    code = config.codes[doc_type]
    pattern = config.pattern_for(doc_type)
    while True:
        seq = register.next_value(counter_name(pattern, code, year))
        doc_no = format_number(pattern, code, year, seq)
        # Compared as numbers are (case, width and spaces aside): a document registered at its
        # existing number as "ho-jz-gl-2026-001" takes HO-JZ-GL-2026-001 too.
        if register.one("SELECT 1 AS x FROM documents WHERE doc_key = ?", (name_key(doc_no),)) is None:
            return doc_no, code, seq


def _letters(major: int) -> str:
    """Return 1 → A, 26 → Z, 27 → AA (spreadsheet-column style)."""
    out = ""
    while major > 0:
        major, rest = divmod(major - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def version_label(scheme: str, major: int, minor: int) -> str:
    """Return the label of version (major, minor): ``1.0``-style or ``A/0``-style."""
    if scheme == "letter":
        return f"{_letters(major)}/{minor}"
    return f"{major}.{minor}"


def next_version(major: int, minor: int, is_major: bool) -> tuple[int, int]:
    """Return the version after (major, minor): a major step resets the minor count."""
    return (major + 1, 0) if is_major else (major, minor + 1)


def parse_version(scheme: str, label: str, option: str = "version") -> tuple[int, int]:
    """Return (major, minor) of a version label of ``scheme``: ``2.1`` → (2, 1), ``B/1`` → (2, 1).

    Raise UsageError naming ``option`` for a label the scheme does not give.
    """
    from qmsdocs.errors import UsageError

    text = label.strip()
    if scheme == "letter":
        m = re.fullmatch(r"([A-Za-z]{1,3})/(\d{1,4})", text)
        if m:
            major = 0
            for ch in m.group(1).upper():
                major = major * 26 + ord(ch) - ord("A") + 1
            return major, int(m.group(2))
        example = "A/0, B/2"
    else:
        m = re.fullmatch(r"(\d{1,4})\.(\d{1,4})", text)
        if m and int(m.group(1)) >= 1:
            return int(m.group(1)), int(m.group(2))
        example = "1.0, 2.3"
    raise UsageError(_("{option}: {label} is not a version of the {scheme} scheme (e.g. {example})").format(
        option=option, label=repr(label), scheme=scheme, example=example))

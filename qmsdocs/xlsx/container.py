"""The .xlsx package, checked before any XML parser sees it.

:func:`inspect` looks at the file's size, its zip structure, the declared uncompressed size (a
zip bomb is refused unread) and every XML part for a ``<!DOCTYPE`` (no workbook needs one, so an
entity bomb is refused unexpanded). openpyxl parses through defusedxml as well, a second line
behind the first. The same pass notes which parts need the raw XML pass of
:mod:`qmsdocs.xlsx.sheet_xml`, so that a workbook without any is read by openpyxl alone.
"""
from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from qmsdocs.errors import DataError, Problem
from qmsdocs.text import one_line
from qmsdocs.xlsx.sheet_xml import needs_raw_pass

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000

_SAVE_AS = "; save it as .xlsx (Excel Workbook) and try again"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 20
#: Parts never parsed as XML (an SVG image may rightly hold a DOCTYPE).
_BINARY_FOLDERS = ("xl/media/", "xl/embeddings/", "xl/printerSettings/")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY")


@dataclass(frozen=True)
class Package:
    """What the container check learned: the parts holding formulas, error cells or escapes."""

    special: frozenset[str]


def check_container(path: Path, display: str) -> None:
    """Raise DataError unless ``path`` is a readable, reasonably sized .xlsx package without XML entities."""
    inspect(Path(path), display)


def inspect(path: Path, display: str) -> Package:
    """Return what the package holds; raise DataError (named ``display``) if it is refused."""
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
    return Package(special)


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
                hit = hit or needs_raw_pass(window)
                tail = window[-64:]
        if hit:
            special.add(info.filename)
    return frozenset(special)


def unreadable(file: str, exc: BaseException, sheet: str | None = None) -> DataError:
    """Return the one-line DataError for a workbook that openpyxl (or the raw pass) failed to read."""
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

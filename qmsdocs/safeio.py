"""Bounded reads of the outside world: regular files only, zip parts with size and ratio caps.

Every file qmsdocs reads from a user (a workbook, a document to verify, ``qms.toml``, a template)
comes through here, so a named pipe, a device, a socket or a folder is refused at once, a huge
file is refused before it is read, and a zip part is refused before and while it inflates when
it would grow past its cap or inflate suspiciously far (a zip bomb).
"""
from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from qmsdocs.errors import DataError, Problem
from qmsdocs.i18n import _

MiB = 1024 * 1024

#: An input workbook (a 2,000-person score round is a few MiB).
MAX_WORKBOOK_BYTES = 50 * MiB
#: A Word document or template (a 300-page procedure with photographs is under 100 MiB).
MAX_DOCUMENT_BYTES = 512 * MiB
#: ``qms.toml`` (the full default file is about 2 KiB).
MAX_CONFIG_BYTES = 1 * MiB
#: One XML part unpacked (the body of a 300-page procedure is 10–20 MiB; a 2,000-person sheet less).
MAX_PART_BYTES = 256 * MiB
#: ``docProps/core.xml``, ``[Content_Types].xml`` and other small parts.
MAX_SMALL_PART_BYTES = 4 * MiB
#: All the parts of one package unpacked, together.
MAX_PACKAGE_BYTES = 1024 * MiB
#: Parts in one package.
MAX_PARTS = 10_000
#: How far a part may inflate (uncompressed : compressed). Real XML inflates 5–50 times;
#: deflate cannot exceed about 1,032, which is what bombs use.
MAX_RATIO = 200
#: Parts smaller than this are not held to :data:`MAX_RATIO` (a small part of blanks may
#: inflate far, and costs nothing).
RATIO_FLOOR = 8 * MiB

_CHUNK = 1 * MiB


def _size(n: int) -> str:
    """Return a byte count as people read it: ``4 MiB``, ``2.0 GiB``, ``3.9 KiB``, ``700 bytes``."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return _("{count} bytes").format(count=n)


def _kind(mode: int) -> str | None:
    """Return what a non-regular file is, for an error line; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _("is a folder, not a file")
    if stat.S_ISFIFO(mode):
        return _("is a named pipe (FIFO), not a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("is a device, not a file")
    if stat.S_ISSOCK(mode):
        return _("is a socket, not a file")
    return _("is not a regular file")


def check_regular(path: Path, cap: int, display: str) -> os.stat_result:
    """Return the stat of ``path`` if it is a regular file of at most ``cap`` bytes; else raise DataError.

    Nothing is opened: a named pipe is refused without waiting for a writer.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataError(Problem(display, _("no such file"))) from None
    except NotADirectoryError:
        raise DataError(Problem(display, _("no such file (a folder on the way is a file)"))) from None
    except OSError as exc:
        raise DataError(Problem(display, _("cannot be read ({cause})").format(cause=_cause(exc)))) from None
    _check(st, cap, display)
    return st


def _check(st: os.stat_result, cap: int, display: str) -> None:
    kind = _kind(st.st_mode)
    if kind:
        raise DataError(Problem(display, kind))
    if st.st_size > cap:
        raise DataError(Problem(display, _("is {size}; files over {cap} are refused").format(
            size=_size(st.st_size), cap=_size(cap))))


def _cause(exc: OSError) -> str:
    from qmsdocs.outputs import os_cause

    return os_cause(exc)


def read_regular(path: Path, cap: int, display: str) -> bytes:
    """Return the bytes of the regular file ``path``, at most ``cap`` of them; else raise DataError.

    Refused at once, with one line naming ``display``: a missing file, a folder, a named pipe,
    a device, a socket, a file over ``cap`` bytes (checked before reading and again while
    reading, for a file that grows). The file is opened non-blocking and checked again by its
    descriptor, so one swapped for a pipe between the check and the open is refused too.
    """
    check_regular(path, cap, display)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DataError(Problem(display, _("no such file"))) from None
    except OSError as exc:
        raise DataError(Problem(display, _("cannot be read ({cause})").format(cause=_cause(exc)))) from None
    try:
        _check(os.fstat(fd), cap, display)
        chunks, total = [], 0
        while chunk := os.read(fd, min(_CHUNK, cap + 1 - total)):
            total += len(chunk)
            if total > cap:
                raise DataError(Problem(display, _("grew past {cap} while read; refused").format(cap=_size(cap))))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise DataError(Problem(display, _("cannot be read ({cause})").format(cause=_cause(exc)))) from None
    finally:
        os.close(fd)


def _open_zip(data: bytes, display: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise DataError(Problem(display, _("is not a zip package, or a damaged one"))) from None


def _check_declared(info: zipfile.ZipInfo, cap: int, display: str) -> None:
    """Refuse a part by what its header declares, before a byte is inflated."""
    if info.flag_bits & 0x1:
        raise DataError(Problem(display, _("part {part} is encrypted").format(part=info.filename)))
    if info.file_size > cap:
        raise DataError(Problem(display, _("part {part} unpacks to {size}; parts over "
                                           "{cap} are refused as a possible zip bomb").format(
                                               part=info.filename, size=_size(info.file_size), cap=_size(cap))))
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise DataError(Problem(display, _("part {part} inflates {ratio} "
                                           "times; refused as a possible zip bomb (at most {limit})").format(
                                               part=info.filename, ratio=info.file_size // max(info.compress_size, 1),
                                               limit=MAX_RATIO)))


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, display: str) -> bytes:
    """Return the part's bytes, refusing it as soon as it outgrows ``cap`` or the ratio cap."""
    # zipfile stops at the declared size and checks the CRC at the end, so a header that lies
    # about the size gives a short read and a CRC error, never an unbounded one.
    limit = min(cap, max(RATIO_FLOOR, MAX_RATIO * max(info.compress_size, 1)))
    chunks, total = [], 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise DataError(Problem(display, _("part {part} inflates past {cap}; "
                                                       "refused as a possible zip bomb").format(
                                                           part=info.filename, cap=_size(limit))))
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise DataError(Problem(display, _("part {part} cannot be unpacked: {cause}").format(
            part=info.filename, cause=_zip_cause(exc)))) from None
    if total != info.file_size:
        raise DataError(Problem(display, _("part {part} cannot be unpacked: its size does not match "
                                           "its header").format(part=info.filename)))
    return b"".join(chunks)


def _zip_cause(exc: BaseException) -> str:
    from qmsdocs.text import one_line

    text = str(exc)
    if "CRC" in text:
        return _("its checksum or size does not match its header (damaged, or altered)")
    return one_line(text, 100) or type(exc).__name__


def read_zip_part(data: bytes, name: str, cap: int, display: str) -> bytes:
    """Return the part ``name`` of the zip package ``data``, unpacked; else raise DataError.

    Refused with one line naming ``display`` and the part: no such part, a declared size over
    ``cap``, a declared or actual inflation over :data:`MAX_RATIO` (for parts over
    :data:`RATIO_FLOOR`), a part that inflates past what it declared (a lying header), an
    encrypted or damaged part. Memory stays within ``cap`` plus one chunk.
    """
    with _open_zip(data, display) as zf:
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise DataError(Problem(display, _("has no part {part}").format(part=name))) from None
        _check_declared(info, cap, display)
        return _inflate(zf, info, cap, display)


def read_zip_parts(data: bytes, display: str, *, part_cap: int = MAX_PART_BYTES,
                   total_cap: int = MAX_PACKAGE_BYTES) -> list[tuple[str, bytes]]:
    """Return every (name, bytes) part of the zip package ``data`` in stored order; else raise DataError.

    The bounded counterpart of reading a whole package: at most :data:`MAX_PARTS` parts, each
    held to ``part_cap`` and the ratio cap, all together to ``total_cap`` (checked on the
    declared sizes before anything is inflated).
    """
    with _open_zip(data, display) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise DataError(Problem(display, _("holds {count} parts; refused as a possible zip bomb "
                                               "(at most {limit})").format(count=len(infos), limit=MAX_PARTS)))
        declared = sum(i.file_size for i in infos)
        if declared > total_cap:
            raise DataError(Problem(display, _("unpacks to {size}; packages over {cap} "
                                               "are refused as a possible zip bomb").format(
                                                   size=_size(declared), cap=_size(total_cap))))
        for info in infos:
            _check_declared(info, part_cap, display)
        return [(info.filename, _inflate(zf, info, part_cap, display)) for info in infos]


@contextlib.contextmanager
def bytes_as_file(data: bytes, name: str) -> Iterator[Path]:
    """Yield a path from which ``data`` can be read as a file named ``name``, for readers that need a path.

    On Linux an anonymous in-memory file (``memfd``), which vanishes with the process however it
    ends, so a command killed while reading leaves nothing in the temporary folder; elsewhere a
    private temporary folder, removed on leaving.
    """
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None and os.path.isdir("/proc/self/fd"):
        try:
            fd = memfd(name or "input", getattr(os, "MFD_CLOEXEC", 0))
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                yield Path(f"/proc/self/fd/{fd}")
            finally:
                os.close(fd)
            return
    with tempfile.TemporaryDirectory(prefix="qms-input-") as tmp:  # pragma: no cover - not Linux
        path = Path(tmp) / (Path(name).name or "input.xlsx")
        path.write_bytes(data)
        yield path

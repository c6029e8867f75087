"""Turning a .doc, .odt or .rtf body into .docx with LibreOffice, in a folder of its own."""
from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path

from qmsdocs.errors import DataError, UsageError
from qmsdocs.i18n import _

#: The formats LibreOffice turns into .docx for us.
CONVERTIBLE = (".doc", ".odt", ".rtf")
#: Seconds one conversion may take; a 300-page .doc converts in well under a minute.
TIMEOUT = 300
#: The largest file handed to LibreOffice (the .docx it gives is then read within the zip caps).
MAX_INPUT_BYTES = 256 * 1024 * 1024


def convert_to_docx(path: Path, timeout: float | None = None) -> bytes:
    """Return the .docx bytes LibreOffice makes of the .doc, .odt or .rtf file ``path``.

    LibreOffice runs headless with a profile of its own in a private temporary folder, which is
    removed however the conversion ends; on a timeout (default :data:`TIMEOUT`, read when called)
    or an interrupt its whole process group is killed. Raise UsageError if LibreOffice is not
    installed, DataError if the file cannot be converted.
    """
    path = Path(path)
    timeout = TIMEOUT if timeout is None else timeout
    if path.suffix.lower() not in CONVERTIBLE:
        raise UsageError(_("{name}: only {suffixes} files are converted to .docx").format(
            name=path.name, suffixes=", ".join(CONVERTIBLE)))
    data = read_regular(path)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UsageError(_("converting {name} to .docx needs LibreOffice (soffice) on the PATH; "
                           "install libreoffice-writer-nogui").format(name=path.name))
    with tempfile.TemporaryDirectory(prefix="qms-convert-") as tmp:
        work = Path(tmp)
        # A fixed name: the input's own name may hold characters LibreOffice's command line mangles.
        source = work / ("body" + path.suffix.lower())
        source.write_bytes(data)
        outdir = work / "out"
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(outdir), str(source)]
        output = _run(command, timeout, path.name)
        result = outdir / "body.docx"
        if not result.is_file():
            raise DataError(_("{name}: LibreOffice could not convert it to .docx "
                              "({output}); open it in Word and save it as .docx").format(
                                  name=path.name, output=output.strip()[:200] or _("no output")))
        return result.read_bytes()


def read_regular(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Return the bytes of the regular file ``path``; raise DataError for a FIFO, a device or a folder.

    The file is opened without blocking and checked on the open descriptor, so a FIFO put in
    its place between a check and the read cannot hang the command.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise DataError(_("{path}: no such file").format(path=path)) from None
    except IsADirectoryError:
        raise DataError(_("{path} is a folder; give a Word document file").format(path=path)) from None
    except OSError as exc:
        raise DataError(_("{path}: cannot be read ({error})").format(path=path, error=exc.strerror or exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = (_("{path} is a folder; give a Word document file") if stat.S_ISDIR(mode)
                    else _("{path} is not a regular file; give a Word document file"))
            raise DataError(what.format(path=path))
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DataError(_("{name} is larger than {mib} MiB; refused").format(
            name=path.name, mib=limit // (1024 * 1024)))
    return data


def _run(command: list[str], timeout: float, name: str) -> str:
    """Run LibreOffice in its own process group and return its output; kill it on timeout or interrupt."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise DataError(_("{name}: LibreOffice did not finish converting it within {timeout} seconds; "
                          "open it in Word and save it as .docx").format(name=name, timeout=f"{timeout:g}")) from None
    except BaseException:  # KeyboardInterrupt included: never leave soffice running
        _kill(process)
        raise
    return output or ""


def _kill(process: subprocess.Popen[str]) -> None:
    """Kill the process group LibreOffice started (soffice runs soffice.bin as a child)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    if process.stdout is not None:
        process.stdout.close()

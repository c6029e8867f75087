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
        raise UsageError(f"{path.name}: only {', '.join(CONVERTIBLE)} files are converted to .docx")
    data = read_regular(path)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UsageError(f"converting {path.name} to .docx needs LibreOffice (soffice) on the PATH; "
                         "install libreoffice-writer-nogui")
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
            raise DataError(f"{path.name}: LibreOffice could not convert it to .docx "
                            f"({output.strip()[:200] or 'no output'}); open it in Word and save it as .docx")
        return result.read_bytes()


def read_regular(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Return the bytes of the regular file ``path``; raise DataError for a FIFO, a device or a folder.

    The file is opened without blocking and checked on the open descriptor, so a FIFO put in
    its place between a check and the read cannot hang the command.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder; give a Word document file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise DataError(f"{path} is {what}; give a Word document file")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DataError(f"{path.name} is larger than {limit // (1024 * 1024)} MiB; refused")
    return data


def _run(command: list[str], timeout: float, name: str) -> str:
    """Run LibreOffice in its own process group and return its output; kill it on timeout or interrupt."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise DataError(f"{name}: LibreOffice did not finish converting it within {timeout:g} seconds; "
                        "open it in Word and save it as .docx") from None
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

"""qms sheet -o and qms list --xlsx: never into the workspace, never over a file without --force,
and what the file system refuses is one Error: line, never a traceback."""
from __future__ import annotations

import errno
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from qmsdocs import reports
from click.testing import CliRunner

from conftest import tree_digest
from qmsdocs.cli import cli
from qmsdocs.outputs import Terminated


def qms(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _one_error(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


@pytest.fixture
def documented(records: Path, plan_xlsx: Path) -> Path:
    assert qms("--records", str(records), "new", "plan", "--data", str(plan_xlsx)).exit_code == 0
    return records


COMMANDS = {"sheet": ["sheet", "plan", "-o"], "list": ["list", "--xlsx"]}
OPTION = {"sheet": "-o", "list": "--xlsx"}


def _targets(ws: Path, tmp_path: Path) -> list[tuple[Path, Path]]:
    """Return (path given, where it resolves) for every way into the workspace."""
    doc = next((ws / "documents").rglob("*.docx"))
    (tmp_path / "link.xlsx").symlink_to(ws / "qms.toml")
    (tmp_path / "wslink").symlink_to(ws)
    return [(ws / "qms.toml", ws / "qms.toml"), (ws / "register.sqlite", ws / "register.sqlite"),
            (doc, doc), (ws, ws), (ws / "new.xlsx", ws / "new.xlsx"), (tmp_path / "link.xlsx", ws / "qms.toml"),
            (tmp_path / "wslink" / "documents" / "x.xlsx", ws / "documents" / "x.xlsx")]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("force", [False, True], ids=["", "--force"])
def test_outputs_into_the_workspace_are_refused_and_change_nothing(documented: Path, tmp_path: Path,
                                                                   command: str, force: bool) -> None:
    ws = documented
    before = tree_digest(ws)
    for given, real in _targets(ws, tmp_path):
        result = qms("--records", str(ws), *COMMANDS[command], str(given), *(["--force"] if force else []))
        assert result.exit_code == 2, (given, result.output)
        via = "" if given == real else f" (it resolves to {real})"
        assert _one_error(result) == f"Error: {OPTION[command]} {given}: is inside the workspace {ws}{via}; " \
                                     "write outputs outside it or into its exports/ folder"
        assert tree_digest(ws) == before
        (tmp_path / "link.xlsx").unlink()
        (tmp_path / "wslink").unlink()
        _targets(ws, tmp_path)  # the links again, for the next path


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_file_needs_force(documented: Path, tmp_path: Path, command: str) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"mine")
    result = qms("--records", str(documented), *COMMANDS[command], str(out))
    assert result.exit_code == 2
    assert _one_error(result) == f"Error: {OPTION[command]} {out}: exists; give --force to replace it"
    assert out.read_bytes() == b"mine"
    assert qms("--records", str(documented), *COMMANDS[command], str(out), "--force").exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames
    assert sorted(p.name for p in tmp_path.iterdir() if ".qms-" in p.name) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_the_exports_folder_of_the_workspace_is_allowed(documented: Path, command: str) -> None:
    out = documented / "exports" / "out.xlsx"
    out.parent.mkdir(exist_ok=True)
    result = qms("--records", str(documented), *COMMANDS[command], str(out), "--json")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames


def test_list_force_without_xlsx_is_a_usage_error(records: Path) -> None:
    result = qms("--records", str(records), "list", "--force")
    assert (result.exit_code, _one_error(result)) == (2, "Error: option --force is only for --xlsx")


# -- file systems that refuse ------------------------------------------------------------------

@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """Return a 256 KiB tmpfs, unmounted afterwards; skip where mounting is not permitted."""
    if not shutil.which("mount"):
        pytest.skip("no mount command on this machine")
    point = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_file_system_is_one_error_line(documented: Path, small_fs: Path, command: str) -> None:
    _fill(small_fs)
    out = small_fs / "out.xlsx"
    result = qms("--records", str(documented), *COMMANDS[command], str(out))
    assert result.exit_code == 2
    assert _one_error(result) == f"Error: {OPTION[command]} {out}: cannot write: no space left on the device (ENOSPC)"
    assert sorted(p.name for p in small_fs.iterdir()) == ["filler"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_read_only_file_system_is_one_error_line(documented: Path, small_fs: Path, command: str) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    out = small_fs / "out.xlsx"
    result = qms("--records", str(documented), *COMMANDS[command], str(out))
    assert result.exit_code == 2
    assert _one_error(result) == f"Error: {OPTION[command]} {out}: cannot write: read-only file system (EROFS)"


def test_a_full_file_system_in_a_real_process_prints_no_traceback(documented: Path, small_fs: Path) -> None:
    _fill(small_fs)
    out = small_fs / "blank.xlsx"
    done = subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(documented), "sheet", "plan",
                           "-o", str(out)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"Error: -o {out}: cannot write: no space left on the device (ENOSPC)\n"


# -- what the outside world raises, as one line ----------------------------------------------

def _raising(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    from qmsdocs import lifecycle

    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(reports, "list_documents", fail)


@pytest.mark.parametrize("exc, code, line", [
    (OSError(errno.EIO, "Input/output error", "/data/register.sqlite"), 1,
     "Error: /data/register.sqlite: input/output error (EIO)"),
    (OSError(errno.ENOSPC, "No space left on device", "/data/x"), 1,
     "Error: /data/x: no space left on the device (ENOSPC)"),
    (OSError(errno.EACCES, "Permission denied"), 1, "Error: permission denied (EACCES)"),
    (PermissionError(errno.EACCES, "Permission denied", "GIVEN"), 2, "Error: GIVEN: permission denied (EACCES)"),
    (sqlite3.DatabaseError("database disk image is malformed"), 1,
     "Error: register error: database disk image is malformed"),
    (sqlite3.OperationalError("disk I/O error"), 1, "Error: register error: disk I/O error"),
    (MemoryError(), 1, "Error: out of memory; the input is too large for this machine"),
    (RecursionError("maximum recursion depth exceeded"), 1, "Error: the input is nested too deeply to be read"),
    (Terminated(signal.SIGTERM), 143, "Error: stopped by SIGTERM"),
    (Terminated(signal.SIGHUP), 129, "Error: stopped by SIGHUP"),
])
def test_errors_from_outside_are_one_line(records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          exc: BaseException, code: int, line: str) -> None:
    given = tmp_path / "given.xlsx"
    if isinstance(exc, OSError) and exc.filename == "GIVEN":
        exc = PermissionError(errno.EACCES, "Permission denied", str(given))
        line = line.replace("GIVEN", str(given))
    _raising(monkeypatch, exc)
    result = qms("--records", str(records), "list", "--xlsx", str(given))
    assert (result.exit_code, _one_error(result)) == (code, line)


def test_a_damaged_register_is_one_line(records: Path) -> None:
    (records / "register.sqlite").write_bytes(b"this is not a database" * 100)
    result = qms("--records", str(records), "list")
    assert result.exit_code in (1, 2)
    assert _one_error(result).startswith("Error: ")

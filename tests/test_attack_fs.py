"""A workspace on a file system that fills up or turns read-only: one Error: line naming the path and
the cause, the register consistent, and reading commands that keep working on a read-only workspace."""
from __future__ import annotations

import errno
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from attack import EFFECTIVE, SIGNED, _populated_template, one_error, qms, snapshot, verified
from conftest import PASSWORD, write_plan

__all__ = ["_populated_template"]  # fixture


@pytest.fixture
def mounted(tmp_path: Path, _populated_template: Path) -> Iterator[Path]:
    """Return a populated workspace on a 16 MiB tmpfs of its own; skip where mounting is not permitted."""
    if not shutil.which("mount"):
        pytest.skip("no mount command on this machine")
    point = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        shutil.copytree(_populated_template, point / "ws", symlinks=True)
        yield point / "ws"
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _state(records: Path) -> tuple[str, str]:
    return qms(records, "list", "--json").stdout, qms(records, "log", "--json").stdout


WRITING = {
    "new": lambda tmp: ["new", "plan", "--data", str(write_plan(tmp / "plan.xlsx"))],
    "release": lambda tmp: ["release", SIGNED],
    "repair": lambda tmp: ["repair", "--by", "Admin", "--password-stdin"],
}


@pytest.mark.parametrize("command", WRITING)
def test_a_full_disk_is_one_error_line_and_the_register_stays_consistent(mounted: Path, tmp_path: Path,
                                                                         command: str) -> None:
    before = _state(mounted)
    args = WRITING[command](tmp_path)
    # Fill what is left, then give back less than the command needs.
    filler = _fill(mounted.parent)
    done = qms(mounted, *args, stdin=PASSWORD + "\n")
    if done.returncode == 0:  # what it wrote fitted in the blocks a file system keeps back: fine, if whole
        verified(mounted)
        return
    line = one_error(done.stderr)
    assert done.returncode in (1, 2)
    assert line.startswith(f"Error: {mounted}/"), line  # the path that could not be written
    assert line.endswith("no space left on the device (ENOSPC)") or \
        line.endswith("no space left on the device (ENOSPC))"), line
    filler.unlink()
    assert _state(mounted) == before  # nothing half-done: the register is as it was
    verified(mounted)
    assert qms(mounted, *args, stdin=PASSWORD + "\n").returncode == 0  # and works once there is room


READING = [["list"], ["show", EFFECTIVE], ["pending"], ["log", "--verify"], ["verify", "DOC"], ["list", "--json"]]


def test_a_read_only_workspace_reads_and_refuses_writes_in_one_line(mounted: Path, tmp_path: Path) -> None:
    doc = mounted / "documents" / EFFECTIVE / f"{EFFECTIVE}_1.0.docx"
    subprocess.run(["mount", "-o", "remount,ro", str(mounted.parent)], check=True)
    before = snapshot(mounted)
    for args in READING:
        done = qms(mounted, *[str(doc) if a == "DOC" else a for a in args])
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)
    for command, make in WRITING.items():
        done = qms(mounted, *make(tmp_path), stdin=PASSWORD + "\n")
        assert done.returncode in (1, 2), (command, done.stderr)
        assert one_error(done.stderr) == f"Error: {mounted / '.qms.lock'}: read-only file system (EROFS)"
    assert snapshot(mounted) == before

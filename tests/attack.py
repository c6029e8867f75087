"""What the attacking tests share: a workspace with documents in every state, qms run as a process,
a snapshot of a whole tree (links and folders included), and the leftovers a killed command may leave."""
from __future__ import annotations

import hashlib
import os
import select
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, TODAY, sign_all, write_plan
from qmsdocs.workspace import Workspace

#: Effective, ready to release, and a score sheet's draft.
EFFECTIVE, SIGNED, SCORES = "HO-JZ-KP-2026-001", "HO-JZ-KP-2026-002", "HO-JZ-PF-2026-001"
SCORES_XLSX = ROOT / "records" / "scores.xlsx"
#: A safety net only: a command that runs this long has hung, and that is a failure.
HANG = 120
MARKS = (".qms-tmp-", ".qms-split-")


def make_populated(root: Path, template: Path, inputs: Path) -> Path:
    """Fill a copy of the roster workspace ``template`` at ``root`` with the three documents."""
    from qmsdocs import lifecycle

    shutil.copytree(template, root)
    before = os.environ.get("QMS_TODAY")
    os.environ["QMS_TODAY"] = TODAY
    ws = Workspace.open(root, write=True)
    try:
        plan = write_plan(inputs / "plan.xlsx")
        lifecycle.new(ws, "plan", plan)
        sign_all(ws, EFFECTIVE)
        lifecycle.release(ws, EFFECTIVE)
        lifecycle.new(ws, "plan", plan)
        sign_all(ws, SIGNED)
        lifecycle.new(ws, "scores", SCORES_XLSX)
    finally:
        ws.close()
        if before is None:
            os.environ.pop("QMS_TODAY", None)
        else:
            os.environ["QMS_TODAY"] = before
    return root


@pytest.fixture(scope="session")
def _populated_template(tmp_path_factory: pytest.TempPathFactory, _roster_template: Path) -> Path:
    base = tmp_path_factory.mktemp("populated")
    return make_populated(base / "ws", _roster_template, base)


@pytest.fixture
def populated(tmp_path: Path, _populated_template: Path) -> Path:
    """Return a fresh workspace holding an effective plan, a signed plan draft and a score sheet draft."""
    root = tmp_path / "ws"
    shutil.copytree(_populated_template, root, symlinks=True)
    return root


@pytest.fixture
def private_tmp(tmp_path: Path) -> Path:
    """Return an empty folder given to qms processes as their system temporary folder."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    return folder


def environment(tmpdir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QMS_TODAY=TODAY, PYTHONDONTWRITEBYTECODE="1")
    env.pop("QMS_RECORDS", None)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    env.update(extra)
    return env


def command(records: Path | None, *args: str) -> list[str]:
    return [sys.executable, "-m", "qmsdocs", *(["--records", str(records)] if records else []), *args]


def qms(records: Path | None, *args: str, stdin: str | None = None, tmpdir: Path | None = None,
        **extra: str) -> subprocess.CompletedProcess[str]:
    """Run qms as its own process and return what it did (a hang fails the test)."""
    return subprocess.run(command(records, *args), input=stdin, capture_output=True, text=True,
                          env=environment(tmpdir, **extra), timeout=HANG)


def spawn(records: Path, *args: str, tmpdir: Path | None = None, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(command(records, *args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment(tmpdir, **extra))


def one_error(stderr: str) -> str:
    """Return the one ``Error:`` line of ``stderr`` (warnings aside); fail on a traceback or on more."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("Warning: ")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def snapshot(root: Path) -> dict[str, str]:
    """Return every entry below ``root`` (never following a link): its kind, and a file's sha256 and mode."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = os.lstat(path)
            key = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                out[key] = f"link -> {os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                out[key] = "folder"
            elif stat.S_ISREG(info.st_mode):
                out[key] = f"{oct(info.st_mode & 0o7777)} {hashlib.sha256(path.read_bytes()).hexdigest()}"
            else:
                out[key] = f"special {stat.S_IFMT(info.st_mode)}"
    return out


def strays(folder: Path) -> list[str]:
    """Return the names of qmsdocs' temporaries anywhere below ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if any(m in p.name for m in MARKS))


def processes_mentioning(text: str) -> list[int]:
    """Return the ids of the live processes whose command line holds ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], timeout: float = HANG) -> None:
    """Wait (by the kernel's word, no polling) until every process in ``pids`` has ended."""
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            assert ready, f"process {pid} still runs after {timeout} s"
        finally:
            os.close(fd)


def referenced_objects(records: Path) -> set[str]:
    from qmsdocs.maintenance import referenced

    ws = Workspace.open(records)
    try:
        return referenced(ws)
    finally:
        ws.close()


def inside_leftovers(records: Path) -> list[str]:
    """Return what a killed command left inside the workspace beyond harmless unreferenced objects.

    An object file whose name is its sha256 is garbage ``qms repair`` collects; anything else
    that is not an object, a view, the register (and its journal), ``qms.toml`` or the lock is a leftover.
    """
    out = []
    for path in records.rglob("*"):
        rel = path.relative_to(records)
        if path.is_dir():
            continue
        if rel.parts[:2] == ("store", "objects"):
            if hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
                out.append(str(rel))
        elif rel.parts[0] in ("documents", "copies"):
            if not path.name.endswith(".docx") or path.name.startswith("."):
                out.append(str(rel))
        elif str(rel) not in ("qms.toml", "register.sqlite", "register.sqlite-journal", "register.sqlite-wal",
                              "register.sqlite-shm", ".qms.lock"):
            out.append(str(rel))
    return sorted(out)


def verified(records: Path) -> Any:
    """Assert that ``qms log --verify`` passes on ``records`` and return its run."""
    done = qms(records, "log", "--verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("Audit trail intact."), done.stdout
    return done


_MANY = """
import json, sys
from click.testing import CliRunner
from qmsdocs.cli import cli
out = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args)
    crash = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = repr(result.exception)
    out.append([result.exit_code, result.stderr, crash])
print(json.dumps(out))
"""


def qms_many(cases: list[list[str]], tmpdir: Path | None = None) -> list[tuple[int, str]]:
    """Run many qms command lines in one child process (a hang fails the test); return (exit, stderr) each.

    An exception that escapes the command line (a traceback for a user) fails the test.
    """
    import json

    done = subprocess.run([sys.executable, "-c", _MANY, json.dumps(cases)], capture_output=True, text=True,
                          env=environment(tmpdir), timeout=HANG)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    crashes = [(args, crash) for args, (_, _, crash) in zip(cases, results) if crash]
    assert crashes == []
    return [(code, err) for code, err, _ in results]

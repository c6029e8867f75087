"""Commands killed at any moment: SIGKILL leaves a consistent register and at most one temporary beside
an output; SIGTERM is handled and leaves none; nothing is left in the system temporary folder, the
next command works, the trail verifies, and a copy of the killed workspace is a workspace of its own."""
from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attack import (EFFECTIVE, HANG, SCORES, SIGNED, _populated_template, inside_leftovers, one_error, populated,
                    private_tmp,
                    processes_mentioning, qms, snapshot, spawn, strays, verified, wait_gone)
from conftest import PASSWORD, write_plan
from qmsdocs.cli import cli as qms_cli

__all__ = ["_populated_template", "populated", "private_tmp"]  # fixtures

# What each command is asked to write outside the workspace (below OUT).
COMMANDS = {
    "new": ["new", "plan", "--data", "PLAN"],
    "release": ["release", SIGNED],
    "new-split": ["new", "scores", "--data", "SCORES", "--xlsx", "OUT/results.xlsx", "--split", "OUT/split"],
    "split": ["split", SCORES, "--to", "OUT/split"],
    "results": ["results", SCORES, "--xlsx", "OUT/results.xlsx"],
    "export": ["export", "-o", "OUT/package.zip"],
}
KILL, TERM = signal.SIGKILL, signal.SIGTERM
CRASHES = [("new", "staged", KILL), ("new", "staged", TERM), ("new", "prepared", KILL), ("new", "committed", KILL),
           ("release", "staged", KILL), ("release", "prepared", KILL), ("release", "prepared", TERM),
           ("release", "committed", KILL), ("new-split", "committed", KILL), ("new-split", "committed", TERM),
           ("new-split", "output", KILL), ("new-split", "output", TERM), ("new-split", "split", KILL),
           ("new-split", "split", TERM), ("split", "split", KILL), ("results", "output", KILL),
           ("results", "output", TERM), ("export", "output", KILL), ("export", "staged", KILL),
           ("export", "staged", TERM)]


def _args(name: str, tmp_path: Path) -> list[str]:
    from attack import SCORES_XLSX

    plan = tmp_path / "plan.xlsx"
    if not plan.exists():
        write_plan(plan)
    values = {"PLAN": str(plan), "SCORES": str(SCORES_XLSX)}
    return [values.get(a, a.replace("OUT/", f"{tmp_path / 'out'}/")) for a in COMMANDS[name]]


def cli(*args: str, input: str | None = None) -> Any:
    """Run qms in this process (the commands after a kill: quicker than a process each)."""
    return CliRunner().invoke(qms_cli, list(args), input=input, catch_exceptions=False)


def _check_after(records: Path, out: Path, systmp: Path, signum: int, done: subprocess.CompletedProcess[str],
                 tmp_path: Path) -> None:
    """Everything a killed command may leave, counted; then the workspace and a copy of it work."""
    assert "Traceback" not in done.stderr
    if done.returncode == 143:
        assert one_error(done.stderr) == "Error: stopped by SIGTERM"
    left = strays(out)
    if signum == signal.SIGKILL:
        assert len(left) <= 1, left
        assert all(Path(name).name.startswith((".results.xlsx.qms-tmp-", ".package.zip.qms-tmp-", ".split.qms-"))
                   for name in left), left
    else:
        assert left == []
    assert sorted(systmp.iterdir()) == []
    inside = inside_leftovers(records)
    if signum == signal.SIGKILL:  # a kill in the middle of writing a file inside leaves its temporary
        assert len(inside) <= 1 and all(".qms-tmp-" in name for name in inside), inside
    else:
        assert inside == []
    before = snapshot(records)
    checked = cli("--records", str(records), "log", "--verify")
    assert (checked.exit_code, checked.stdout.splitlines()[-1]) == (0, "Audit trail intact."), checked.output
    for reading in (["list"], ["show", EFFECTIVE], ["pending"]):
        assert cli("--records", str(records), *reading).exit_code == 0
    assert snapshot(records) == before  # reading commands write nothing
    # A copy works on its own and never reaches back into the original.
    copy = tmp_path / "copy"
    shutil.copytree(records, copy, symlinks=True)
    made = cli("--records", str(copy), "new", "plan", "--data", str(tmp_path / "plan.xlsx"), "--json")
    assert made.exit_code == 0, made.output
    assert Path(json.loads(made.stdout)["path"]).is_relative_to(copy)
    repaired = cli("--records", str(copy), "repair", "--by", "Admin", "--password-stdin", input=PASSWORD + "\n")
    assert repaired.exit_code == 0, repaired.output
    assert [n for n in inside_leftovers(copy) if not n.startswith("store/")] == []
    again = cli("--records", str(copy), "results", SCORES, "--xlsx", str(out / "results.xlsx"), "--force")
    assert again.exit_code == 0, again.output
    assert [n for n in strays(out) if "results" in n] == []  # the next writer of a target removes its leftover
    assert cli("--records", str(copy), "log", "--verify").exit_code == 0
    assert snapshot(records) == before


@pytest.mark.parametrize("name, point, signum", CRASHES,
                         ids=[f"{n}-{p}-{signal.Signals(s).name[3:]}" for n, p, s in CRASHES])
def test_a_command_stopped_at_a_crash_point(populated: Path, private_tmp: Path, tmp_path: Path, name: str,
                                            point: str, signum: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = _args(name, tmp_path)
    done = qms(populated, *args, tmpdir=private_tmp, QMS_CRASH_AT=point,
               QMS_CRASH_SIGNAL=signal.Signals(signum).name[3:])
    if signum == signal.SIGKILL:
        assert done.returncode == -signal.SIGKILL, done.stderr
    else:
        assert done.returncode == 143, done.stderr
    _check_after(populated, out, private_tmp, signum, done, tmp_path)


RANDOM = [(name, seed) for seed in range(1) for name in ("new", "release", "new-split", "split", "export")]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
@pytest.mark.parametrize("name, seed", RANDOM, ids=[f"{n}-{s}" for n, s in RANDOM])
def test_a_command_stopped_after_a_random_delay(populated: Path, private_tmp: Path, tmp_path: Path, name: str,
                                                seed: int, signum: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    delay = random.Random(f"{name}-{seed}-{signum}").uniform(0.1, 1.2)
    proc = spawn(populated, *_args(name, tmp_path), tmpdir=private_tmp)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=HANG)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    # SIGTERM is handled while a command runs (143); it may also land before the command starts or
    # once it has finished (-15): then there is nothing to clean up, as the checks below show.
    assert done.returncode in (0, -signal.SIGKILL, 143, -signal.SIGTERM), stderr
    _check_after(populated, out, private_tmp, signum, done, tmp_path)


def test_eight_commands_at_once_after_a_crash(populated: Path, private_tmp: Path, tmp_path: Path) -> None:
    killed = qms(populated, *_args("new", tmp_path), QMS_CRASH_AT="prepared")
    assert killed.returncode == -signal.SIGKILL
    plan = str(tmp_path / "plan.xlsx")
    runs = [["new", "plan", "--data", plan, "--json"]] * 3 + [["release", SIGNED, "--json"]] + \
           [["list", "--json"], ["show", EFFECTIVE, "--json"], ["pending", "--json"], ["log", "--verify"]]
    procs = [spawn(populated, *args, tmpdir=private_tmp, QMS_BUSY_TIMEOUT="120") for args in runs]
    outputs = [p.communicate(timeout=HANG) for p in procs]
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]
    for args, (code, _, err) in zip(runs, results):
        assert code == 0, (args, err)
        assert [line for line in err.splitlines() if not line.startswith("Warning: ")] == [], (args, err)
    numbers = sorted(json.loads(out)["doc_no"] for _, out, _ in results[:3])
    assert numbers == ["HO-JZ-KP-2026-003", "HO-JZ-KP-2026-004", "HO-JZ-KP-2026-005"]
    assert sorted(private_tmp.iterdir()) == []
    verified(populated)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) is not installed; CI installs libreoffice-writer-nogui")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_export_pdf_stopped_while_libreoffice_converts(populated: Path, private_tmp: Path, tmp_path: Path,
                                                       signum: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = qms(populated, "export", "--pdf", "-o", str(out / "package.zip"), tmpdir=private_tmp,
               QMS_CRASH_AT="converting", QMS_CRASH_SIGNAL=signal.Signals(signum).name[3:])
    assert done.returncode == (-signal.SIGKILL if signum == signal.SIGKILL else 143), done.stderr
    # LibreOffice and its watchdog end on their own once qms is gone; the test only waits for them.
    wait_gone(processes_mentioning(str(private_tmp)))
    assert processes_mentioning(str(private_tmp)) == []
    assert sorted(private_tmp.iterdir()) == []
    assert sorted(out.iterdir()) == []
    assert inside_leftovers(populated) == []
    verified(populated)


def test_repair_removes_the_temporary_of_a_view_a_killed_command_was_writing(populated: Path) -> None:
    folder = populated / "documents" / EFFECTIVE
    left = folder / f".{EFFECTIVE}_1.0.docx.qms-tmp-0123456789abcdef0123456789abcdef"
    left.write_bytes(b"half a file")
    result = cli("--records", str(populated), "repair", "--by", "Admin", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"documents/{EFFECTIVE}/{left.name}: removed (left by a command that was stopped)\n"
    assert not left.exists()
    assert inside_leftovers(populated) == []

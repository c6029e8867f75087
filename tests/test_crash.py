"""SIGKILL in the middle of a command: the register and the files stay consistent, the next command works.

``QMS_CRASH_AT`` makes qms kill itself at a named point (see qmsdocs/faults.py), so every moment
between staging the files and putting them in place is hit on purpose, not by chance.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qmsdocs import audit, lifecycle
from qmsdocs.files import sha256_file
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"
KILLS_PER_CASE = 4


def _qms(records: Path, args: list[str], crash_at: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("QMS_CRASH_AT", None)
    if crash_at:
        env["QMS_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(records), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def _effective(ws: Workspace, plan: Path) -> None:
    lifecycle.new(ws, "plan", plan)
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        lifecycle.sign(ws, DOC, role, name)
    lifecycle.release(ws, DOC)


def _signed_draft(ws: Workspace, plan: Path) -> None:
    _effective(ws, plan)
    lifecycle.revise(ws, DOC, "CR-0", "Wang", "prepared")
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        lifecycle.sign(ws, DOC, role, name)


def assert_consistent(records: Path) -> None:
    """The register opens, its trail is intact, every registered file is there with its hash."""
    ws = Workspace.open(records)  # also recovers what a killed command left
    try:
        assert audit.verify(ws.conn) == []
        for doc in lifecycle.list_documents(ws)["documents"]:
            for rev in lifecycle.show(ws, doc["doc_no"])["revisions"]:
                assert Path(rev["path"]).is_file(), rev["path"]
                assert sha256_file(Path(rev["path"])) == rev["sha256"]
        for row in ws.conn.execute("SELECT path, sha256 FROM copies"):
            assert sha256_file(records / row[0]) == row[1]
    finally:
        ws.close()
    leftovers = [p for p in records.rglob("*") if p.name.endswith((".tmp", ".json")) or p.name.startswith(".qms-")]
    assert leftovers == []
    visible = [p for p in (records / "documents").rglob("*.docx")] if (records / "documents").exists() else []
    ws = Workspace.open(records)
    registered = {Path(r[0]).name for r in ws.conn.execute("SELECT path FROM revisions")}
    ws.close()
    assert {p.name for p in visible if not p.name.endswith("_revision-log.docx")} <= registered


CASES = {
    "new": (None, lambda plan, out: ["new", "plan", "--data", str(plan)]),
    "revise": (_effective, lambda plan, out: ["revise", DOC, "--change-no", "CR-X", "--by", "W", "--summary", "s",
                                              "--data", str(plan)]),
    "release": (_signed_draft, lambda plan, out: ["release", DOC]),
    "copies": (_effective, lambda plan, out: ["copies", "issue", DOC, "--holder", "H", "--count", "2"]),
    "export": (_effective, lambda plan, out: ["export", "-o", str(out)]),
}
POINTS = {"new": ("staged", "prepared", "committed", "place"),
          "revise": ("staged", "prepared", "committed", "place"),
          "release": ("staged", "prepared", "committed", "place"),
          "copies": ("prepared", "committed", "place"),
          "export": ("write-atomic",)}


@pytest.mark.parametrize("command, point", [(c, p) for c in CASES for p in POINTS[c]])
def test_killed_command_leaves_a_consistent_workspace(ws: Workspace, records: Path, plan_xlsx: Path,
                                                      tmp_path: Path, command: str, point: str) -> None:
    setup, args = CASES[command]
    if setup:
        setup(ws, plan_xlsx)
    ws.close()
    out = tmp_path / "package.zip"
    for _ in range(KILLS_PER_CASE):
        result = _qms(records, args(plan_xlsx, out), point)
        assert result.returncode == -signal.SIGKILL, result.stderr
        assert_consistent(records)
        committed = point in ("committed", "place")
        if committed and command in ("revise", "release"):
            break  # the command took effect; doing it again is refused by a rule, as it should be
    assert not out.exists()
    again = _qms(records, args(plan_xlsx, out), None)
    if command in ("revise", "release") and point in ("committed", "place"):
        assert again.returncode == 1, again.stderr  # it had already happened
    else:
        assert again.returncode == 0, again.stderr
    assert_consistent(records)
    if command == "new":
        ws2 = Workspace.open(records)
        numbers = [d["doc_no"] for d in lifecycle.list_documents(ws2)["documents"]]
        ws2.close()
        expected = KILLS_PER_CASE + 1 if point in ("committed", "place") else 1
        assert numbers == [f"HO-JZ-KP-2026-{n:03d}" for n in range(1, expected + 1)]

"""Progress of long work: the library's callbacks, and the bars the command line draws only on a terminal."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qmsdocs.working_copies import new_with_outputs
from click.testing import CliRunner

from conftest import ROOT
from qmsdocs import cli as cli_module
from qmsdocs import lifecycle
from qmsdocs.cli import cli
from qmsdocs.export import export
from qmsdocs.workspace import Workspace

SCORES = ROOT / "records" / "scores.xlsx"
PLAN = ROOT / "records" / "plan.xlsx"
STAFF = 13  # people in the sample scores workbook


def qms(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _released_plan(records: Path) -> None:
    for args in (["new", "plan", "--data", str(PLAN)],
                 ["sign", "HO-JZ-KP-2026-001", "--role", "compile", "--name", "A"],
                 ["sign", "HO-JZ-KP-2026-001", "--role", "review", "--name", "B"],
                 ["sign", "HO-JZ-KP-2026-001", "--role", "approve", "--name", "C"],
                 ["release", "HO-JZ-KP-2026-001"]):
        assert qms("--records", str(records), *args).exit_code == 0


def test_split_announces_the_documents_then_counts_each(ws: Workspace, tmp_path: Path) -> None:
    calls: list[tuple[Any, ...]] = []
    result = new_with_outputs(ws, "scores", SCORES, split=str(tmp_path / "split"),
                           progress=lambda *args: calls.append(args))
    assert calls == [(0, STAFF)] + [(1,)] * STAFF
    assert len(result["split"]) == STAFF


def test_no_progress_without_split(ws: Workspace) -> None:
    calls: list[tuple[Any, ...]] = []
    new_with_outputs(ws, "scores", SCORES, progress=lambda *args: calls.append(args))
    assert calls == []



def test_split_without_a_terminal_prints_nothing_on_stderr(records: Path, tmp_path: Path) -> None:
    result = qms("--records", str(records), "new", "scores", "--data", str(SCORES), "--split", str(tmp_path / "split"))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert len(list((tmp_path / "split").glob("*.docx"))) == STAFF



class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_module._progress("Writing --split documents") as progress:
        assert progress is not None
        progress(0, 3)
        for _ in range(3):
            progress(1)
    assert "Writing --split documents" in terminal.getvalue()
    assert "100%" in terminal.getvalue()


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with cli_module._progress("Writing --split documents") as progress:
        assert progress is None


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_split_on_a_terminal_shows_the_bar(records: Path, tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--records", str(records), "new", "scores",
                               "--data", str(SCORES), "--split", str(tmp_path / "split")],
                              stdout=subprocess.PIPE, stderr=follower, env=dict(os.environ), timeout=120)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert done.returncode == 0
    assert b"Writing --split files" in shown
    assert b"Created HO-JZ-PF-2026-001" in done.stdout

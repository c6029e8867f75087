"""Every path a user types, when it cannot be used, is one Error: line naming it: never a traceback.

Each command that reads or writes a path the user gives runs against four bad paths: a folder
that exists but takes no files (/proc), a folder below it that does not exist, a missing folder
in the working directory and a path that runs through a file.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, sign_all
from qmsdocs import lifecycle, maintenance
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

PLAN, SCORES = "HO-JZ-KP-2026-001", "HO-JZ-PF-2026-001"
ROOT = Path(__file__).resolve().parent.parent
SCORES_XLSX = str(ROOT / "records" / "scores.xlsx")

#: The bad paths, ``{n}`` standing for the file or folder name each command expects.
BAD = {"proc": "/proc/{n}", "below-proc": "/proc/nope/{n}", "missing": "missing/deeper/{n}",
       "through-a-file": "afile/{n}"}

#: Outputs: option, then the command line with ``{p}`` for the bad path.
OUTPUTS = {
    "sheet -o": ("-o", ["sheet", "plan", "-o", "{p}"], "x.xlsx"),
    "new --xlsx": ("--xlsx", ["new", "scores", "--data", SCORES_XLSX, "--xlsx", "{p}"], "r.xlsx"),
    "new --split": ("--split", ["new", "scores", "--data", SCORES_XLSX, "--split", "{p}"], "d"),
    "list --xlsx": ("--xlsx", ["list", "--xlsx", "{p}"], "l.xlsx"),
    "revlog -o": ("-o", ["revlog", PLAN, "-o", "{p}"], "x.docx"),
    "export -o": ("-o", ["export", "-o", "{p}"], "e.zip"),
    "results --xlsx": ("--xlsx", ["results", SCORES, "--xlsx", "{p}"], "r.xlsx"),
    "split --to": ("--to", ["split", SCORES, "--to", "{p}"], "d"),
    "backup -o": ("-o", ["backup", "-o", "{p}"], "b.zip"),
}
OUTPUT_ERRORS = {
    "proc": "Error: {opt} /proc/{n}: cannot write: no such file or directory (ENOENT)",
    "below-proc": "Error: {opt} /proc/nope/{n}: the folder /proc/nope does not exist",
    "missing": "Error: {opt} missing/deeper/{n}: the folder {cwd}/missing/deeper does not exist",
    "through-a-file": "Error: {opt} afile/{n}: {cwd}/afile is a file, not a folder",
}

#: Inputs: the command line with ``{p}`` for the bad path, and the file name.
INPUTS = {
    "new --data": (["new", "plan", "--data", "{p}"], "x.xlsx", "no such file"),
    "revise --data": (["revise", PLAN, "--change-no", "C1", "--by", "Wang Jianguo", "--summary", "s", "--data", "{p}",
                       "--password-stdin"], "x.xlsx", "no such file"),
    "update --data": (["update", SCORES, "--data", "{p}"], "x.xlsx", "no such file"),
    "verify": (["verify", "{p}"], "v.docx", "no such file"),
    "log --witness": (["log", "--verify", "--witness", "{p}"], "w.txt", "no such file"),
    "restore FILE": (["restore", "{p}", "restored"], "b.zip", "no such file"),
    "template check": (["template", "check", "{p}", "--type", "plan"], "t.docx", "no such template file"),
}

#: Folders a command creates (missing parents included): ``{p}`` for the bad path.
CREATED = {
    "init": ["init", "{p}"],
    "restore DIR": ["restore", "b.zip", "{p}"],
    "demo --out": ["demo", "--out", "{p}"],
    "demo --samples": ["demo", "--samples", "{p}"],
}
CREATED_ERRORS = {
    "proc": "Error: /proc/{n}: no such file or directory (ENOENT)",
    "below-proc": "Error: /proc/nope/{n} (at /proc/nope): no such file or directory (ENOENT)",
    "through-a-file": "Error: afile/{n}: not a directory (ENOTDIR)",
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, _roster_template: Path) -> Path:
    """Return a folder with a workspace ``ws`` (a released plan, a draft score sheet), a backup and a file."""
    import shutil

    base = tmp_path_factory.mktemp("paths")
    shutil.copytree(_roster_template, base / "ws")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_TODAY", "2026-11-20")
        ws = Workspace.open(base / "ws", write=True)
        try:
            lifecycle.new(ws, "plan", ROOT / "records" / "plan.xlsx")
            sign_all(ws, PLAN)
            lifecycle.release(ws, PLAN)
            assert lifecycle.new(ws, "scores", SCORES_XLSX)["doc_no"] == SCORES
            maintenance.backup(ws, base / "b.zip")
        finally:
            ws.close()
    (base / "afile").write_text("a file, not a folder\n", encoding="utf-8")
    return base


def _run(base: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]):
    monkeypatch.chdir(base)
    return CliRunner().invoke(cli, ["--records", "ws", *args], input=f"{PASSWORD}\n", catch_exceptions=False)


def _one_error(result) -> str:
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", OUTPUTS)
def test_a_bad_output_path_is_one_error_line(prepared: Path, monkeypatch: pytest.MonkeyPatch,
                                             command: str, kind: str) -> None:
    option, args, name = OUTPUTS[command]
    path = BAD[kind].format(n=name)
    result = _run(prepared, monkeypatch, [a.replace("{p}", path) for a in args])
    assert result.exit_code == 2, result.output
    assert _one_error(result) == OUTPUT_ERRORS[kind].format(opt=option, n=name, cwd=prepared.resolve())


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", INPUTS)
def test_a_bad_input_path_is_one_error_line(prepared: Path, monkeypatch: pytest.MonkeyPatch,
                                            command: str, kind: str) -> None:
    args, name, cause = INPUTS[command]
    path = BAD[kind].format(n=name)
    result = _run(prepared, monkeypatch, [a.replace("{p}", path) for a in args])
    assert result.exit_code == 2, result.output
    if kind == "through-a-file" and cause == "no such file":
        cause += " (a folder on the way is a file)"
    assert _one_error(result) == f"Error: {path}: {cause}"


@pytest.mark.parametrize("kind", CREATED_ERRORS)
@pytest.mark.parametrize("command", CREATED)
def test_a_folder_that_cannot_be_made_is_one_error_line(prepared: Path, monkeypatch: pytest.MonkeyPatch,
                                                        command: str, kind: str) -> None:
    path = BAD[kind].format(n="new")
    result = _run(prepared, monkeypatch, [a.replace("{p}", path) for a in CREATED[command]])
    assert result.exit_code == 2, result.output
    assert _one_error(result) == CREATED_ERRORS[kind].format(n="new")


@pytest.mark.parametrize("command", ["init", "restore DIR", "demo --samples"])
def test_missing_parent_folders_of_a_new_folder_are_made(tmp_path: Path, prepared: Path,
                                                         monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    import shutil

    shutil.copy2(prepared / "b.zip", tmp_path / "b.zip")
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{p}", "missing/deeper/new") for a in CREATED[command]]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "missing" / "deeper" / "new").is_dir()


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_workspace_path_is_one_error_line(prepared: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    path = BAD[kind].format(n="ws")
    monkeypatch.chdir(prepared)
    result = CliRunner().invoke(cli, ["--records", path, "list"], catch_exceptions=False)
    assert result.exit_code == 2
    assert _one_error(result) == f"Error: {path}: not a qmsdocs workspace; create one with: qms init {path}"


def test_a_refused_output_leaves_no_probe_behind(prepared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sorted(p.name for p in prepared.iterdir())
    result = _run(prepared, monkeypatch, ["sheet", "plan", "-o", "afile/x.xlsx"])
    assert result.exit_code == 2
    result = _run(prepared, monkeypatch, ["sheet", "plan", "-o", "exists-now.xlsx"])
    assert result.exit_code == 0, result.output
    (prepared / "exists-now.xlsx").unlink()
    assert sorted(p.name for p in prepared.iterdir()) == before

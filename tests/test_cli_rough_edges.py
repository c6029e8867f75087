"""What a user meets at the command line: outputs never replaced without --force, one verify line,
forgiving document numbers, and a warning for a workbook used twice."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, sign_all
from qmsdocs import lifecycle
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

PLAN, SCORES = "HO-JZ-KP-2026-001", "HO-JZ-PF-2026-001"
ROOT = Path(__file__).resolve().parent.parent
SCORES_XLSX = str(ROOT / "records" / "scores.xlsx")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, _roster_template: Path) -> Path:
    """Return a workspace with an effective plan and a draft score sheet."""
    root = tmp_path_factory.mktemp("edges") / "ws"
    shutil.copytree(_roster_template, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QMS_TODAY", "2026-11-20")
        ws = Workspace.open(root, write=True)
        try:
            lifecycle.new(ws, "plan", ROOT / "records" / "plan.xlsx")
            sign_all(ws, PLAN)
            lifecycle.release(ws, PLAN)
            assert lifecycle.new(ws, "scores", SCORES_XLSX)["doc_no"] == SCORES
        finally:
            ws.close()
    return root


@pytest.fixture
def records(prepared: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(prepared, root)
    return root


def qms(records: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["--records", str(records), *args], input=stdin, catch_exceptions=False)


#: Each command with a file output: the option, the command line with {p} for the file.
FILE_OUTPUTS = {
    "sheet -o": ("-o", ["sheet", "plan", "-o", "{p}"]),
    "new --xlsx": ("--xlsx", ["new", "scores", "--data", SCORES_XLSX, "--xlsx", "{p}"]),
    "list --xlsx": ("--xlsx", ["list", "--xlsx", "{p}"]),
    "revlog -o": ("-o", ["revlog", PLAN, "-o", "{p}"]),
    "export -o": ("-o", ["export", "-o", "{p}"]),
    "results --xlsx": ("--xlsx", ["results", SCORES, "--xlsx", "{p}"]),
    "backup -o": ("-o", ["backup", "-o", "{p}"]),
}
SUFFIX = {"-o": {"sheet": ".xlsx", "revlog": ".docx", "export": ".zip", "backup": ".zip"}}


def _out(tmp_path: Path, command: str) -> Path:
    word = command.split()[0]
    return tmp_path / f"out{SUFFIX['-o'].get(word, '.xlsx') if command.endswith('-o') else '.xlsx'}"


@pytest.mark.parametrize("command", FILE_OUTPUTS)
def test_an_existing_output_file_is_kept_unless_force(records: Path, tmp_path: Path, command: str) -> None:
    option, args = FILE_OUTPUTS[command]
    out = _out(tmp_path, command)
    out.write_bytes(b"mine")
    argv = [a.replace("{p}", str(out)) for a in args]
    refused = qms(records, *argv)
    assert refused.exit_code == 2, refused.output
    assert refused.stderr == f"Error: {option} {out}: exists; give --force to replace it\n"
    assert out.read_bytes() == b"mine"
    done = qms(records, *argv, "--force")
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("argv", [["split", SCORES, "--to", "{d}"],
                                  ["new", "scores", "--data", SCORES_XLSX, "--split", "{d}"]],
                         ids=["split --to", "new --split"])
def test_an_existing_working_copy_is_kept_unless_force(records: Path, tmp_path: Path, argv: list[str]) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    doc = SCORES if argv[0] == "split" else "HO-JZ-PF-2026-002"
    mine = folder / f"{doc}_KF001.docx"
    mine.write_bytes(b"mine")
    args = [a.replace("{d}", str(folder)) for a in argv]
    refused = qms(records, *args)
    if argv[0] == "split":
        assert refused.exit_code == 2
        assert refused.stderr == (f"Error: --to {folder}: already holds {mine.name}; give --force to replace them\n")
    else:  # the document is registered; the working copies are a warning naming the command that makes them
        assert refused.exit_code == 0
        assert f"Warning: {doc} is registered, but the per-person files were not written (--split {folder}: " \
               f"already holds {mine.name}; give --force to replace them)" in refused.stderr
    assert mine.read_bytes() == b"mine"
    done = qms(records, "split", doc, "--to", str(folder), "--force")
    assert done.exit_code == 0, done.output
    assert mine.read_bytes()[:2] == b"PK"


def test_verify_says_it_once_on_stdout(records: Path, tmp_path: Path) -> None:
    effective = next((records / "documents" / PLAN).glob(f"{PLAN}_1.0*.docx"))
    good = qms(records, "verify", str(effective))
    assert good.exit_code == 0, good.output
    assert good.stderr == ""
    assert len(good.stdout.splitlines()) == 1 and good.stdout.startswith("OK: ")
    altered = tmp_path / "altered.docx"
    data = effective.read_bytes()
    altered.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    bad = qms(records, "verify", str(altered))
    assert bad.exit_code == 1
    assert bad.stderr == ""
    assert len(bad.stdout.splitlines()) == 1 and bad.stdout.startswith("NOT OK: ")


@pytest.mark.parametrize("command", [["show", "{n}"], ["revlog", "{n}"], ["copies", "issue", "{n}", "--holder", "A"]])
@pytest.mark.parametrize("given", [" ho-jz-kp-2026-001 ", "HO-JZ-KP-2026-001", "\tHo-Jz-Kp-2026-001"])
def test_document_numbers_ignore_case_and_surrounding_space(records: Path, command: list[str], given: str) -> None:
    result = qms(records, *[a.replace("{n}", given) for a in command])
    assert result.exit_code == 0, result.output
    assert PLAN in result.stdout


@pytest.mark.parametrize(("given", "message"), [
    ("HO-JZ-KP-2026-01", "unknown document HO-JZ-KP-2026-01; did you mean HO-JZ-KP-2026-001 or HO-JZ-PF-2026-001?"),
    ("HO-JZ-PF-2026-1", "unknown document HO-JZ-PF-2026-1; did you mean HO-JZ-PF-2026-001 or HO-JZ-KP-2026-001?"),
    (" HO-JZ-KP-2026-002 ", "unknown document HO-JZ-KP-2026-002; did you mean HO-JZ-KP-2026-001 or "
                            "HO-JZ-PF-2026-001?"),
    ("XYZ", "unknown document XYZ; see: qms list"),
])
@pytest.mark.parametrize("command", [["show", "{n}"], ["revlog", "{n}"], ["sign", "{n}", "--role", "compile",
                                                                          "--name", "Wang Jianguo"]])
def test_unknown_document_numbers_suggest_the_nearest(records: Path, command: list[str], given: str,
                                                      message: str) -> None:
    result = qms(records, *[a.replace("{n}", given) for a in command], stdin=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"


def test_a_second_document_from_the_same_workbook_names_the_first(records: Path, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.xlsx"
    shutil.copy2(SCORES_XLSX, copy)
    result = qms(records, "new", "scores", "--data", str(copy))
    assert result.exit_code == 0, result.output
    assert result.stderr == ("Warning: renamed.xlsx: this workbook was already used for HO-JZ-PF-2026-001; "
                             "this makes a second document from it\n")
    fresh = qms(records, "new", "plan", "--data", str(tmp_path / "other.xlsx"))
    assert fresh.exit_code == 2  # (no such file: nothing to compare)

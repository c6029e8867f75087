"""The qms command line: options, JSON shapes, exit codes and error lines; results read back via the library."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import ROOT, tree_digest
from qmsdocs import lifecycle
from qmsdocs import reports
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def qms(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def qms_json(*args: str) -> dict:
    result = qms(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_init_then_refuse_a_second_init(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    first = qms("init", str(target), "--company", "Hong'ou", "--lang", "en", "--json")
    assert first.exit_code == 0
    assert json.loads(first.stdout)["records"] == str(target.resolve())
    before = tree_digest(target)
    again = qms("init", str(target))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {target}: already a qmsdocs workspace; its register is never overwritten\n"
    assert tree_digest(target) == before
    ws = Workspace.open(target, write=True)
    assert (ws.config.company, ws.config.language) == ("Hong'ou", "en")
    ws.close()


def test_not_a_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    result = qms("--records", str(tmp_path / "nowhere"), "list")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nowhere'}: not a qmsdocs workspace; create one with: " \
                            f"qms init {tmp_path / 'nowhere'}\n"


def test_records_resolution_env_then_default(records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert qms("list", env={"QMS_RECORDS": str(records)}).exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert qms("list").exit_code == 2  # ./records does not exist here
    (tmp_path / "records").symlink_to(records)
    assert qms("list", "--json").stdout == '{"documents": []}\n'



def test_master_list_workbook(records: Path, plan_xlsx: Path, tmp_path: Path) -> None:
    qms("--records", str(records), "new", "plan", "--data", str(plan_xlsx))
    out = tmp_path / "master.xlsx"
    result = qms_json("--records", str(records), "list", "--xlsx", str(out), "--json")
    assert result["xlsx"] == str(out.resolve())
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "Hong'ou Display — Master list of controlled documents (as of 2026-11-20)"
    assert [c.value for c in sheet[2]] == ["Document No.", "Title", "Type", "Version", "Status", "Effective date",
                                           "Change No.", "Approved by", "Next review", "Open draft", "Compiled by"]
    assert [c.value for c in sheet[3]][:5] == [DOC, "Evaluation plan Q4", "Evaluation plan", "1.0", "Draft"]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:K3"
    assert sheet.print_title_rows == "$2:$2"
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == \
        ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


@pytest.mark.parametrize("args, code, stderr", [
    (["sign", DOC, "--role", "compile", "--name", "W", "--date", "2026-13-40"], 2,
     "Error: --date: '2026-13-40' is not a date written as YYYY-MM-DD\n"),
    (["sign", "HO-X-1", "--role", "compile", "--name", "W"], 2, "Error: unknown document HO-X-1; see: qms list\n"),
    (["release", DOC], 1, f"Error: cannot release {DOC} 1.0: missing signatures: compile, review, approve\n"),
    (["new", "plan", "--data", "missing.xlsx"], 2, "Error: missing.xlsx: no such file\n"),
    (["new", "plan", "--data", "PLAN", "--title", "a\x01b"], 2,
     "Error: option --title: control character U+0001 at position 2 is not allowed (remove it and try again)\n"),
    (["new", "plan", "--data", "PLAN", "--xlsx", "r.xlsx"], 2, "Error: option --xlsx is not for plan documents\n"),
])
def test_errors_are_one_line_with_the_exit_code(records: Path, plan_xlsx: Path, args, code, stderr) -> None:
    qms("--records", str(records), "new", "plan", "--data", str(plan_xlsx))
    before = tree_digest(records)
    result = qms("--records", str(records), *[str(plan_xlsx) if a == "PLAN" else a for a in args])
    assert (result.exit_code, result.stderr) == (code, stderr)
    assert result.stdout == ""
    assert tree_digest(records) == before



def test_data_errors_all_reported_together(records: Path, tmp_path: Path) -> None:
    from conftest import write_plan

    bad = write_plan(tmp_path / "bad.xlsx", fields={"start": "soon", "purpose": None},
                     indicators=[["Q1", "x", "quant", "process", 10, None, None, None, "check"]])
    result = qms("--records", str(records), "new", "plan", "--data", str(bad))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {bad}, sheet Plan, row 4, column purpose: is empty; expected text",
        f"Error: {bad}, sheet Plan, row 7, column start: soon is not a date written as YYYY-MM-DD",
        f"Error: {bad}, sheet Indicators, row 2, column kind: quant is not one of quantitative, qualitative (定量, 定性)",
    ]


def test_blank_workbook_has_headers_in_the_workspace_language(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    assert qms("--records", str(records), "sheet", "plan", "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Instructions", "Plan", "Indicators", "Schedule", "Evaluators"]
    assert [c.value for c in wb["Indicators"][1]] == ["Code", "Name", "Kind", "Dimension", "Weight", "Metric",
                                                      "Target", "Limit", "Method"]
    assert [r[0].value for r in wb["Plan"].iter_rows(min_row=2)][:3] == ["Title", "Period", "Purpose"]
    validations = {str(dv.sqref): dv.formula1 for dv in wb["Indicators"].data_validations.dataValidation}
    assert validations["C2:C5000"] == '"Quantitative,Qualitative"'


def test_python_cli_py_does_the_same(records: Path) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--records", str(records), "list", "--json"],
                         capture_output=True, text=True, check=False)
    assert (out.returncode, out.stdout) == (0, '{"documents": []}\n')


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys; from qmsdocs.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('docx', 'docxtpl', 'openpyxl', 'matplotlib', 'lxml', 'jinja2') if m in sys.modules]\n"
            "print('HEAVY:' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"



"""A user's own template: unknown and missing placeholders are found before anyone relies on it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
from click.testing import CliRunner

from conftest import ROOT
from qmsdocs import lifecycle
from qmsdocs import reports
from qmsdocs.cli import cli
from qmsdocs.errors import ReadbackError, TemplateError
from qmsdocs.workspace import Workspace


def _edit(src: Path, dest: Path, old: str, new: str) -> Path:
    """Copy a template, replacing text inside one paragraph as a user would in Word."""
    document = docx.Document(src)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
    document.save(dest)
    return dest


def test_shipped_templates_pass() -> None:
    for kind in ("plan", "revlog"):
        result = CliRunner().invoke(cli, ["template", "check", str(ROOT / "templates" / f"{kind}.docx"), "--type",
                                          kind, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ok"] is True


def test_unknown_and_missing_placeholders(tmp_path: Path) -> None:
    mine = _edit(ROOT / "templates" / "plan.docx", tmp_path / "mine.docx", "{{ plan.purpose }}",
                 "{{ plan.purpos }}")
    result = CliRunner().invoke(cli, ["template", "check", str(mine), "--type", "plan"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{mine}: problems", "  unknown placeholder: plan.purpos",
                                          "  missing placeholder: plan.purpose"]


def test_workspace_uses_its_own_template(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    shutil.copy(ROOT / "templates" / "plan.docx", records / "own.docx")
    _edit(records / "own.docx", records / "own.docx", "{{ L.purpose }}", "Our purpose")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "own.docx"\n')  # the [templates] table is the file's last
    ws = Workspace.open(records, write=True)
    document = docx.Document(lifecycle.new(ws, "plan", plan_xlsx)["path"])
    ws.close()
    assert "1 Our purpose" in [p.text for p in document.paragraphs]


def test_a_template_that_drops_a_value_is_refused(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    _edit(ROOT / "templates" / "plan.docx", records / "own.docx", "{{ plan.scope }}", "")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "own.docx"\n')
    ws = Workspace.open(records, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        raise AssertionError("rendered without the scope")
    except ReadbackError as exc:
        assert str(exc) == ("HO-JZ-KP-2026-001: the rendered document lacks 'All customer-service staff.'; nothing "
                            "was registered (check the template shows every field)")
    assert reports.list_documents(ws) == {"documents": []}
    ws.close()


def test_sandbox_refuses_injection(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    _edit(ROOT / "templates" / "plan.docx", records / "evil.docx", "{{ plan.scope }}",
          "{{ plan.scope }}{{ ''.__class__.__mro__ }}")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "evil.docx"\n')
    ws = Workspace.open(records, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        raise AssertionError("the sandbox let it through")
    except TemplateError as exc:
        assert "refused by the template sandbox" in str(exc)
        assert "__class__" in str(exc)
    ws.close()

"""The revision log document: every revision with who changed it, who approved it and when."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from conftest import PASSWORD, sign

from qmsdocs import lifecycle
from qmsdocs.errors import UsageError
from qmsdocs.revlog import write_log
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _release(ws: Workspace, date: str) -> None:
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        sign(ws, DOC, role, name, date=date)
    lifecycle.release(ws, DOC, effective=date)


def test_log_lists_every_revision(ws: Workspace, plan_xlsx: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    _release(ws, "2026-11-20")
    monkeypatch.setenv("QMS_TODAY", "2026-11-25")
    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "Targets & <weights>", pages="4", password=PASSWORD)
    _release(ws, "2026-11-25")
    lifecycle.revise(ws, DOC, "CR-2", "Wang Jianguo", "Open draft", password=PASSWORD)
    result = write_log(ws, DOC, tmp_path / "log.docx")
    document = docx.Document(result["path"])
    rows = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert rows == [
        ["Version", "Status", "Change No.", "Changed by", "Pages", "Summary", "Effective date", "Approved by"],
        ["1.0", "Superseded", "", "Wang Jianguo", "All", "Initial issue", "2026-11-20", "Zhao Deming 2026-11-20"],
        ["1.1", "Effective", "CR-1", "Wang Jianguo", "4", "Targets & <weights>", "2026-11-25",
         "Zhao Deming 2026-11-25"],
        ["1.2", "Draft", "CR-2", "Wang Jianguo", "All", "Open draft", "", ""],
    ]
    info = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert info["Current version"] == "1.2 (Draft)"
    assert document.core_properties.subject == "revlog"
    header = [c.text for c in document.sections[0].header.tables[0].rows[0].cells[2:]]
    assert header == ["Document No.", DOC]


def test_default_path_is_beside_the_revisions(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    result = write_log(ws, DOC)
    assert Path(result["path"]) == (records / "documents" / DOC / f"{DOC}_revision-log.docx").resolve()


def test_unknown_document(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown document HO-X; see: qms list"):
        write_log(ws, "HO-X")

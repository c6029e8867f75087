"""The revision log document: every revision with who changed it, who approved it and when."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from qmsdocs import lifecycle
from qmsdocs.errors import UsageError
from qmsdocs.revlog import write_log
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _release(ws: Workspace, date: str) -> None:
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        lifecycle.sign(ws, DOC, role, name, date=date)
    lifecycle.release(ws, DOC, effective=date)


def test_log_lists_every_revision(ws: Workspace, plan_xlsx: Path, tmp_path: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    _release(ws, "2026-11-21")
    lifecycle.revise(ws, DOC, "CR-1", "Liu", "Targets & <weights>", pages="4")
    _release(ws, "2026-11-25")
    lifecycle.revise(ws, DOC, "CR-2", "Liu", "Open draft")
    result = write_log(ws, DOC, tmp_path / "log.docx")
    document = docx.Document(result["path"])
    rows = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert rows == [
        ["Version", "Status", "Change No.", "Changed by", "Pages", "Summary", "Effective date", "Approved by"],
        ["1.0", "Superseded", "", "Wang", "All", "Initial issue", "2026-11-21", "Zhao 2026-11-21"],
        ["1.1", "Effective", "CR-1", "Liu", "4", "Targets & <weights>", "2026-11-25", "Zhao 2026-11-25"],
        ["1.2", "Draft", "CR-2", "Liu", "All", "Open draft", "", ""],
    ]
    info = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert info["Current version"] == "1.1 (Effective)"
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

"""The revision log document: every revision with who changed it, who approved it and when."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from conftest import sign

from qmsdocs import lifecycle
from qmsdocs.errors import UsageError
from qmsdocs.revlog import write_log
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _release(ws: Workspace, date: str) -> None:
    for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
        sign(ws, DOC, role, name, date=date)
    lifecycle.release(ws, DOC, effective=date)



def test_default_path_is_beside_the_revisions(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    result = write_log(ws, DOC)
    assert Path(result["path"]) == (records / "documents" / DOC / f"{DOC}_revision-log.docx").resolve()


def test_unknown_document(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown document HO-X; see: qms list"):
        write_log(ws, "HO-X")

"""The status marks as an auditor reads them: superseded and obsolete files in the PDF LibreOffice makes."""
from __future__ import annotations

import re
from pathlib import Path

from conftest import PASSWORD, sign_all
from office import needs_libreoffice, pdf_text, to_pdf
from qmsdocs import lifecycle
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _pages(pdf: Path) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1]


@needs_libreoffice
def test_superseded_and_obsolete_files_print_their_marks_on_every_page(ws: Workspace, plan_xlsx: Path,
                                                                        tmp_path: Path) -> None:
    lifecycle.new(ws, "plan", plan_xlsx)
    sign_all(ws, DOC)
    lifecycle.release(ws, DOC)
    lifecycle.revise(ws, DOC, "CR-1", "Wang Jianguo", "scope widened", password=PASSWORD)
    sign_all(ws, DOC)
    lifecycle.release(ws, DOC)
    superseded = ws.root / "documents" / DOC / f"{DOC}_1.0.docx"
    superseded_copy = tmp_path / "superseded.docx"
    superseded_copy.write_bytes(superseded.read_bytes())
    lifecycle.obsolete(ws, DOC, "Admin", "replaced by the new procedure", password=PASSWORD)
    obsolete = ws.root / "documents" / DOC / f"{DOC}_1.1.docx"
    pdf_superseded, pdf_obsolete = to_pdf([superseded_copy, obsolete], tmp_path / "pdf")
    for pdf, mark in ((pdf_superseded, "SUPERSEDED"), (pdf_obsolete, "OBSOLETE")):
        pages = _pages(pdf)
        assert len(pages) >= 2
        for number, page in enumerate(pages, start=1):
            assert mark in page, f"{pdf.name} page {number} lacks {mark}"
            assert not re.search(r"\bCONTROLLED\b", page), f"{pdf.name} page {number} still prints CONTROLLED"

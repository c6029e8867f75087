"""LibreOffice as a real reader of framed bodies: the control header on every page, pages counted whole."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from office import needs_libreoffice, pdf_text, to_pdf
from lxml import etree

from qmsdocs.body.frame import frame_body
from qmsdocs.body.package import ENDNOTES, Package
from test_body_frame import CORPUS, FRAME, prepared

_PAGE = re.compile(r"页次\s*(\d+)\s*/\s*(\d+)")


@pytest.fixture(scope="module")
def pdf_pages(tmp_path_factory) -> dict[str, list[str]]:
    """Return the text of each PDF page of every framed body, converted in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("framed")
    files = []
    for path in CORPUS:
        target = folder / f"{path.stem}-{path.suffix[1:]}.docx"
        target.write_bytes(frame_body(prepared(path), FRAME, display=path.name))
        files.append(target)
    pdfs = to_pdf(files, folder / "pdf")
    return {f.name: pdf_text(pdf).split("\f")[:-1] for f, pdf in zip(files, pdfs)}


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("path", CORPUS, ids=[f"{p.parent.name}/{p.name}" for p in CORPUS])
def test_every_page_shows_the_document_number_and_its_page_of_the_whole(path: Path, pdf_pages) -> None:
    pages = pdf_pages[f"{path.stem}-{path.suffix[1:]}.docx"]
    assert len(pages) >= 2  # the cover, then the body
    total = len(pages)
    package = Package.read(prepared(path), path.name)
    document = etree.tostring(package.xml(package.main))
    if package.related(package.main, ENDNOTES) and b"endnoteReference" in document:
        # LibreOffice sets endnotes on a page style of their own after the body, without its
        # header; Word prints them at the end of the last section, under the control header.
        assert "QS-TQ-017" not in pages[-1]
        pages = pages[:-1]
    shown = []
    for number, text in enumerate(pages, start=1):
        assert "QS-TQ-017" in text, f"page {number} has no document number"
        assert "CONTROLLED" in text
        shown.append(tuple(map(int, _PAGE.findall(text)[0])))
    if b'w:val="oddPage"' in document or b'w:val="evenPage"' in document:
        # A section that must start on an odd (even) page gets a blank page LibreOffice counts
        # but leaves out of the PDF; the numbers still rise and count the whole document.
        assert [n for n, _ in shown] == sorted({n for n, _ in shown}) and shown[-1][0] == shown[-1][1]
    else:
        assert shown == [(number, total) for number in range(1, len(pages) + 1)]
    assert "客户服务体系考评管理办法" in pages[0] and "修订记录" in pages[0]

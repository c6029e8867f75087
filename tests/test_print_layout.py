"""Printed documents: numbers, dates, English words and the status mark survive LibreOffice's layout.

Each document type is converted twice: with the fonts of this machine, and with the Liberation fonts
hidden, as on a reader that lacks Times New Roman and Arial and falls back to a wider font.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from conftest import add_roster, sign_all
from office import needs_libreoffice, pdf_text, to_pdf
from qmsdocs import lifecycle, resources, workspace
from qmsdocs.revlog import write_log
from qmsdocs.workspace import Workspace

KINDS = ("plan", "minutes", "scores")
#: English label words that must print whole (never "MANAGEME / NT").
WORDS = ("MANAGEMENT", "DOCUMENT", "Countersigned", "Standardized", "Effective", "Document")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_LIBERATION = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><glob>*iberation*</glob></rejectfont></selectfont>
</fontconfig>
"""


def _documents(root: Path, language: str) -> dict[str, Path]:
    workspace.init(root, "Hong'ou Display Devices Co., Ltd.", "Technical Quality Department", language)
    add_roster(root)
    ws = Workspace.open(root, write=True)
    out = {}
    try:
        for kind in KINDS:
            doc_no = lifecycle.new(ws, kind, resources.sample_path(f"{kind}.xlsx"))["doc_no"]
            sign_all(ws, doc_no)
            out[kind] = Path(lifecycle.release(ws, doc_no)["path"])
        out["revlog"] = Path(write_log(ws, doc_no)["path"])
    finally:
        ws.close()
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], tuple[Path, Path]]:
    """Return (docx, pdf) by (language, fonts, kind), each kind converted with and without Liberation."""
    base = tmp_path_factory.mktemp("print")
    conf = base / "no-liberation.conf"
    conf.write_text(NO_LIBERATION, encoding="utf-8")
    out = {}
    for language in ("zh", "en"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("QMS_TODAY", "2026-11-20")
            docs = _documents(base / f"ws-{language}", language)
        for fonts, env in (("installed", None), ("fallback", dict(os.environ, FONTCONFIG_FILE=str(conf)))):
            pdfs = to_pdf(list(docs.values()), base / f"pdf-{language}-{fonts}", env)
            out.update({(language, fonts, kind): (docs[kind], pdf) for kind, pdf in zip(docs, pdfs)})
    return out


def _text_of(docx: Path) -> str:
    with zipfile.ZipFile(docx) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("fonts", ["installed", "fallback"])
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", [*KINDS, "revlog"])
def test_numbers_dates_and_words_print_on_one_line(printed, kind: str, language: str, fonts: str) -> None:
    docx, pdf = printed[(language, fonts, kind)]
    pages = [p for p in pdf_text(pdf).split("\f") if p.strip()]
    doc_no = re.search(r"HO-JZ-[A-Z]{2}-2026-\d{3}", docx.name).group(0)
    for number, page in enumerate(pages, start=1):
        # The page header: the whole number and the status mark on every page.
        assert doc_no in page, f"page {number}: {doc_no} broken or missing"
        assert "CONTROLLED" in page, f"page {number}: status mark missing"
        if language == "en":
            assert page.count("MANAGEMENT") >= 1, f"page {number}: MANAGEMENT broken"
    text = "".join(pages)
    for date in set(DATE.findall(_text_of(docx))):
        assert text.count(date) == _text_of(docx).count(date), f"{date} broken across lines"
    if language == "en" and kind != "revlog":
        for word in WORDS:
            assert word in pages[0], f"{word} broken on the cover"


@pytest.mark.parametrize("kind", [*KINDS, "revlog"])
def test_every_template_shows_the_status_mark_in_its_header(kind: str) -> None:
    with zipfile.ZipFile(resources.template_path(f"{kind}.docx")) as zf:
        headers = [n for n in zf.namelist() if re.fullmatch(r"word/header\d*\.xml", n)]
        assert headers
        for name in headers:
            assert "{{ frame.mark }}" in zf.read(name).decode("utf-8"), name
        if kind != "revlog":
            assert "{{ frame.mark }}" in zf.read("word/document.xml").decode("utf-8")

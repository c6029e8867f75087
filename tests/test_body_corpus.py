"""Real Word documents from other projects' test data, each put under control with ``new --body``."""
from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from office import SOFFICE, needs_libreoffice, to_pdf
from qmsdocs import lifecycle
from qmsdocs.body.convert import CONVERTIBLE
from qmsdocs.body.readback import body_paragraphs
from qmsdocs.workspace import Workspace

DATA = Path(__file__).parent / "data"
FOLDERS = ("bodies", "bodies-acceptance")
CORPUS = sorted(p for folder in FOLDERS for p in (DATA / folder).iterdir() if p.suffix != ".md")


def _params() -> list:
    out = []
    for path in CORPUS:
        marks = [pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) converts .doc, .odt and .rtf")] \
            if path.suffix in CONVERTIBLE else []
        out.append(pytest.param(path, id=path.name, marks=marks))
    return out


@pytest.mark.parametrize("folder", FOLDERS + ("bodies-refused",))
def test_every_file_of_the_corpus_has_its_source_and_licence(folder: str) -> None:
    notes = (DATA / folder / "SOURCES.md").read_text(encoding="utf-8")
    assert "Licence" in notes or "licence" in notes
    for path in (DATA / folder).iterdir():
        if path.suffix != ".md":
            assert path.name in notes, f"{path.name} is not in {folder}/SOURCES.md"


def _media(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return sorted(zf.read(n) for n in zf.namelist() if n.startswith("word/media/"))


def _register(ws: Workspace, path: Path) -> dict:
    return lifecycle.new(ws, "form", body=path, title=path.stem, accept_changes=True, drop_comments=True)


@pytest.mark.parametrize("path", _params())
def test_new_body_keeps_every_paragraph_and_picture(ws: Workspace, path: Path) -> None:
    import docx

    made = _register(ws, path)
    framed = Path(made["path"]).read_bytes()
    document = docx.Document(io.BytesIO(framed))
    assert document.core_properties.identifier == made["doc_no"]
    from qmsdocs import bundle as bundle_mod

    rev = ws.register.one("SELECT bundle_sha256 FROM revisions")
    body = ws.store.get(bundle_mod.load(ws.store, rev["bundle_sha256"]).input_sha256, "body")
    wanted = [t for t in body_paragraphs(body, path.name) if t.strip()]
    found = iter(body_paragraphs(framed, path.name))
    assert all(any(w == f for f in found) for w in wanted)
    assert _media(framed) == _media(body)


@needs_libreoffice
def test_every_page_of_every_framed_body_shows_its_number_in_pdf(ws: Workspace, tmp_path: Path) -> None:
    files = []
    for path in CORPUS:
        made = _register(ws, path)
        target = tmp_path / "docx" / f"{made['doc_no']}.docx"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(Path(made["path"]).read_bytes())
        files.append(target)
    for docx_file, pdf in zip(files, to_pdf(files, tmp_path / "pdf")):
        # Raw order keeps a header cell's lines together (a long number may wrap in its column).
        text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        pages = [p.replace("\n", "") for p in text.split("\f")[:-1]]
        assert len(pages) >= 2, docx_file.name
        notes = _endnotes(docx_file.read_bytes())
        for number, page in enumerate(pages, start=1):
            rest = page.replace(" ", "")
            for note in notes:
                rest = rest.replace(note, "")
            if len(rest) < len(page.replace(" ", "")) and len(rest) <= 4:  # the notes and their marks alone
                continue  # LibreOffice sets endnotes on a page style of its own, without the body's header
            assert docx_file.stem in page, f"{docx_file.name}: page {number} has no document number"


def _endnotes(data: bytes) -> list[str]:
    """Return the texts of the endnotes of a .docx."""
    from qmsdocs.body.package import Package
    from qmsdocs.body.readback import paragraph_texts

    package = Package.read(data, "framed")
    parts = [n for n in package.parts if n == "word/endnotes.xml"]
    return [t.replace(" ", "") for part in parts for t in paragraph_texts(package.xml(part)) if t.strip()]

"""A framed body as printed by LibreOffice: the header's number and every date on one line, the status
mark on every page in each state, and the copy number on every page of a numbered copy."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from conftest import PASSWORD, ROOT, sign_all, today_is
from office import needs_libreoffice, pdf_text, to_pdf
from qmsdocs import copies, lifecycle
from qmsdocs.kinds.body import get_file
from qmsdocs.workspace import Workspace

REGULATION = ROOT / "records" / "regulation.docx"
ODD_EVEN = Path(__file__).parent / "data" / "bodies" / "doc-odd-even-hdrs.docx"
TITLE = "Customer service evaluation regulation"
NUMBER = re.compile(r"HO-JZ-GL-2026-00\d")
MARKS = {"draft": "DRAFT", "approved": "APPROVED, EFFECTIVE", "effective": "CONTROLLED",
         "superseded": "SUPERSEDED", "obsolete": "OBSOLETE"}


def a4_narrow(source: Path, target: Path) -> Path:
    """Write ``source`` set on A4 with Word's Chinese default margins (3.17 cm): the narrowest usual text."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "word/document.xml":
                text = re.sub(r'<w:pgSz w:w="\d+" w:h="\d+"/>', '<w:pgSz w:w="11906" w:h="16838"/>', data.decode())
                text = re.sub(r'w:right="\d+"', 'w:right="1800"', re.sub(r'w:left="\d+"', 'w:left="1800"', text))
                data = text.encode()
            zout.writestr(name, data)
    return target


def _walk(ws: Workspace, body: Path, cover: str, key: str, out: Path, keep: tuple[str, ...]) -> list[Path]:
    """Take one body document through every state; return its file in each state of ``keep``."""
    doc = lifecycle.new(ws, "regulation", title=TITLE, body=body, cover=cover)["doc_no"]
    files = []

    def grab(state: str, version: str | None = None) -> None:
        if state in keep:
            files.append(out / f"{key}-{state}.docx")
            get_file(ws, doc, version, files[-1])

    grab("draft")
    sign_all(ws, doc)
    lifecycle.release(ws, doc, "2026-12-01")
    grab("approved")
    with today_is("2026-12-02"):
        grab("effective")
        if cover == "none":
            files.append(Path(copies.issue(ws, doc, "Line 2", 1)["copies"][0]["path"]))
        lifecycle.revise(ws, doc, f"CR-{key}", "Wang Jianguo", "scope widened", password=PASSWORD)
        sign_all(ws, doc)
        lifecycle.release(ws, doc)
        grab("superseded", "1.0")
        lifecycle.obsolete(ws, doc, "Admin", "replaced by the new procedure", password=PASSWORD)
        grab("obsolete", "1.1")
    return files


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Return the text of each PDF page of a framed body in each state, in one LibreOffice run."""
    import shutil

    from conftest import add_roster
    from qmsdocs import workspace

    folder = tmp_path_factory.mktemp("printed")
    root = folder / "ws"
    with today_is("2026-11-20"):
        workspace.init(root, "Hong'ou Display", "Technical Quality Dept.", "en")
        add_roster(root)
        ws = Workspace.open(root, write=True)
        try:
            files = _walk(ws, a4_narrow(REGULATION, folder / "regulation-a4.docx"), "standard", "cover", folder, tuple(MARKS))
            files += _walk(ws, ODD_EVEN, "none", "bare", folder, ("approved", "obsolete"))
        finally:
            ws.close()
    copy = [f for f in files if "-C" in f.stem][0]
    shutil.copy(copy, folder / "bare-copy.docx")
    files[files.index(copy)] = folder / "bare-copy.docx"
    pdfs = to_pdf(files, folder / "pdf")
    return {f.stem: pdf_text(pdf).split("\f")[:-1] for f, pdf in zip(files, pdfs)}


STATES = [("cover", state) for state in MARKS] + [("bare", "approved"), ("bare", "obsolete")]


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("key,state", STATES, ids=[f"{k}-{s}" for k, s in STATES])
def test_every_page_prints_the_status_mark_in_its_header(printed, key: str, state: str) -> None:
    pages = printed[f"{key}-{state}"]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        header = "\n".join(page.splitlines()[:6])
        assert MARKS[state] in header, f"{key}-{state} page {number} lacks {MARKS[state]} in its header"
        if state != "effective":
            assert "CONTROLLED" not in header.replace("UNCONTROLLED", "")


@pytest.mark.libreoffice
@needs_libreoffice
@pytest.mark.parametrize("key,state", STATES, ids=[f"{k}-{s}" for k, s in STATES])
def test_the_number_and_every_date_sit_on_one_line(printed, key: str, state: str) -> None:
    for number, page in enumerate(printed[f"{key}-{state}"], start=1):
        assert NUMBER.search(page), f"page {number} has no whole document number"
        for line in page.splitlines():
            for piece in re.findall(r"HO-JZ[-A-Z0-9]*", line):
                assert NUMBER.fullmatch(piece), f"page {number}: the number breaks: {line.strip()!r}"
            for piece in re.findall(r"(?<![-\w])20\d\d-[\d-]*", line):
                assert re.fullmatch(r"20\d\d-\d\d-\d\d", piece), f"page {number}: a date breaks: {line.strip()!r}"
            assert not re.search(r"(?<![\d-])-?\d\d-\d\d\b", line), f"page {number}: a date breaks: {line!r}"
        if state == "approved":
            assert "2026-12-01" in "\n".join(page.splitlines()[:6]), f"page {number}: no effective date in its header"


@pytest.mark.libreoffice
@needs_libreoffice
def test_a_numbered_copy_without_cover_prints_its_copy_number_on_every_page(printed) -> None:
    pages = printed["bare-copy"]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Copy No.: HO-JZ-GL-2026-002-C01" in page, f"page {number} lacks the copy number"
        assert "CONTROLLED" in page


def test_the_copy_number_is_in_the_header_of_a_copy_only(records: Path, ws: Workspace) -> None:
    doc = lifecycle.new(ws, "regulation", title=TITLE, body=ODD_EVEN, cover="none")["doc_no"]
    sign_all(ws, doc)
    lifecycle.release(ws, doc)
    issued = copies.issue(ws, doc, "Line 2", 1)["copies"][0]

    def headers(path: Path) -> str:
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
            return "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))

    assert "Copy No.: HO-JZ-GL-2026-001-C01" in headers(Path(issued["path"]))
    assert "Copy No." not in headers(ws.root / "documents" / doc / f"{doc}_1.0.docx")

"""Framing real Word bodies from other projects' test data: nothing of the body is lost or changed."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from qmsdocs.body.clean import clean_body
from qmsdocs.body.convert import CONVERTIBLE, convert_to_docx
from qmsdocs.body.frame import FRAME_HEADER, frame_body
from qmsdocs.body.inspect import inspect_body
from qmsdocs.body.package import Package, R_NS, w
from qmsdocs.body.readback import body_paragraphs, check_body_readback, paragraph_texts
from qmsdocs.frame import Frame, RevisionRow, Signature

DATA = Path(__file__).parent / "data"
BODIES = sorted(p for p in (DATA / "bodies").iterdir() if p.suffix != ".md")
ACCEPTANCE = sorted(p for p in (DATA / "bodies-acceptance").iterdir() if p.suffix != ".md")
CORPUS = BODIES + ACCEPTANCE
DOCX_CORPUS = [p for p in CORPUS if p.suffix == ".docx"]

FRAME = Frame(
    company="四川虹欧显示器件有限公司", department="技术质量部", language="zh", reference="GB/T 19001-2016",
    doc_no="QS-TQ-017", doc_type="regulation", title="客户服务体系考评管理办法", version="1.0",
    status="effective", created_on=dt.date(2024, 3, 1), release_date="2024-03-05", effective_date="2024-03-10",
    copy_no="C-01",
    signatures=(Signature("compile", "张三", "2024-03-01"), Signature("review", "王五", "2024-03-02"),
                Signature("approve", "李四", "2024-03-05")),
    history=(RevisionRow("1.0", "全部", "", "张三", "2024-03-10", "首次发布"),))
#: The paragraphs of the cover, before the body's first paragraph.
COVER_TEXTS = ["四川虹欧显示器件有限公司", "技术质量部 管理办法", "", "客户服务体系考评管理办法", "受控 CONTROLLED",
               "受控文件未经批准不得复制、打印", ""]
#: Parts the frame rewrites; every other part of the body must come out byte for byte.
REWRITTEN = ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/document.xml",
             "word/styles.xml", "docProps/core.xml", "docProps/custom.xml")


def prepared(path: Path) -> bytes:
    """Return the body as qms would frame it: converted to .docx, changes accepted, comments dropped."""
    data = convert_to_docx(path) if path.suffix in CONVERTIBLE else path.read_bytes()
    report = inspect_body(data, path.name)
    if report.tracked_changes or report.comments:
        data = clean_body(data, accept_changes=True, drop_comments=True)
    return data


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _needs_office(path: Path) -> list[pytest.MarkDecorator]:
    from office import SOFFICE

    if path.suffix in CONVERTIBLE:
        return [pytest.mark.libreoffice,
                pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) converts .doc, .odt and .rtf")]
    return []


CASES = [pytest.param(p, id=f"{p.parent.name}/{p.name}", marks=_needs_office(p)) for p in CORPUS]


@pytest.fixture(scope="module")
def framed_cache() -> dict[Path, tuple[bytes, bytes]]:
    return {}


def framed_pair(path: Path, cache: dict[Path, tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    if path not in cache:
        body = prepared(path)
        cache[path] = (body, frame_body(body, FRAME, display=path.name))
    return cache[path]


@pytest.mark.parametrize("path", CASES)
def test_framed_body_reopens_with_its_paragraphs_in_order(path: Path, framed_cache) -> None:
    import docx

    body, framed = framed_pair(path, framed_cache)
    document = docx.Document(io.BytesIO(framed))
    assert document.core_properties.identifier == "QS-TQ-017"
    assert document.core_properties.title == "客户服务体系考评管理办法"
    wanted = body_paragraphs(body)
    got = body_paragraphs(framed)
    assert got[:len(COVER_TEXTS)] == COVER_TEXTS
    assert got[len(got) - len(wanted):] == wanted  # the body, every paragraph, after the cover
    check_body_readback(framed, body, path.name)


@pytest.mark.parametrize("path", CASES)
def test_framing_keeps_every_other_part_byte_for_byte(path: Path, framed_cache) -> None:
    body, framed = framed_pair(path, framed_cache)
    before, after = parts(body), parts(framed)
    package = Package.read(body, path.name)
    headers = {package.resolve(package.main, r.target) for r in package.rels(package.main) if r.type.endswith("/header")}
    kept = [name for name in before if name not in REWRITTEN and name not in headers]
    assert kept, "a body has parts the frame leaves alone"
    assert {name: after.get(name) for name in kept} == {name: before[name] for name in kept}
    media = [name for name in before if name.startswith(("word/media/", "word/embeddings/"))]
    assert all(after[name] == before[name] for name in media)


def _sections(package: Package) -> list:
    body = package.xml(package.main).find(w("body"))
    found = [s for s in body.iter(w("sectPr")) if s.getparent().tag in (w("pPr"), w("body"))]
    return found if body.find(w("sectPr")) is not None else found + [None]


def _page(sect) -> dict[str, str]:
    size = sect.find(w("pgSz")) if sect is not None else None
    return dict(size.attrib) if size is not None else {}


@pytest.mark.parametrize("path", CASES)
def test_every_section_shows_the_control_header_above_its_own(path: Path, framed_cache) -> None:
    body, framed = framed_pair(path, framed_cache)
    original, package = Package.read(body, "body"), Package.read(framed, "framed")
    sections = _sections(package)
    own_sections = _sections(original)
    assert len(sections) == len(own_sections) + 1  # the cover's section, then the body's own
    for mine, theirs in zip(sections[1:], own_sections):
        assert _page(mine) == _page(theirs)  # page size and orientation kept
    targets = {r.id: package.resolve(package.main, r.target) for r in package.rels(package.main)}
    for sect in sections:
        refs = {ref.get(w("type")): targets[ref.get(f"{{{R_NS}}}id")] for ref in sect.iter(w("headerReference"))}
        assert sorted(refs) == ["default", "even", "first"]
        for part in refs.values():
            hdr = package.xml(part)
            assert hdr[0].tag == w("tbl")
            texts = paragraph_texts(hdr[0])
            assert "文件编号: QS-TQ-017" in texts and "状态: 受控 CONTROLLED" in texts
            assert any(t.startswith("页次 ") for t in texts)
            instructions = ["".join(x.itertext()).strip() for x in hdr[0].iter(w("instrText"))]
            assert instructions == ["PAGE", "NUMPAGES"]
            if part != FRAME_HEADER:  # the body's own header: its content below the control table
                own = paragraph_texts(original.xml(part))
                assert paragraph_texts(hdr)[-len(own):] == own if own else True


@pytest.mark.parametrize("path", CASES)
def test_framing_twice_gives_the_same_bytes(path: Path, framed_cache) -> None:
    body, framed = framed_pair(path, framed_cache)
    assert frame_body(body, FRAME, display=path.name) == framed


@pytest.mark.parametrize("path", [p for p in DOCX_CORPUS if "Pic" in p.name])
def test_header_logo_and_its_relationship_are_kept(path: Path, framed_cache) -> None:
    body, framed = framed_pair(path, framed_cache)
    package = Package.read(framed, "framed")
    header = package.related(package.main, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header")
    logos = [part for part in header if package.related(part, "http://schemas.openxmlformats.org/officeDocument/"
                                                              "2006/relationships/image")]
    assert logos
    for part in logos:
        embeds = [b.get(f"{{{R_NS}}}embed") for b in package.xml(part).iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/main}blip")]
        assert embeds and all(e in {r.id for r in package.rels(part)} for e in embeds)
        assert parts(framed)[package.rels_name(part)] == parts(body)[package.rels_name(part)]


@pytest.mark.parametrize("path", CASES)
def test_body_styles_keep_their_look(path: Path, framed_cache) -> None:
    from lxml import etree

    body, framed = framed_pair(path, framed_cache)
    original, package = Package.read(body, "body"), Package.read(framed, "framed")
    styles = original.related(original.main, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles")
    own = [etree.tostring(s) for s in original.xml(styles[0]).iter(w("style"))] if styles else []
    now = package.xml(package.related(package.main, "http://schemas.openxmlformats.org/officeDocument/2006/"
                                                     "relationships/styles")[0])
    ids = [s.get(w("styleId")) for s in now.iter(w("style"))]
    assert ids[len(ids) - 2:] == ["QmsFrameText", "QmsFrameTable"]
    assert [etree.tostring(s) for s in now.iter(w("style"))][:len(own)] == own


def _docx(paragraphs: list[str], styles: tuple[str, ...] = ()) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_template_tags_in_the_body_stay_text() -> None:
    texts = ["{{ frame.title }}", "{% if x %}kept{% endif %}", "{%tr for r in rows %}", "<w:p> & &amp;"]
    body = _docx(texts)
    framed = frame_body(body, FRAME)
    assert body_paragraphs(framed)[-len(texts):] == texts


def test_frame_values_are_escaped_and_shown_as_typed() -> None:
    from dataclasses import replace

    frame = replace(FRAME, title="A <b>&amp; \"B\"", company="R&D {{ x }}")
    framed = frame_body(_docx(["body"]), frame)
    package = Package.read(framed, "framed")
    header = package.xml(FRAME_HEADER)
    assert "标题: A <b>&amp; \"B\"" in paragraph_texts(header)
    assert paragraph_texts(header)[0] == "R&D {{ x }} 技术质量部"
    assert body_paragraphs(framed)[3] == "A <b>&amp; \"B\""


def test_without_cover_the_body_starts_on_the_first_page() -> None:
    body = _docx(["first", "second"])
    framed = frame_body(body, FRAME, cover=False)
    assert body_paragraphs(framed) == body_paragraphs(body) == ["first", "second"]
    package = Package.read(framed, "framed")
    assert len(list(package.xml(package.main).iter(w("sectPr")))) == 1
    assert paragraph_texts(package.xml(FRAME_HEADER))[2] == "文件编号: QS-TQ-017"


def test_custom_properties_hold_the_marker_and_the_given_values() -> None:
    import docx

    body = _docx(["body"])
    framed = frame_body(body, FRAME, custom={"qmsdocs.version": "1.0", "Department": "技术质量部 & QA"})
    package = Package.read(framed, "framed")
    props = package.xml("docProps/custom.xml")
    assert [(p.get("name"), p.get("pid"), "".join(p.itertext())) for p in props] == [
        ("qmsdocs.doc_no", "2", "QS-TQ-017"), ("qmsdocs.version", "3", "1.0"), ("Department", "4", "技术质量部 & QA")]
    assert package.content_type("docProps/custom.xml") == \
        "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    core = docx.Document(io.BytesIO(framed)).core_properties
    assert (core.title, core.identifier, core.version, core.content_status, core.subject, core.author) == (
        "客户服务体系考评管理办法", "QS-TQ-017", "1.0", "Effective", "regulation", "张三")


def test_cover_shows_the_approval_block_and_revision_record() -> None:
    import docx

    document = docx.Document(io.BytesIO(frame_body(_docx(["body"]), FRAME)))
    approval, history = document.tables[:2]
    assert [[c.text for c in r.cells] for r in approval.rows] == [
        ["审批", "姓名", "日期", "副本编号", "C-01"],
        ["编制", "张三", "2024-03-01", "文件编号", "QS-TQ-017"],
        ["标准化", "", "", "版本号", "1.0版"],
        ["审核", "王五", "2024-03-02", "编制日期", "2024-03-01"],
        ["会签", "", "", "发布日期", "2024-03-05"],
        ["批准", "李四", "2024-03-05", "生效日期", "2024-03-10"]]
    assert [[c.text for c in r.cells] for r in history.rows] == [
        ["序号", "页码", "更改单号", "更改人", "生效日期", "摘要"],
        ["1", "全部", "", "张三", "2024-03-10", "首次发布"]]

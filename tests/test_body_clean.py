"""Accepting tracked changes and removing comments, as Word's Review tab would."""
from __future__ import annotations

import io
import zipfile

import pytest

from qmsdocs.body.clean import clean_body
from qmsdocs.body.inspect import inspect_body
from qmsdocs.body.readback import body_paragraphs
from test_body_frame import DATA, _docx
from test_body_inspect import _changes_and_comments, rezip

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REV = 'w:author="QA" w:date="2024-01-01T00:00:00Z"'


def _body(paragraphs: str) -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{paragraphs}'
           '<w:sectPr/></w:body></w:document>')
    return rezip(_docx(["x"]), {"word/document.xml": xml.encode()})


def _p(inner: str, ppr: str = "") -> str:
    return f"<w:p>{ppr}{inner}</w:p>"


def _r(text: str, tag: str = "t") -> str:
    return f'<w:r><w:{tag} xml:space="preserve">{text}</w:{tag}></w:r>'


CASES = {
    "insertion kept": (_p(_r("a ") + f'<w:ins w:id="1" {REV}>{_r("new")}</w:ins>'), ["a new"]),
    "deletion removed": (_p(_r("a ") + f'<w:del w:id="1" {REV}>{_r("old", "delText")}</w:del>' + _r("b")), ["a b"]),
    "move": (_p(f'<w:moveFromRangeStart w:id="1" w:name="m" {REV}/><w:moveFrom w:id="2" {REV}>{_r("moved")}'
                f'</w:moveFrom><w:moveFromRangeEnd w:id="1"/>' + _r("stay"))
             + _p(f'<w:moveToRangeStart w:id="3" w:name="m" {REV}/><w:moveTo w:id="4" {REV}>{_r("moved")}'
                  f'</w:moveTo><w:moveToRangeEnd w:id="3"/>'), ["stay", "moved"]),
    "deleted paragraph mark joins": (
        _p(_r("one "), f'<w:pPr><w:rPr><w:del w:id="1" {REV}/></w:rPr></w:pPr>') + _p(_r("two")), ["one two"]),
    "deleted paragraph goes": (
        _p(f'<w:del w:id="1" {REV}>{_r("gone", "delText")}</w:del>', f'<w:pPr><w:rPr><w:del w:id="2" {REV}/>'
           '</w:rPr></w:pPr>') + _p(_r("next")), ["next"]),
    "inserted paragraph mark stays": (
        _p(_r("one"), f'<w:pPr><w:rPr><w:ins w:id="1" {REV}/></w:rPr></w:pPr>') + _p(_r("two")), ["one", "two"]),
    "format change accepted": (
        _p(f'<w:r><w:rPr><w:b/><w:rPrChange w:id="1" {REV}><w:rPr/></w:rPrChange></w:rPr><w:t>bold</w:t></w:r>'),
        ["bold"]),
    "deleted row": (
        f'<w:tbl><w:tr><w:tc>{_p(_r("keep"))}</w:tc></w:tr><w:tr><w:trPr><w:del w:id="1" {REV}/></w:trPr>'
        f'<w:tc>{_p(_r("row"))}</w:tc></w:tr></w:tbl>' + _p(""), ["keep", ""]),
}


@pytest.mark.parametrize("paragraphs, expected", CASES.values(), ids=CASES.keys())
def test_accepting_changes_gives_what_word_shows_after_accept_all(paragraphs: str, expected: list[str]) -> None:
    body = _body(paragraphs)
    assert inspect_body(body, "x").tracked_changes > 0
    clean = clean_body(body, accept_changes=True, drop_comments=False)
    assert body_paragraphs(clean) == expected
    assert inspect_body(clean, "x").tracked_changes == 0


def test_the_bold_of_an_accepted_format_change_stays() -> None:
    clean = clean_body(_body(CASES["format change accepted"][0]), accept_changes=True, drop_comments=False)
    xml = zipfile.ZipFile(io.BytesIO(clean)).read("word/document.xml")
    assert b"<w:b/>" in xml and b"rPrChange" not in xml


@pytest.mark.parametrize("name", ["58067.docx", "Tika-792.docx"])
def test_real_tracked_changes_are_all_accepted(name: str) -> None:
    import docx

    clean = clean_body((DATA / "bodies" / name).read_bytes(), accept_changes=True, drop_comments=False)
    assert inspect_body(clean, name).tracked_changes == 0
    docx.Document(io.BytesIO(clean))


def test_58067_reads_as_after_accept_all() -> None:
    clean = clean_body((DATA / "bodies" / "58067.docx").read_bytes(), accept_changes=True, drop_comments=False)
    texts = body_paragraphs(clean)
    assert "This is another Test." not in texts and texts[:4] == ["This is a test.", "", "", "3"]


def test_delins_acceptance_file_is_accepted_whole() -> None:
    clean = clean_body((DATA / "bodies-acceptance" / "delins.docx").read_bytes(), True, False)
    report = inspect_body(clean, "delins.docx")
    assert (report.tracked_changes, report.comments) == (0, 0)


@pytest.mark.parametrize("folder, name, count", [
    ("bodies", "comments.docx", 2), ("bodies", "comment.docx", 1), ("bodies-acceptance", "WordWithAttachments.docx", 3),
])
def test_dropping_comments_removes_marks_parts_and_relationships(folder: str, name: str, count: int) -> None:
    body = (DATA / folder / name).read_bytes()
    assert inspect_body(body, name).comments == count
    clean = clean_body(body, accept_changes=False, drop_comments=True)
    assert inspect_body(clean, name).comments == 0
    with zipfile.ZipFile(io.BytesIO(clean)) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("word/comments")]
        xml = zf.read("word/document.xml") + zf.read("word/_rels/document.xml.rels") + zf.read("[Content_Types].xml")
    assert b"comment" not in xml.lower()
    assert [p for p in body_paragraphs(clean)] == body_paragraphs(body)


def test_embedded_objects_are_kept_when_comments_go() -> None:
    body = (DATA / "bodies-acceptance" / "WordWithAttachments.docx").read_bytes()
    clean = clean_body(body, accept_changes=True, drop_comments=True)
    before, after = zipfile.ZipFile(io.BytesIO(body)), zipfile.ZipFile(io.BytesIO(clean))
    embedded = [n for n in before.namelist() if n.startswith("word/embeddings/")]
    assert embedded and all(after.read(n) == before.read(n) for n in embedded)


def test_changes_and_comments_both_go() -> None:
    clean = clean_body(_changes_and_comments(), accept_changes=True, drop_comments=True)
    report = inspect_body(clean, "x")
    assert (report.tracked_changes, report.comments) == (0, 0)
    assert body_paragraphs(clean) == ["kept new", "also commented"]


def test_nothing_asked_changes_nothing_but_the_zip() -> None:
    body = (DATA / "bodies" / "58067.docx").read_bytes()
    clean = clean_body(body, accept_changes=False, drop_comments=False)
    before, after = zipfile.ZipFile(io.BytesIO(body)), zipfile.ZipFile(io.BytesIO(clean))
    assert {n: before.read(n) for n in before.namelist()} == {n: after.read(n) for n in after.namelist()}

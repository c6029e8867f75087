"""What a body holds that control refuses, and bodies that are no Word document at all."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from qmsdocs.body import package as pkg
from qmsdocs.body.frame import frame_body
from qmsdocs.body.inspect import inspect_body
from qmsdocs.errors import DataError
from test_body_frame import DATA, FRAME, _docx

BODIES, REFUSED = DATA / "bodies", DATA / "bodies-refused"


def refusals(data: bytes, display: str, **options: bool) -> list[str]:
    with pytest.raises(DataError) as exc:
        inspect_body(data, display).require_frameable(**options)
    return exc.value.lines()


def rezip(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """Return the package ``data`` with parts replaced, added, or (None) removed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in changes:
                dst.writestr(name, src.read(name))
        for name, value in changes.items():
            if value is not None:
                dst.writestr(name, value)
    return out.getvalue()


@pytest.mark.parametrize("name, changes, comments", [
    ("58067.docx", 7, 0), ("Tika-792.docx", 6, 0), ("comments.docx", 0, 2), ("comment.docx", 0, 1),
    ("footnotes.docx", 0, 0), ("headerPic.docx", 0, 0),
])
def test_counts_of_tracked_changes_and_comments(name: str, changes: int, comments: int) -> None:
    report = inspect_body((BODIES / name).read_bytes(), name)
    assert (report.tracked_changes, report.comments, report.macros, report.activex, report.framed) == (
        changes, comments, False, 0, False)


def test_tracked_changes_are_refused_with_what_to_do_in_word() -> None:
    assert refusals((BODIES / "58067.docx").read_bytes(), "body.docx") == [
        "body.docx has 7 tracked changes: accept or reject all changes in Word (Review > Accept All), "
        "or give --accept-changes"]
    inspect_body((BODIES / "58067.docx").read_bytes(), "body.docx").require_frameable(accept_changes=True)


def test_comments_are_refused_with_what_to_do_in_word() -> None:
    assert refusals((BODIES / "comment.docx").read_bytes(), "body.docx") == [
        "body.docx has 1 comment: delete the comments in Word (Review > Delete All Comments), "
        "or give --drop-comments"]
    inspect_body((BODIES / "comment.docx").read_bytes(), "body.docx").require_frameable(drop_comments=True)


def _changes_and_comments() -> bytes:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("kept ")
    document.add_comment(paragraph.runs, text="why?", author="QA")
    second = document.add_paragraph("also ")
    second.add_run("commented")
    document.add_comment(second.runs[1], text="and this", author="QA")
    out = io.BytesIO()
    document.save(out)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    revised = xml.replace("kept </w:t></w:r>", 'kept </w:t></w:r><w:ins w:id="90" w:author="QA" '
                          'w:date="2024-01-01T00:00:00Z"><w:r><w:t>new</w:t></w:r></w:ins><w:del w:id="91" '
                          'w:author="QA" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>old</w:delText></w:r></w:del>'
                          '<w:del w:id="92" w:author="QA" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>x</w:delText>'
                          '</w:r></w:del>', 1)
    assert revised != xml
    return rezip(out.getvalue(), {"word/document.xml": revised.encode()})


def test_changes_and_comments_are_refused_in_one_line() -> None:
    data = _changes_and_comments()
    assert refusals(data, "body.docx") == [
        "body.docx has 3 tracked changes and 2 comments: accept or reject all changes (Review > Accept All) "
        "and delete the comments in Word, or give --accept-changes / --drop-comments"]
    assert refusals(data, "body.docx", accept_changes=True) == [
        "body.docx has 2 comments: delete the comments in Word (Review > Delete All Comments), or give --drop-comments"]
    inspect_body(data, "body.docx").require_frameable(accept_changes=True, drop_comments=True)


def test_macros_are_refused() -> None:
    assert refusals((REFUSED / "SimpleMacro.docm").read_bytes(), "SimpleMacro.docm",
                    accept_changes=True, drop_comments=True) == [
        "SimpleMacro.docm holds macros (a VBA project): save it in Word as Word Document (.docx), "
        "which leaves the macros out"]


def test_activex_controls_are_refused() -> None:
    body = _docx(["form"])
    ct = zipfile.ZipFile(io.BytesIO(body)).read("[Content_Types].xml").decode()
    ct = ct.replace("</Types>", "".join(
        f'<Override PartName="/word/activeX/activeX{n}.xml" ContentType="application/vnd.ms-office.activeX+xml"/>'
        for n in (1, 2)) + "</Types>")
    data = rezip(body, {"[Content_Types].xml": ct.encode(),
                        "word/activeX/activeX1.xml": b"<ax:ocx xmlns:ax='urn:x'/>",
                        "word/activeX/activeX2.xml": b"<ax:ocx xmlns:ax='urn:x'/>"})
    assert refusals(data, "form.docx") == [
        "form.docx holds 2 ActiveX controls: remove them in Word (Developer > Design Mode, select and delete) "
        "and save it again"]


def test_a_body_already_framed_is_refused() -> None:
    framed = frame_body(_docx(["body"]), FRAME)
    assert inspect_body(framed, "x.docx").framed_as == "QS-TQ-017"
    assert refusals(framed, "QS-TQ-017_1.0.docx") == [
        "QS-TQ-017_1.0.docx already carries the qmsdocs frame of QS-TQ-017: give the original Word document "
        "without its cover and control header (qms get QS-TQ-017 --body -o FILE.docx gives it back)"]


def test_every_refusal_is_reported_at_once() -> None:
    framed = frame_body((REFUSED / "SimpleMacro.docm").read_bytes(), FRAME)
    assert [line.split(" holds ")[0].split(" already ")[0] for line in refusals(framed, "m.docm")] == ["m.docm"] * 2


@pytest.mark.parametrize("data, message", [
    (b"", "x.docx is not a Word document (not a zip package); save it as Word Document (.docx)"),
    (b"Hello, world", "x.docx is not a Word document (not a zip package); save it as Word Document (.docx)"),
    (b"PK\x03\x04 truncated", "x.docx is a truncated or damaged zip package; save it again as Word Document (.docx)"),
    ((REFUSED / "bug53475-password-is-pass.docx").read_bytes(),
     "x.docx is an old binary Word file (.doc) or a password-protected document: remove the password in Word "
     "(File > Info > Protect Document) and save it as Word Document (.docx)"),
    ((BODIES / "simple-table.doc").read_bytes(),
     "x.docx is an old binary Word file (.doc) or a password-protected document: remove the password in Word "
     "(File > Info > Protect Document) and save it as Word Document (.docx)"),
    ((Path(__file__).parents[1] / "records" / "plan.xlsx").read_bytes(),
     "x.docx is not a Word document (its main part is not WordprocessingML)"),
    (rezip(_docx(["a"]), {"[Content_Types].xml": None}),
     "x.docx is a zip package but not a Word document (no [Content_Types].xml or package relationships); "
     "save it as Word Document (.docx)"),
    (rezip(_docx(["a"]), {"word/document.xml": None}),
     "x.docx is not a Word document (no main document part); save it as Word Document (.docx)"),
], ids=["empty", "text", "truncated", "encrypted", "doc", "xlsx", "no-content-types", "no-document"])
def test_what_is_no_docx_is_refused_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(DataError) as exc:
        inspect_body(data, "x.docx")
    assert exc.value.lines() == [message]


def test_an_xml_entity_declaration_is_refused_unexpanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            b'<w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(DataError) as exc:
        inspect_body(rezip(_docx(["a"]), {"word/document.xml": bomb}), "x.docx")
    assert str(exc.value) == ("x.docx: part word/document.xml declares a DOCTYPE (XML entities), which no Word "
                              "document needs; refused as a possible XML bomb")


def _with_part(name: str, chunks, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    body = _docx(["a"])
    with zipfile.ZipFile(io.BytesIO(body)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for item in src.namelist():
            dst.writestr(item, src.read(item))
        with dst.open(name, "w") as f:
            for chunk in chunks:
                f.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_part_is_refused_after_reading_little_of_it() -> None:
    bomb = _with_part("word/media/image1.png", (bytes(1 << 20) for _ in range(256)))  # 256 MiB of zeros
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DataError) as exc:
        inspect_body(bomb, "x.docx")
    assert str(exc.value) == ("x.docx: part word/media/image1.png is compressed more than 200 to 1; "
                              "refused as a possible zip bomb")


def test_a_part_over_the_size_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(pkg, "MAX_PART_BYTES", 3 << 20)
    big = _with_part("word/media/image1.png", [os.urandom(4 << 20)], zipfile.ZIP_STORED)
    with pytest.raises(DataError) as exc:
        inspect_body(big, "x.docx")
    assert str(exc.value) == ("x.docx: part word/media/image1.png unpacks to more than 3 MiB; "
                              "refused as a possible zip bomb")


def test_a_package_over_the_total_cap_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(pkg, "MAX_TOTAL_BYTES", 5 << 20)
    big = _with_part("word/media/image1.png", [os.urandom(6 << 20)], zipfile.ZIP_STORED)
    with pytest.raises(DataError) as exc:
        inspect_body(big, "x.docx")
    assert str(exc.value) == "x.docx unpacks to more than 5 MiB; refused as a possible zip bomb"


def test_the_limits_leave_room_for_a_long_procedure_with_pictures() -> None:
    assert (pkg.MAX_PART_BYTES, pkg.MAX_TOTAL_BYTES, pkg.MAX_RATIO) == (64 << 20, 256 << 20, 200)


def test_paragraph_texts_are_reported() -> None:
    assert inspect_body(_docx(["第一段", "", "two\tcols"]), "x.docx").paragraphs == ["第一段", "", "two\tcols"]


def test_a_zip_bomb_that_lies_about_its_size_is_cut_at_the_declared_size() -> None:
    bomb = _with_part("word/media/image1.png", (bytes(1 << 20) for _ in range(96)))  # 96 MiB of zeros
    # Declare 1 MiB in the central directory: the declared ratio passes, and zipfile then yields no
    # more than the declared size and refuses the part whose bytes do not match.
    name = b"word/media/image1.png"
    record = bomb.rindex(b"PK\x01\x02\x14", 0, bomb.rindex(name))
    assert bomb[record + 46:record + 46 + len(name)] == name
    forged = bomb[:record + 24] + (1 << 20).to_bytes(4, "little") + bomb[record + 28:]
    assert forged != bomb
    with pytest.raises(DataError) as exc:
        inspect_body(forged, "x.docx")
    assert str(exc.value) == ("x.docx cannot be unpacked (Bad CRC-32 for file 'word/media/image1.png'); "
                              "save it again as Word Document (.docx)")

"""Hostile and odd Word bodies given to qms new: each ends in one Error line (exit 2) with nothing
registered, or in a document within bounds; never a traceback, never a fetch from outside."""
from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import tree_digest
from qmsdocs import bundle as bundle_mod
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

BODIES = Path(__file__).parent / "data" / "bodies"
ACCEPTANCE = Path(__file__).parent / "data" / "bodies-acceptance"
BASE = BODIES / "simple-list.docx"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def qms(records: Path, *args: str):
    return CliRunner().invoke(cli, ["--records", str(records), *args], catch_exceptions=False)


def parts(source: Path = BASE) -> dict[str, bytes]:
    with zipfile.ZipFile(source) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def edited(path: Path, *, body: str = "", rels: str = "", types: str = "", extra: dict[str, bytes] | None = None,
           document: bytes | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Write the base body with ``body`` put before its section properties, relationships and
    content types added, parts added or dropped."""
    entries = parts()
    doc = entries["word/document.xml"].decode()
    entries["word/document.xml"] = document if document is not None else \
        doc.replace("<w:sectPr", body + "<w:sectPr", 1).encode()
    entries["word/_rels/document.xml.rels"] = entries["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", rels.encode() + b"</Relationships>")
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"</Types>", types.encode() + b"</Types>")
    entries.update(extra or {})
    for name in drop:
        entries.pop(name)
    return write(path, entries)


def rel(rid: str, kind: str, target: str, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{kind if "/" in kind else REL + kind}" Target="{target}"{mode}/>'


def xml_document(inner: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{prolog}<w:document xmlns:w="{W_NS}"><w:body>{inner}<w:sectPr/></w:body>'
            "</w:document>").encode()


def png(width: int, height: int) -> bytes:
    """Return a PNG whose header declares ``width`` × ``height`` pixels (the data is one empty row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


PICTURE = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
           'wordprocessingDrawing"><wp:extent cx="100000" cy="100000"/><wp:docPr id="9" name="p"/><a:graphic '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.'
           'openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/'
           'drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="9" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
           '<pic:blipFill><a:blip r:{attr}="rIdPic"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData>'
           '</a:graphic></wp:inline></w:drawing></w:r></w:p>')
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)) + "]>")
FIELD = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDE</w:instrText></w:r>'
         '<w:r><w:instrText>TEXT "file:///etc/passwd" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
         '</w:r><w:r><w:t>old</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def lying_bomb(path: Path) -> Path:
    """A part of 64 MiB of zeros whose zip headers declare 1,000 bytes."""
    write(path, {**parts(), "word/media/zero.bin": b"\0" * (64 << 20)})
    data = bytearray(path.read_bytes())
    name = b"word/media/zero.bin"
    for signature, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        for m in re.finditer(re.escape(signature), bytes(data)):
            i = m.start()
            length = struct.unpack_from("<H", data, i + name_len_at)[0]
            if data[i + name_at:i + name_at + length] == name:
                struct.pack_into("<I", data, i + size_at, 1000)
    path.write_bytes(bytes(data))
    return path


def workbook(path: Path) -> Path:
    import openpyxl

    openpyxl.Workbook().save(path)
    return path


PRESENTATION = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                           b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    f'relationships">{rel("rId1", "officeDocument", "ppt/presentation.xml")}</Relationships>').encode(),
    "ppt/presentation.xml": b'<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/'
                            b'presentationml/2006/main"/>',
}

#: name → (how to build it in a folder, the error after the file's path)
REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "bomb.docx": (lambda p: write(p, {**parts(), "word/media/zero.bin": b"\0" * (8 << 20)}),
                  ": part word/media/zero.bin is compressed more than 200 to 1; refused as a possible zip bomb"),
    "lying-bomb.docx": (lying_bomb, " cannot be unpacked (Bad CRC-32 for file 'word/media/zero.bin'); save it "
                                    "again as Word Document (.docx)"),
    "many-parts.docx": (lambda p: write(p, {**parts(), **{f"word/x/{i}.bin": b"" for i in range(10_001)}},
                                        zipfile.ZIP_STORED),
                        " holds 10014 parts; refused as a possible zip bomb"),
    "garbage.docx": (lambda p: edited(p, document=b"this is not XML <<<"),
                     " is not a Word document (its main part is not WordprocessingML)"),
    "damaged.docx": (lambda p: edited(p, document=xml_document("<w:p>")),
                     ": part word/document.xml holds damaged XML (Opening and ending tag mismatch: p line 1 and "
                     "body, line 1, column 138 (<string>, line 1)); open and save it again in Word"),
    "laughs.docx": (lambda p: edited(p, document=xml_document("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", LAUGHS)),
                    ": part word/document.xml declares a DOCTYPE (XML entities), which no Word document needs; "
                    "refused as a possible XML bomb"),
    "xxe-utf16.docx": (lambda p: edited(p, extra={"word/_rels/document.xml.rels": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>').encode("utf-16")}),
                       ": part word/_rels/document.xml.rels declares a DOCTYPE (XML entities), which no Word "
                       "document needs; refused as a possible XML bomb"),
    "deep.docx": (lambda p: edited(p, document=xml_document("<w:sdt><w:sdtContent>" * 3000 + "<w:p/>" +
                                                            "</w:sdtContent></w:sdt>" * 3000)),
                  ": part word/document.xml nests its elements deeper than Word does; refused as a possible XML bomb"),
    "no-document.docx": (lambda p: edited(p, drop=("word/document.xml",)),
                         " is not a Word document (no main document part); save it as Word Document (.docx)"),
    "workbook.docx": (workbook, " is not a Word document (its main part is not WordprocessingML)"),
    "slides.docx": (lambda p: write(p, PRESENTATION),
                    " is not a Word document (its main part is not WordprocessingML)"),
    "empty.docx": (lambda p: (p.write_bytes(b""), p)[1],
                   " is not a Word document (not a zip package); save it as Word Document (.docx)"),
    "fifo.docx": (lambda p: os.mkfifo(p) or p, " is not a regular file; give a Word document file"),
    "zero.docx": (lambda p: os.symlink("/dev/zero", p) or p, " is not a regular file; give a Word document file"),
    "folder.docx": (lambda p: p.mkdir() or p, " is a folder; give a Word document file"),
    "macros.docm": (lambda p: write(p, {**parts(), "[Content_Types].xml": parts()["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"../vnd.ms-word.document.macroEnabled.main+xml").replace(
        b"application/vnd.openxmlformats-officedocument.../", b"application/")}),
                    " holds macros (a VBA project): save it in Word as Word Document (.docx), which leaves the "
                    "macros out"),
    "vba-renamed.docx": (lambda p: edited(
        p, rels=rel("rIdV", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "stuff.bin"),
        types='<Override PartName="/word/stuff.bin" ContentType="application/vnd.ms-office.vbaProject"/>',
        extra={"word/stuff.bin": b"\xd0\xcf\x11\xe0 not really a VBA project"}),
                         " holds macros (a VBA project): save it in Word as Word Document (.docx), which leaves "
                         "the macros out"),
    "activex.docx": (lambda p: edited(p, body='<w:p><w:r><w:object><w:control r:id="rIdX" w:name="CheckBox1"/>'
                                                '</w:object></w:r></w:p>'),
                     " holds 1 ActiveX control: remove them in Word (Developer > Design Mode, select and delete) "
                     "and save it again"),
    "altchunk.docx": (lambda p: edited(
        p, body='<w:altChunk r:id="rIdAlt"/>', rels=rel("rIdAlt", "aFChunk", "chunk.html"),
        types='<Override PartName="/word/chunk.html" ContentType="text/html"/>',
        extra={"word/chunk.html": b"<html><body><img src='http://example.invalid/x.png'></body></html>"}),
                      " holds 1 embedded document of another format (altChunk) that Word merges only when it "
                      "opens the file: open it in Word and save it again as Word Document (.docx), which merges "
                      "them into the text"),
    "linked-picture.docx": (lambda p: edited(p, body=PICTURE.format(attr="link"),
                                             rels=rel("rIdPic", "image", "file://///share.invalid/x.png", True)),
                            " links to 1 file outside it, which Word fetches when it opens the file (image "
                            "file://///share.invalid/x.png (word/document.xml)): embed them in Word (File > Info > "
                            "Edit Links to Files > Break Link, or insert the picture again) and save it again"),
    "linked-ole.docx": (lambda p: edited(p, rels=rel("rIdO", "oleObject", "http://example.invalid/a.xlsx", True)
                                         + rel("rIdS", "subDocument", "file:///etc/passwd", True)),
                        " links to 2 files outside it, which Word fetches when it opens the file (oleObject "
                        "http://example.invalid/a.xlsx (word/document.xml); subDocument file:///etc/passwd "
                        "(word/document.xml)): embed them in Word (File > Info > Edit Links to Files > Break Link, "
                        "or insert the picture again) and save it again"),
    "include-field.docx": (lambda p: edited(p, body=FIELD),
                           ' has 1 field that fetches content from outside it when updated or printed (INCLUDETEXT '
                           '"file:///etc/passwd"): select the field in Word and press Ctrl+Shift+F9 to make it plain '
                           "text, and save it again"),
    "dde.docx": (lambda p: edited(p, body='<w:p><w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
                                          '&quot;/k calc&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'),
                 ' has 1 field that fetches content from outside it when updated or printed (DDEAUTO '
                 'c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"): select the field in Word and press Ctrl+Shift+F9 '
                 "to make it plain text, and save it again"),
    "huge-picture.docx": (lambda p: edited(p, body=PICTURE.format(attr="embed"),
                                           rels=rel("rIdPic", "image", "media/big.png"),
                                           types='<Default Extension="png" ContentType="image/png"/>',
                                           extra={"word/media/big.png": png(20_000, 20_000)}),
                          " has 1 picture over 100 megapixels (word/media/big.png (20000 × 20000 pixels)): compress "
                          "them in Word (Picture Format > Compress Pictures) and save it again"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_hostile_body_is_refused_in_one_line_and_nothing_is_registered(records: Path, tmp_path: Path,
                                                                          name: str) -> None:
    build, message = REFUSED[name]
    path = build(tmp_path / name)
    before = tree_digest(records)
    result = qms(records, "new", "regulation", "--body", str(path), "--title", "T")
    assert (result.exit_code, result.stderr) == (2, f"Error: {path}{message}\n")
    assert result.stdout == ""
    assert tree_digest(records) == before


def test_an_external_hyperlink_is_kept_as_a_link_and_never_followed(records: Path, ws: Workspace,
                                                                   tmp_path: Path) -> None:
    path = edited(tmp_path / "link.docx", body='<w:p><w:hyperlink r:id="rIdH"><w:r><w:t>the standard</w:t></w:r>'
                                               '</w:hyperlink></w:p>',
                  rels=rel("rIdH", "hyperlink", "http://example.invalid/standard", True))
    result = qms(records, "new", "regulation", "--body", str(path), "--title", "T")
    assert result.exit_code == 0, result.stderr
    framed = (records / "documents" / "HO-JZ-GL-2026-001" / "HO-JZ-GL-2026-001_1.0.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(framed)) as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode()
    assert 'Target="http://example.invalid/standard" TargetMode="External"' in rels


def test_the_link_to_a_word_template_is_dropped_with_a_warning(records: Path, ws: Workspace) -> None:
    source = ACCEPTANCE / "60316.docx"
    result = qms(records, "new", "regulation", "--body", str(source), "--title", "T")
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: {source}: the link to its Word template (file:///C:\\Users\\tallison\\Desktop"
                             "\\working\\tmptmptmpt\\60316.dotx) dropped; the file as given is kept as evidence\n")
    bundle = bundle_mod.load(ws.store, ws.register.one("SELECT bundle_sha256 FROM revisions")["bundle_sha256"])
    frozen = ws.store.get(bundle.input_sha256, "body")
    assert ws.store.get(bundle.source_sha256, "source") == source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(frozen)) as zf:
        names = zf.namelist()
        settings = zf.read("word/settings.xml")
        rels = zf.read("word/_rels/settings.xml.rels") if "word/_rels/settings.xml.rels" in names else b""
    assert b"attachedTemplate" not in settings and b"attachedTemplate" not in rels


def test_a_picture_of_a_camera_size_is_taken(records: Path, tmp_path: Path) -> None:
    path = edited(tmp_path / "photo.docx", body=PICTURE.format(attr="embed"), rels=rel("rIdPic", "image", "media/p.png"),
                  types='<Default Extension="png" ContentType="image/png"/>',
                  extra={"word/media/p.png": png(8000, 6000)})
    result = qms(records, "new", "regulation", "--body", str(path), "--title", "T")
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_symlink_to_a_body_elsewhere_is_read_through_and_kept_under_its_own_name(records: Path, ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    link = tmp_path / "linked.docx"
    link.symlink_to(BASE)
    result = qms(records, "new", "regulation", "--body", str(link), "--title", "T")
    assert result.exit_code == 0, result.stderr
    bundle = bundle_mod.load(ws.store, ws.register.one("SELECT bundle_sha256 FROM revisions")["bundle_sha256"])
    assert (bundle.source_name, ws.store.get(bundle.source_sha256, "source")) == ("linked.docx", BASE.read_bytes())


def test_template_syntax_in_the_body_and_title_stays_text(records: Path, tmp_path: Path) -> None:
    from qmsdocs.body.readback import body_paragraphs

    text = "{{ 7*7 }} and {% for x in y %}{{ x }}{% endfor %} {# note #}"
    path = edited(tmp_path / "tags.docx", body=f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    result = qms(records, "new", "regulation", "--body", str(path), "--title", "{{ 7*7 }}")
    assert result.exit_code == 0, result.stderr
    framed = (records / "documents" / "HO-JZ-GL-2026-001" / "HO-JZ-GL-2026-001_1.0.docx").read_bytes()
    paragraphs = body_paragraphs(framed)
    assert text in paragraphs and "{{ 7*7 }}" in paragraphs and "49" not in "".join(paragraphs)


def test_a_converter_missing_from_the_path_is_named(records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    before = tree_digest(records)
    result = qms(records, "new", "regulation", "--body", str(BODIES / "footnotes.rtf"), "--title", "T")
    assert (result.exit_code, result.stderr) == (
        2, "Error: converting footnotes.rtf to .docx needs LibreOffice (soffice) on the PATH; install "
           "libreoffice-writer-nogui\n")
    assert tree_digest(records) == before


def test_a_conversion_that_hangs_is_killed_with_its_children(records: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from qmsdocs.body import convert

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pids = tmp_path / "pids"
    fake = bin_dir / "soffice"
    # soffice starts soffice.bin as a child; this one starts a child that would outlive it.
    fake.write_text(f"#!/bin/sh\nsleep 600 &\necho $$ $! > {pids}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(convert, "TIMEOUT", 1)
    before = tree_digest(records)
    result = qms(records, "new", "regulation", "--body", str(BODIES / "simple-table.doc"), "--title", "T")
    assert (result.exit_code, result.stderr) == (
        2, "Error: simple-table.doc: LibreOffice did not finish converting it within 1 seconds; open it in Word "
           "and save it as .docx\n")
    assert tree_digest(records) == before

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously; the children die at once after
    while any(alive(int(p)) for p in pids.read_text().split()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(alive(int(p)) for p in pids.read_text().split())

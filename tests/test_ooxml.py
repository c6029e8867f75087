"""Tests of qmsdocs.ooxml: parts compressed as they are written, and their text read as they are written."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT
from qmsdocs import ooxml

W = W_NS = ooxml.W_NS
BODY = (f'<w:document xmlns:w="{W}"><w:body>'
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        '<w:r><w:t>A &amp; B</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> &lt;x&gt; </w:t></w:r></w:p>'
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t><w:br/><w:t>&#34;two&#34;</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
        '<w:p/><w:p><w:r><w:instrText> PAGE </w:instrText><w:t>中文</w:t><w:cr/><w:t>&#x4E2D;</w:t></w:r></w:p>'
        '</w:body></w:document>')


def _pieces(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_part_text_read_in_pieces_is_what_the_tree_gives(size: int) -> None:
    reader = ooxml.PartReader(ooxml.plain_prefix(BODY))
    assert reader.fast
    for piece in _pieces(BODY, size):
        reader.feed(piece, piece.encode("utf-8"))
    assert reader.close() == "".join(t + "\n" for t in ooxml.paragraph_texts(BODY.encode("utf-8")))


def test_part_text_of_the_shipped_templates_matches_the_tree() -> None:
    for template in sorted((ROOT / "templates").glob("*.docx")):
        with zipfile.ZipFile(template) as zf:
            for name in zf.namelist():
                if ooxml.is_text_part(name):
                    data = zf.read(name)
                    assert ooxml.plain_prefix(data.decode("utf-8")), (template.name, name)
                    expected = "".join(t + "\n" for t in ooxml.paragraph_texts(data))
                    assert ooxml.read_part(data) == expected, (template.name, name)


def test_another_prefix_is_read_through_the_tree() -> None:
    other = BODY.replace("w:", "x:").replace("xmlns:w=", "xmlns:x=")
    assert not ooxml.plain_prefix(other)
    assert ooxml.read_part(other.encode("utf-8")) == ooxml.read_part(BODY.encode("utf-8"))


def test_a_broken_part_is_refused() -> None:
    reader = ooxml.PartReader(True)
    broken = BODY.replace("</w:tbl>", "")
    with pytest.raises(etree.XMLSyntaxError):
        for piece in _pieces(broken, 50):
            reader.feed(piece, piece.encode("utf-8"))
        reader.close()


def test_entities_are_never_expanded() -> None:
    bomb = (f'<!DOCTYPE d [<!ENTITY e "boom">]><w:document xmlns:w="{W}">'
            '<w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:document>')
    reader = ooxml.PartReader(True)
    reader.feed(bomb, bomb.encode("utf-8"))
    assert "boom" not in reader.close()


@pytest.mark.parametrize("size", [1, 1000, 1 << 20])
def test_streamed_entry_is_the_same_bytes_as_compressed_at_once(size: int) -> None:
    data = (ROOT / "templates" / "scores.docx").read_bytes() * 3
    whole = ooxml.Deflated("x", data)
    streamed = ooxml.Deflated.streamed("x", (data[i:i + size] for i in range(0, len(data), size)))
    assert (streamed.crc, streamed.size, streamed.payload) == (whole.crc, whole.size, whole.payload)


def test_package_of_streamed_entries_unpacks() -> None:
    entry = ooxml.Deflated.streamed("word/document.xml", [BODY[:40].encode(), BODY[40:].encode()])
    package = ooxml.write_package([("word/document.xml", entry), ("a.txt", b"plain")])
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        assert zf.testzip() is None
        assert zf.read("word/document.xml") == BODY.encode()
    assert ooxml.document_text(package) == "".join(t + "\n" for t in ooxml.paragraph_texts(BODY.encode()))[:-1]


def test_escape_leaves_quotes() -> None:
    assert ooxml.escape('a & <b> "c"') == 'a &amp; &lt;b&gt; "c"'


def test_paragraphs_read_as_a_stream_match_the_whole_tree() -> None:
    import io

    from qmsdocs.ooxml import W_NS, iter_paragraph_texts, paragraph_texts

    xml = (f'<w:document xmlns:w="{W_NS}"><w:body>'
           '<w:p><w:r><w:t>one</w:t><w:tab/><w:t>two</w:t></w:r></w:p>'
           '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t><w:br/><w:t>line</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
           '<w:p><w:r><w:t>outer</w:t><w:pict><w:txbxContent><w:p><w:r><w:t>inner</w:t></w:r></w:p>'
           '</w:txbxContent></w:pict></w:r></w:p><w:p/></w:body></w:document>').encode()
    assert paragraph_texts(xml) == ["one\ttwo", "cell\nline", "outerinner", "inner", ""]
    # Each paragraph when it ends: a text box's paragraph before the one that holds it.
    assert list(iter_paragraph_texts(io.BytesIO(xml))) == ["one\ttwo", "cell\nline", "inner", "outerinner", ""]


def test_the_plain_reading_of_a_generated_document_matches_the_parser(ws, plan_xlsx) -> None:
    import io
    import zipfile

    from qmsdocs import lifecycle
    from qmsdocs.ooxml import iter_paragraph_texts, plain_paragraph_texts

    package = Path(lifecycle.new(ws, "plan", plan_xlsx)["path"]).read_bytes()
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
            data = zf.read(name)
            plain = plain_paragraph_texts(data.decode("utf-8"))
            assert plain is not None and plain == list(iter_paragraph_texts(io.BytesIO(data)))
    nested = (f'<w:document xmlns:w="{W_NS}"><w:p><w:r><w:pict><w:txbxContent><w:p/></w:txbxContent>'
              '</w:pict></w:r></w:p></w:document>')
    assert plain_paragraph_texts(nested) is None
    escaped = f'<w:document xmlns:w="{W_NS}"><w:p><w:r><w:t>a &amp; b &lt;c&gt;</w:t><w:tab/></w:r></w:p></w:document>'
    assert plain_paragraph_texts(escaped) == ["a & b <c>\t"]

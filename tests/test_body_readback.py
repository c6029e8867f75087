"""The read-back of a framed body: every paragraph of the body, in order, or a ReadbackError."""
from __future__ import annotations

import pytest

from qmsdocs.body.frame import frame_body
from qmsdocs.body.readback import body_paragraphs, check_body_readback
from qmsdocs.errors import ReadbackError
from test_body_frame import FRAME, _docx


def test_a_framed_body_reads_back() -> None:
    body = _docx(["一、目的", "", "二、范围"])
    check_body_readback(frame_body(body, FRAME), body, "body.docx")


@pytest.mark.parametrize("framed_texts, message", [
    (["一、目的", "三、职责"], "body.docx: the framed document lost paragraph 2 of the body ('二、范围'); nothing was written"),
    (["二、范围", "一、目的", "三、职责"],
     "body.docx: the framed document lost paragraph 2 of the body ('二、范围'); nothing was written"),
    ([], "body.docx: the framed document lost paragraph 1 of the body ('一、目的'); nothing was written"),
], ids=["missing", "out-of-order", "empty"])
def test_a_lost_or_moved_paragraph_is_named(framed_texts: list[str], message: str) -> None:
    body = _docx(["一、目的", "二、范围", "", "三、职责"])
    with pytest.raises(ReadbackError) as exc:
        check_body_readback(_docx(framed_texts), body, "body.docx")
    assert str(exc.value) == message
    assert exc.value.exit_code == 1


def test_body_paragraphs_include_empty_ones_and_tabs() -> None:
    assert body_paragraphs(_docx(["a\tb", "", "c"])) == ["a\tb", "", "c"]

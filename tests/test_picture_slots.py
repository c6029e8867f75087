"""Chart pictures bound by name: the slot is the picture's alternative text, not its media file."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from office import SOFFICE, needs_libreoffice
from qmsdocs import ooxml, resources
from qmsdocs.config import Config
from qmsdocs.doctypes import scores
from qmsdocs.template_check import check_template

def _logo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def _edit_document(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(data) if info.filename == "word/document.xml" else data)
    return dst


@pytest.fixture(scope="module")
def sample() -> scores.ScoresData:
    return scores.read(resources.sample_path("scores.xlsx"), "scores.xlsx")[0]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda xml: xml.replace(b"{{ chart_first_pass }}", b"a picture"),
     ["picture {{ chart_first_pass }}: no picture has it as alternative text"]),
    (lambda xml: xml.replace(b"{{ chart_first_pass }}", b"{{ chart_totals }}"),
     ["picture {{ chart_totals }}: 2 pictures have it as alternative text; keep one",
      "picture {{ chart_first_pass }}: no picture has it as alternative text"]),
])
def test_template_check_reports_chart_slots(tmp_path: Path, sample, edit, expected: list[str]) -> None:
    template = _edit_document(resources.template_path("scores.docx"), tmp_path / "mine.docx", edit)
    result = check_template(template, "scores", Config(language="en"), sample)
    assert result["pictures"] == expected
    assert not result["ok"]


def test_shipped_template_has_each_chart_slot_once(sample) -> None:
    result = check_template(resources.template_path("scores.docx"), "scores", Config(language="en"), sample)
    assert result["pictures"] == [] and result["ok"]


def _render(template: Path, sample) -> dict[str, bytes]:
    from qmsdocs.frame import Frame
    from qmsdocs.labels import labels
    from qmsdocs.render import load_template

    config = Config(language="en")
    frame = Frame("Co", "Dept", "en", "GB/T 19001-2016", "HO-JZ-PF-2026-001", "scores", "Scores", "1.0", "draft",
                  dt.date(2026, 11, 20))
    context = {"frame": frame.context(), "L": labels("en"), **scores.context(sample, config)}
    media = scores.chart_media(sample, config)
    return dict(ooxml.read_package(load_template(template).render(context, frame.core_properties(), media)))


@pytest.mark.slow
@needs_libreoffice
def test_restyled_template_keeps_logo_and_chart_slots(tmp_path: Path, sample) -> None:
    import docx

    logo = _logo()
    document = docx.Document(str(resources.template_path("scores.docx")))
    document.sections[0].header.paragraphs[-1].add_run().add_picture(io.BytesIO(logo))
    document.save(tmp_path / "with-logo.docx")
    out = tmp_path / "restyled"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out), str(tmp_path / "with-logo.docx")],
                   check=True, capture_output=True, timeout=300)
    restyled = out / "with-logo.docx"
    parts = _render(restyled, sample)
    slots = ooxml.picture_slots(parts["word/document.xml"], parts["word/_rels/document.xml.rels"])
    media = scores.chart_media(sample, Config(language="en"))
    assert {slot: [parts[p] for p in slots[slot]] for slot in scores.CHART_SLOTS} == {
        slot: [media[slot]] for slot in scores.CHART_SLOTS}
    pictures = [data for name, data in parts.items() if re.match(r"word/media/", name)]
    from PIL import Image

    sizes = {Image.open(io.BytesIO(p)).size for p in pictures}
    assert (60, 30) in sizes, "the logo was lost"

"""Converting .doc, .odt and .rtf bodies with LibreOffice, and what is refused before it runs."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from office import SOFFICE
from qmsdocs.body import convert
from qmsdocs.body.convert import convert_to_docx
from qmsdocs.body.inspect import inspect_body
from qmsdocs.errors import DataError, UsageError
from test_body_frame import DATA

needs_soffice = pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) not installed; CI installs "
                                                       "libreoffice-writer-nogui")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch) -> Path:
    """Make tempfile use a folder of the test's own, to see what a conversion leaves behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.parametrize("name, paragraphs, part", [
    ("simple-table.doc", ["This is a Word document that was created using Word 97 – SR2.  It contains a paragraph, "
                          "a table consisting of 2 rows and 3 columns and a final paragraph.",
                          "Cell 1,1", "Cell 1,2", "Cell 1,3", "Cell 2,1", "Cell 2,2", "Cell 2,3",
                          "This text is below the table."], "word/document.xml"),
    ("tables.odt", ["Above", "Top left", "Top right", "Bottom left", "Bottom right", "Below"], "word/document.xml"),
    ("footnotes.rtf", ["Ouch."], "word/footnotes.xml"),
])
def test_doc_odt_and_rtf_become_docx(name: str, paragraphs: list[str], part: str, private_tmp: Path) -> None:
    import io
    import zipfile

    data = convert_to_docx(DATA / "bodies" / name)
    assert [p for p in inspect_body(data, name).paragraphs if p] == paragraphs
    assert part in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert list(private_tmp.iterdir()) == []  # the private folder and its profile are gone


def test_a_missing_libreoffice_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    with pytest.raises(UsageError) as exc:
        convert_to_docx(DATA / "bodies" / "tables.odt")
    assert str(exc.value) == ("converting tables.odt to .docx needs LibreOffice (soffice) on the PATH; "
                              "install libreoffice-writer-nogui")
    assert exc.value.exit_code == 2


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.doc"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as exc:
        convert_to_docx(fifo)
    assert str(exc.value) == f"{fifo} is not a regular file; give a Word document file"
    folder = tmp_path / "folder.odt"
    folder.mkdir()
    with pytest.raises(DataError) as exc:
        convert_to_docx(folder)
    assert str(exc.value) == f"{folder} is a folder; give a Word document file"
    with pytest.raises(DataError) as exc:
        convert_to_docx(tmp_path / "missing.rtf")
    assert str(exc.value) == f"{tmp_path / 'missing.rtf'}: no such file"


def test_other_formats_are_not_converted() -> None:
    with pytest.raises(UsageError) as exc:
        convert_to_docx(DATA / "bodies" / "SOURCES.md")
    assert str(exc.value) == "SOURCES.md: only .doc, .odt, .rtf files are converted to .docx"


def _fake_soffice(tmp_path: Path, monkeypatch, script: str) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setattr(convert.shutil, "which", lambda name: str(fake))


def test_a_conversion_that_hangs_is_killed_and_cleaned_up(tmp_path: Path, monkeypatch, private_tmp: Path) -> None:
    _fake_soffice(tmp_path, monkeypatch, f"echo $$ > {tmp_path / 'pid'}\nexec sleep 600\n")
    with pytest.raises(DataError) as exc:
        convert_to_docx(DATA / "bodies" / "tables.odt", timeout=0.5)
    assert str(exc.value) == ("tables.odt: LibreOffice did not finish converting it within 0.5 seconds; "
                              "open it in Word and save it as .docx")
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert list(private_tmp.iterdir()) == []


def test_an_interrupt_kills_libreoffice_and_cleans_up(tmp_path: Path, monkeypatch, private_tmp: Path) -> None:
    _fake_soffice(tmp_path, monkeypatch, "exec sleep 600\n")
    started = []

    class Interrupted(subprocess.Popen):
        def communicate(self, *args, **kwargs):
            started.append(self)
            raise KeyboardInterrupt

    monkeypatch.setattr(convert.subprocess, "Popen", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        convert_to_docx(DATA / "bodies" / "footnotes.rtf")
    assert started[0].returncode == -9  # killed, and waited for
    assert list(private_tmp.iterdir()) == []


def test_a_conversion_that_gives_nothing_is_a_data_error(tmp_path: Path, monkeypatch, private_tmp: Path) -> None:
    _fake_soffice(tmp_path, monkeypatch, "echo 'Error: source file could not be loaded'\n")
    with pytest.raises(DataError) as exc:
        convert_to_docx(DATA / "bodies" / "simple-table.doc")
    assert str(exc.value) == ("simple-table.doc: LibreOffice could not convert it to .docx (Error: source file "
                              "could not be loaded); open it in Word and save it as .docx")
    assert list(private_tmp.iterdir()) == []

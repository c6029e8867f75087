"""Tests of the per-person working copies: made once by the renderer, marked, synced, and the same in any process."""
from __future__ import annotations

import hashlib
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import ooxml, render
from qmsdocs.outputs import SyncedFiles
from qmsdocs.verify import PROP_BODY, PROP_WORKING_COPY, verify_file
from qmsdocs.working_copies import new_with_outputs, split
from qmsdocs.workspace import Workspace

from conftest import ROOT

SAMPLE = ROOT / "records" / "scores.xlsx"


def _props(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return ooxml.custom_properties(zf.read(ooxml.CUSTOM_PART))


def _body_sha(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return hashlib.sha256(zf.read("word/document.xml")).hexdigest()


def test_a_working_copy_names_its_source_and_the_hash_of_its_body(ws: Workspace, tmp_path: Path) -> None:
    made = new_with_outputs(ws, "scores", SAMPLE, split=str(tmp_path / "split"))
    first = Path(made["split"][0])
    assert _props(first) == {PROP_WORKING_COPY: f"{made['doc_no']} version 1.0", "qmsdocs.source_status": "draft",
                             PROP_BODY: _body_sha(first)}
    assert verify_file(ws, first)["reason"] == f"working copy of {made['doc_no']} version 1.0, not a controlled document"
    # Only its body is hashed: a copy whose body was changed afterwards says so.
    with zipfile.ZipFile(first) as zf:
        parts = [(info.filename, zf.read(info)) for info in zf.infolist()]
    altered = [(n, d.replace(b"</w:body>", b"<w:p/></w:body>") if n == "word/document.xml" else d) for n, d in parts]
    first.write_bytes(ooxml.write_package(altered))
    assert verify_file(ws, first)["reason"].endswith("; and it was altered after it was made")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A minimal .docx template: a title from the shared variables, a name and a score per document."""
    path = tmp_path / "t.docx"
    body = (f'<w:document xmlns:w="{ooxml.W_NS}"><w:body><w:p><w:r><w:t>{{{{ title }}}}</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>{{ name }}</w:t><w:tab/><w:t>{{ score }}</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>')
        zf.writestr("_rels/.rels",
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '</Relationships>')
        zf.writestr("word/document.xml", body)
        zf.writestr(ooxml.CORE_PART, ooxml.core_xml({}))
    return path


def test_the_renderer_writes_the_same_bytes_as_adding_the_properties_afterwards(template: Path) -> None:
    # One pass (the properties written as the document is rendered, the body hashed as it streams)
    # gives the file the former two did (render; then unpack, hash the body, repack), byte for byte.
    compiled = render.load_template(template)
    context = {"title": "Q4 & more", "name": "员工1", "score": "81.5"}
    custom = {PROP_WORKING_COPY: "X version 1.0", "qmsdocs.source_status": "draft"}
    once = compiled.fill(context, {"title": "t"}, custom=custom, body_property=PROP_BODY)
    plain = compiled.fill(context, {"title": "t"}).package
    body = dict(ooxml.read_package(plain))["word/document.xml"]
    assert once.package == ooxml.add_custom_properties(plain, custom | {PROP_BODY: hashlib.sha256(body).hexdigest()})
    assert once.text == "Q4 & more\n员工1\t81.5\n"


def test_the_working_copies_are_the_same_with_workers_started_early(ws: Workspace, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []

    class Counted(render.Series):
        def __init__(self, template: Any, processes: int) -> None:
            made.append(processes)
            super().__init__(template, processes)

    monkeypatch.setattr(render, "Series", Counted)
    issued = new_with_outputs(ws, "scores", SAMPLE, split=str(tmp_path / "two"), jobs=2)
    assert made == [2]  # started before the workbook was read, and used for the working copies
    again = split(ws, issued["doc_no"], None, tmp_path / "one", jobs=1)
    assert made == [2, 1]
    assert [Path(p).name for p in issued["split"]] == [Path(p).name for p in again["split"]]
    assert [Path(p).read_bytes() for p in issued["split"]] == [Path(p).read_bytes() for p in again["split"]]


def test_synced_files_writes_each_file_once_and_syncs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    with SyncedFiles(max_bytes=12) as files:
        for i in range(7):
            files.write(tmp_path / f"{i}.docx", f"file {i}".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i}.docx" for i in range(7)]
    assert [(tmp_path / f"{i}.docx").read_text() for i in range(7)] == [f"file {i}" for i in range(7)]
    assert len(synced) == 7


def test_synced_files_raises_a_failed_write_and_writes_nothing_after_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with SyncedFiles() as files:
            files.write(tmp_path / "missing" / "a.docx", b"a")
    with pytest.raises(KeyboardInterrupt):
        with SyncedFiles() as files:
            for i in range(50):
                files.write(tmp_path / f"{i}.docx", b"x")
            raise KeyboardInterrupt
    # Leaving the block stopped its writer: no file is being written once the caller undoes, and
    # each file written before is whole.
    assert not [t for t in threading.enumerate() if t.name.startswith("qms-sync")]
    assert all(p.read_bytes() == b"x" for p in tmp_path.iterdir() if p.is_file())


def test_a_worker_renders_from_the_code_it_is_handed_without_compiling(template: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    compiled = render.load_template(template)
    context = {"title": "Q4 & more", "name": "员工1", "score": "81.5"}

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(render.environment(), "compile", refuse)
    render._start_worker(compiled.path, compiled.entries, compiled.sources, compiled.unchanged,
                         marshal.dumps(compiled.all_codes))
    try:
        assert render._worker_template is not None
        assert render._worker_template.render(context, {"title": "t"}) == compiled.render(context, {"title": "t"})
    finally:
        render._worker_template = None


def test_parts_the_same_in_every_document_are_compressed_once(template: Path) -> None:
    compiled = render._compile(template, *render.patched_parts(template))
    context = {"title": "Q4 & more", "name": "员工1", "score": "81.5"}
    custom = {PROP_WORKING_COPY: "X version 1.0"}
    first = compiled.fill(context, {"title": "t"}, custom=custom, body_property=PROP_BODY).package
    kept = dict(compiled._deflated)
    assert sorted(name for name, _ in kept) == ["[Content_Types].xml", "_rels/.rels", ooxml.CORE_PART]
    second = compiled.fill(context | {"name": "员工2"}, {"title": "t"}, custom=custom, body_property=PROP_BODY)
    assert compiled._deflated == kept  # nothing compressed again
    assert "员工2" in second.text
    core = ooxml.core_xml({"title": "t"})
    assert compiled.deflated(ooxml.CORE_PART, core) is kept[(ooxml.CORE_PART, core)]
    # An entry found in the memo is the entry compressed afresh, byte for byte.
    fresh = ooxml.write_package([(name, data) for name, data in ooxml.read_package(first)])
    assert first == fresh


def test_files_written_by_another_process_are_synced_once_each(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from qmsdocs.outputs import write_unsynced

    for i in range(5):
        write_unsynced(tmp_path / f"{i}.docx", b"from a worker")
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    with SyncedFiles() as files:
        for i in range(5):
            files.sync(tmp_path / f"{i}.docx")
    assert len(synced) == 5
    with pytest.raises(FileNotFoundError):
        with SyncedFiles() as files:
            files.sync(tmp_path / "never written.docx")


def test_headers_that_use_only_shared_variables_are_filled_once_and_come_out_the_same(tmp_path: Path) -> None:
    path = tmp_path / "framed.docx"
    w = f'xmlns:w="{ooxml.W_NS}"'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>')
        zf.writestr("word/document.xml", f"<w:document {w}><w:body><w:p><w:r><w:t>{{{{ name }}}}</w:t></w:r></w:p>"
                                         "</w:body></w:document>")
        zf.writestr("word/header1.xml", f"<w:hdr {w}><w:p><w:r><w:t>{{{{ title }}}} &amp; co</w:t></w:r></w:p></w:hdr>")
        zf.writestr("word/footer1.xml", f"<w:ftr {w}><w:p><w:r><w:t>{{{{ name }}}}</w:t></w:r></w:p></w:ftr>")
        zf.writestr(ooxml.CORE_PART, ooxml.core_xml({}))
    compiled = render.load_template(path)
    shared = {"title": "Q4 <draft>"}
    parts = compiled.frame_parts(shared, {"name"})
    assert sorted(parts) == ["word/header1.xml"]  # the footer prints a name of each document's own
    assert parts["word/header1.xml"][1] == "Q4 <draft> & co\n"
    jobs = [render.Job({"name": f"员工{i}"}, [f"员工{i}"], f"doc {i}") for i in range(6)]
    made: dict[int, bytes] = {}
    render.render_series(compiled, render.Common(shared, {"title": "t"}, ["Q4 <draft> & co"]), jobs, 1,
                         made.__setitem__)
    assert [made[i] for i in range(6)] == [compiled.render(shared | job.context, {"title": "t"}) for job in jobs]
    # A document that brings a variable of the same name as a shared one fills the header itself.
    assert compiled.frame_parts(shared, {"name", "title"}) == {}

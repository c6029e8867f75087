"""Tests of qmsdocs.render.render_series: many documents from one template, in one or more processes."""
from __future__ import annotations

import zipfile
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import ooxml
from qmsdocs.errors import ReadbackError
from qmsdocs.render import Common, Job, load_template, render_series

W = ooxml.W_NS


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A minimal .docx template: a title from the shared variables, a name and a score per document."""
    path = tmp_path / "t.docx"
    body = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>{{{{ title }}}}</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>{{ name }}</w:t><w:tab/><w:t>{{ score }}</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", body)
        zf.writestr("word/styles.xml", f'<w:styles xmlns:w="{W}"/>')
        zf.writestr(ooxml.CORE_PART, ooxml.core_xml({}))
    return path


def _jobs(count: int) -> list[Job]:
    return [Job({"name": f"员工{i}", "score": f"{80 + i}.5"}, [f"员工{i}", f"{80 + i}.5"], f"doc {i}")
            for i in range(count)]


def _render(template: Path, jobs: list[Job], processes: int) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    render_series(load_template(template), Common({"title": "Q4 & more"}, {"title": "t"}, ["Q4 & more"]), jobs,
                  processes, out.__setitem__)
    return out


def test_each_document_once_and_the_same_bytes_in_any_number_of_processes(template: Path) -> None:
    jobs = _jobs(40)
    alone = _render(template, jobs, 1)
    assert sorted(alone) == list(range(40))
    assert _render(template, jobs, 2) == alone
    text = ooxml.document_text(alone[7])
    assert text == "Q4 & more\n员工7\t87.5"


def test_a_value_missing_from_a_document_is_refused(template: Path) -> None:
    jobs = _jobs(20)
    jobs[13] = Job(jobs[13].context, jobs[13].expected + ["never printed"], "doc 13")
    for processes in (1, 2):
        with pytest.raises(ReadbackError, match="doc 13: the rendered document lacks 'never printed'"):
            _render(template, jobs, processes)


class _BrokenPool:
    """A process pool whose workers never start, as in a sandbox that forbids processes."""

    def __init__(self, **_: Any) -> None:
        pass

    def submit(self, *_: Any) -> Future:
        future: Future = Future()
        future.set_exception(BrokenProcessPool("no processes here"))
        return future

    def shutdown(self, **_: Any) -> None:
        pass


def test_workers_that_cannot_start_leave_the_work_to_this_process(template: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    jobs = _jobs(30)
    alone = _render(template, jobs, 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _BrokenPool)
    assert _render(template, jobs, 4) == alone


def test_documents_are_written_by_whichever_process_renders_them(template: Path, tmp_path: Path) -> None:
    jobs = _jobs(25)
    alone = _render(template, jobs, 1)
    targets = [tmp_path / f"{i}.docx" for i in range(25)]
    reported: list[Any] = []
    render_series(load_template(template), Common({"title": "Q4 & more"}, {"title": "t"}, ["Q4 & more"]), jobs, 2,
                  lambda index, package: reported.append((index, package)), targets)
    assert sorted(reported) == [(i, None) for i in range(25)]
    assert [t.read_bytes() for t in targets] == [alone[i] for i in range(25)]

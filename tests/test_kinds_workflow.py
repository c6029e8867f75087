"""A document controller's round with Word-body documents: what show names, existing numbers typed
in other spellings, the history workbook, update and revise with a new body, verify and copies."""
from __future__ import annotations

import io
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, sign_all, tree_digest
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

BODIES = Path(__file__).parent / "data" / "bodies"
LIST = BODIES / "simple-list.docx"
PICTURE = BODIES / "tiny-picture.docx"
EXISTING = ("--version", "2.1", "--effective", "2021-03-01")


def qms(records: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--records", str(records), *args], input=input, catch_exceptions=False)


def qms_json(records: Path, *args: str, input: str | None = None) -> dict:
    result = qms(records, *args, "--json", input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_show_names_the_frozen_body_and_the_file_as_given(records: Path) -> None:
    source = BODIES / "58067.docx"
    qms_json(records, "new", "form", "--body", str(source), "--title", "T", "--accept-changes")
    shown = qms_json(records, "show", "HO-JZ-BD-2026-001")["revisions"][0]
    import hashlib

    assert (shown["input"], shown["input_is"], shown["source"], shown["source_sha256"]) == (
        "58067.docx", "body", "58067.docx", hashlib.sha256(source.read_bytes()).hexdigest())
    assert shown["input_sha256"] != shown["source_sha256"]
    text = qms(records, "show", "HO-JZ-BD-2026-001").stdout.splitlines()
    assert text[-2:] == [f"         frozen body 58067.docx  sha256 {shown['input_sha256']}",
                         f"         as given 58067.docx  sha256 {shown['source_sha256']}  (kept as evidence)"]


def test_show_of_a_body_taken_as_it_is_names_it_once(records: Path) -> None:
    qms_json(records, "new", "form", "--body", str(LIST), "--title", "T")
    text = qms(records, "show", "HO-JZ-BD-2026-001").stdout
    assert "frozen body simple-list.docx" in text and "as given" not in text


@pytest.mark.parametrize("spelling", ["qp-07", "ＱＰ－０７", " QP-07 ", "Qp-07"])
def test_an_existing_number_in_another_spelling_is_a_duplicate(records: Path, spelling: str) -> None:
    qms_json(records, "new", "procedure", "--body", str(LIST), "--title", "T", "--doc-no", "QP-07", *EXISTING)
    before = tree_digest(records)
    result = qms(records, "new", "procedure", "--body", str(PICTURE), "--title", "T2", "--doc-no", spelling,
                 *EXISTING)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: document number {unicodedata.normalize('NFKC', spelling).strip()} is already registered (QP-07, a procedure document); "
           "see: qms show QP-07\n")
    assert tree_digest(records) == before


@pytest.mark.parametrize("spelling, message", [
    ("QP\u201007", "option --doc-no: 'QP‐07' holds the dash U+2010 (hyphen) at position 3; type the hyphen-minus (-)"),
    ("QP\u221207", "option --doc-no: 'QP−07' holds the dash U+2212 (minus sign) at position 3; type the "
                   "hyphen-minus (-)"),
    ("QP-07\u200b", "option --doc-no: 'QP-07\\u200b' holds the invisible character U+200B at position 6; type the "
                    "number as printed"),
    ("ＱＰ／０７", "option --doc-no: 'QP/07' must be at most 64 characters, without spaces or characters a file "
                  "name cannot hold"),
])
def test_a_look_alike_number_is_refused(records: Path, spelling: str, message: str) -> None:
    qms_json(records, "new", "procedure", "--body", str(LIST), "--title", "T", "--doc-no", "QP-07", *EXISTING)
    before = tree_digest(records)
    result = qms(records, "new", "procedure", "--body", str(PICTURE), "--title", "T2", "--doc-no", spelling,
                 *EXISTING)
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")
    assert tree_digest(records) == before


def test_a_full_width_number_is_registered_in_ascii(records: Path) -> None:
    made = qms_json(records, "new", "procedure", "--body", str(LIST), "--title", "T", "--doc-no", "ＱＰ－０８",
                    *EXISTING)
    assert made["doc_no"] == "QP-08" and (records / "documents" / "QP-08").is_dir()


def test_the_next_number_skips_one_registered_in_lower_case(records: Path) -> None:
    qms_json(records, "new", "regulation", "--body", str(LIST), "--title", "T", "--doc-no", "ho-jz-gl-2026-001",
             "--version", "1.0", "--effective", "2026-03-01")
    made = qms_json(records, "new", "regulation", "--body", str(PICTURE), "--title", "T2")
    assert made["doc_no"] == "HO-JZ-GL-2026-002"


def test_a_kind_coded_like_another_in_lower_case_is_refused(records: Path) -> None:
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('\n[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRAWING"\ncode = "gl"\n')
    result = qms(records, "new", "drawing", "--body", str(LIST), "--title", "T")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {records / 'qms.toml'}: kinds.drawing.code = 'gl' is already the code of regulation ('GL'); "
           "each kind needs a code of its own (compared without regard to case)\n")


def _history(path: Path, rows: list[list[object]], sheet: str = "History") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["version", "pages", "change_no", "changed_by", "effective_date", "summary"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("rows, sheet, lines", [
    ([["1.0", "All", "", "Wang", "2019-13-01", "first"], ["1.5", "3", "", "", "2020-06-01", ""],
      ["3.0", "", "", "", "2020-07-01", "s"]], "History",
     ["sheet History, row 2, column effective_date: 2019-13-01 is not a valid date (no such month or day)",
      "sheet History, row 3, column summary: is empty; expected text",
      "sheet History, row 4, column version: 3.0 is not before the version being registered"]),
    ([["1.0", "All", "", "Wang", "2019-01-01", "first"]], "Sheet9",
     [": missing sheet History (修订记录); the workbook has: Sheet9"]),
])
def test_history_workbook_errors_name_sheet_row_and_column(records: Path, tmp_path: Path, rows: list,
                                                            sheet: str, lines: list[str]) -> None:
    path = _history(tmp_path / "h.xlsx", rows, sheet)
    before = tree_digest(records)
    result = qms(records, "new", "procedure", "--body", str(LIST), "--title", "T", "--doc-no", "QP-09", *EXISTING,
                 "--history", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {path}{'' if line.startswith(':') else ', '}{line}"
                                          for line in lines]
    assert tree_digest(records) == before


def test_a_fifo_given_as_history_is_refused_without_waiting(records: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "history.xlsx"
    os.mkfifo(fifo)
    result = qms(records, "new", "procedure", "--body", str(LIST), "--title", "T", "--doc-no", "QP-09", *EXISTING,
                 "--history", str(fifo))
    assert (result.exit_code, result.stderr) == (2, f"Error: {fifo}: is a named pipe (FIFO), not a file\n")


def _headers(path: Path) -> str:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        return "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))


def test_update_and_revise_with_a_body_void_signatures_keep_the_cover_choice_and_verify(
        records: Path, ws: Workspace, tmp_path: Path) -> None:
    doc = qms_json(records, "new", "regulation", "--body", str(LIST), "--title", "T", "--cover", "none")["doc_no"]
    sign_all(ws, doc, ("compile", "review"))
    updated = qms_json(records, "update", doc, "--body", str(PICTURE))
    shown = qms_json(records, "show", doc)["revisions"][0]["signatures"]
    assert [(s["role"], s["valid"]) for s in shown] == [("compile", False), ("review", False)]
    draft = tmp_path / "draft.docx"
    draft.write_bytes(Path(updated["path"]).read_bytes())
    checked = qms(records, "verify", str(draft))
    assert (checked.exit_code, checked.stdout) == (1, f"NOT OK: {doc} version 1.0 is a draft, not released\n")
    sign_all(ws, doc)
    released = qms_json(records, "release", doc)
    assert qms(records, "verify", released["path"]).exit_code == 0
    assert "Wang Jianguo" not in "".join(_texts(Path(released["path"])))  # no cover: no approval block
    revised = qms_json(records, "revise", doc, "--change-no", "CR-7", "--by", "Wang Jianguo", "--summary", "New",
                       "--body", str(LIST), "--password-stdin", input=PASSWORD + "\n")
    texts = _texts(Path(revised["path"]))
    assert texts[0] == "Apple" and "Revision record" not in texts
    issued = qms_json(records, "copies", "issue", doc, "--holder", "Line 2")["copies"][0]
    assert f"Copy No.: {doc}-C01" in _headers(Path(issued["path"]))


def _texts(path: Path) -> list[str]:
    from qmsdocs.body.readback import body_paragraphs

    return body_paragraphs(path.read_bytes(), path.name)

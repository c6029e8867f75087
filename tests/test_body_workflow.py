"""Word-body documents through the whole workflow: new --body, sign, release, verify, copies, export,
revise --body, update --body, get --body, refusals, and documents registered at their existing number."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, ROOT, sign_all, tree_digest
from office import SOFFICE, needs_libreoffice
from qmsdocs import bundle as bundle_mod
from qmsdocs import lifecycle, reports
from qmsdocs.body.readback import body_paragraphs
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

REGULATION = ROOT / "records" / "regulation.docx"
BODIES = Path(__file__).parent / "data" / "bodies"
REFUSED = Path(__file__).parent / "data" / "bodies-refused"
DOC = "HO-JZ-GL-2026-001"
TITLE = "客户服务体系考评管理办法"


def qms(records: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--records", str(records), *args], input=input, catch_exceptions=False)


def qms_json(records: Path, *args: str, input: str | None = None) -> dict:
    result = qms(records, *args, "--json", input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def docx_texts(path: Path) -> list[str]:
    return body_paragraphs(path.read_bytes(), path.name)


def in_order(wanted: list[str], found: list[str]) -> bool:
    """Return whether ``wanted`` appears in ``found`` in order (other paragraphs between)."""
    rest = iter(found)
    return all(any(w == f for f in rest) for w in wanted)


def header_texts(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))


@pytest.fixture
def released(records: Path, ws: Workspace) -> dict:
    made = qms_json(records, "new", "regulation", "--body", str(REGULATION), "--title", TITLE)
    sign_all(ws, made["doc_no"])
    return qms_json(records, "release", made["doc_no"])


def test_new_body_registers_a_draft_framed_around_the_word_document(records: Path, ws: Workspace) -> None:
    made = qms_json(records, "new", "regulation", "--body", str(REGULATION), "--title", TITLE)
    assert (made["doc_no"], made["type"], made["version"], made["status"]) == (DOC, "regulation", "1.0", "draft")
    framed = Path(made["path"])
    texts = docx_texts(framed)
    assert texts[:4] == ["Hong'ou Display", "Technical Quality Dept. MANAGEMENT REGULATION", "", TITLE]
    assert in_order([t for t in docx_texts(REGULATION) if t.strip()], texts)  # every body paragraph, in order
    assert DOC in header_texts(framed.read_bytes()) and "DRAFT" in header_texts(framed.read_bytes())
    import docx

    document = docx.Document(str(framed))
    assert (document.core_properties.identifier, document.core_properties.version,
            document.core_properties.content_status, document.core_properties.subject) == (
        DOC, "1.0", "Draft", "regulation")
    bundle = bundle_mod.load(ws.store, ws.register.one("SELECT bundle_sha256 FROM revisions")["bundle_sha256"])
    assert ws.store.get(bundle.input_sha256, "body") == REGULATION.read_bytes()
    assert (bundle.template_sha256, bundle.cover, bundle.settings["kind_label"]) == (
        "", "standard", ["管理办法", "MANAGEMENT REGULATION"])


def test_a_body_document_walks_through_sign_release_verify_copies_and_export(
        records: Path, ws: Workspace, released: dict, tmp_path: Path) -> None:
    assert released["status"] == "effective"
    framed = Path(released["path"])
    assert "CONTROLLED" in header_texts(framed.read_bytes())
    assert "Zhao Deming" in docx_texts(framed)[0:60]  # the approval block names the approver
    checked = qms_json(records, "verify", str(framed))
    assert (checked["doc_no"], checked["unaltered"], checked["current"]) == (DOC, True, True)
    issued = qms_json(records, "copies", "issue", DOC, "--holder", "Team 1")
    copy = Path(issued["copies"][0]["path"])
    assert qms_json(records, "verify", str(copy))["copy_no"] == "HO-JZ-GL-2026-001-C01"
    assert "HO-JZ-GL-2026-001-C01" in docx_texts(copy)
    exported = qms_json(records, "export", "-o", str(tmp_path / "audit.zip"), DOC)
    with zipfile.ZipFile(exported["path"]) as zf:
        names = zf.namelist()
    assert any(n.endswith("HO-JZ-GL-2026-001_1.0.docx") for n in names)
    listed = qms_json(records, "list", "--type", "regulation")["documents"]
    assert [(d["doc_no"], d["type"], d["status"]) for d in listed] == [(DOC, "regulation", "effective")]


def test_rendering_a_body_document_is_deterministic(ws: Workspace, released: dict) -> None:
    from qmsdocs import audit
    from qmsdocs.clock import today
    from qmsdocs.rendering import render_revision

    rev = ws.register.one("SELECT * FROM revisions")
    head = audit.head(ws.register)
    assert render_revision(ws, rev, "effective", head, today()) == render_revision(ws, rev, "effective", head,
                                                                                    today())


def test_revise_update_and_get_the_body(records: Path, ws: Workspace, released: dict, tmp_path: Path) -> None:
    bare = tmp_path / "bare.docx"
    got = qms_json(records, "get", DOC, "--body", "-o", str(bare))
    assert (got["version"], bare.read_bytes()) == ("1.0", REGULATION.read_bytes())
    revised = qms_json(records, "revise", DOC, "--change-no", "CR-1", "--by", "Wang Jianguo", "--summary",
                       "New list", "--body", str(BODIES / "simple-list.docx"), "--password-stdin",
                       input=PASSWORD + "\n")
    assert (revised["version"], revised["status"]) == ("1.1", "draft")
    assert "Apple" in docx_texts(Path(revised["path"]))
    updated = qms_json(records, "update", DOC, "--body", str(BODIES / "tiny-picture.docx"))
    assert "Apple" not in docx_texts(Path(updated["path"]))
    qms_json(records, "get", DOC, "--body", "-o", str(bare), "--force")
    assert bare.read_bytes() == (BODIES / "tiny-picture.docx").read_bytes()
    old = tmp_path / "old.docx"
    qms_json(records, "get", DOC, "--version", "1.0", "--body", "-o", str(old))
    assert old.read_bytes() == REGULATION.read_bytes()
    history = [r["summary"] for r in reports.show(ws, DOC)["revisions"]]
    assert history == ["Initial issue", "New list"]


def test_get_refuses_paths_inside_the_workspace_and_existing_files(records: Path, released: dict,
                                                                  tmp_path: Path) -> None:
    inside = qms(records, "get", DOC, "--body", "-o", str(records / "x.docx"))
    assert inside.exit_code == 2 and "inside the workspace" in inside.stderr
    (tmp_path / "there.docx").write_bytes(b"x")
    there = qms(records, "get", DOC, "--body", "-o", str(tmp_path / "there.docx"))
    assert there.exit_code == 2 and "--force" in there.stderr


def test_a_framed_file_given_as_body_is_refused_with_advice(records: Path, released: dict) -> None:
    result = qms(records, "new", "procedure", "--body", released["path"], "--title", "Again")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {released['path']} already carries the qmsdocs frame of {DOC}: give the "
                             "original Word document without its cover and control header (qms get "
                             f"{DOC} --body -o FILE.docx gives it back)\n")


@pytest.mark.parametrize("name, options, message", [
    ("58067.docx", (), "has 7 tracked changes: accept or reject all changes in Word (Review > Accept All), "
                       "or give --accept-changes"),
    ("comments.docx", (), "has 2 comments: delete the comments in Word (Review > Delete All "
                          "Comments), or give --drop-comments"),
])
def test_tracked_changes_and_comments_are_refused_with_counts(records: Path, name: str, options: tuple,
                                                               message: str) -> None:
    before = tree_digest(records)
    result = qms(records, "new", "form", "--body", str(BODIES / name), "--title", "T", *options)
    assert (result.exit_code, result.stderr) == (2, f"Error: {BODIES / name} {message}\n")
    assert tree_digest(records) == before


def test_accepting_changes_freezes_the_clean_body_and_keeps_the_original(records: Path, ws: Workspace) -> None:
    made = qms_json(records, "new", "form", "--body", str(BODIES / "58067.docx"), "--title", "T",
                    "--accept-changes")
    bundle = bundle_mod.load(ws.store, ws.register.one("SELECT bundle_sha256 FROM revisions")["bundle_sha256"])
    assert ws.store.get(bundle.source_sha256, "source") == (BODIES / "58067.docx").read_bytes()
    assert bundle.input_sha256 != bundle.source_sha256
    from qmsdocs.body.inspect import inspect_body

    assert inspect_body(ws.store.get(bundle.input_sha256, "body"), "b").tracked_changes == 0
    assert made["doc_no"] == "HO-JZ-BD-2026-001"


def test_macros_are_refused(records: Path) -> None:
    result = qms(records, "new", "form", "--body", str(REFUSED / "SimpleMacro.docm"), "--title", "T")
    assert result.exit_code == 2
    assert "holds macros (a VBA project): save it in Word as Word Document (.docx)" in result.stderr


@pytest.mark.parametrize("args, message", [
    (("new", "regulation", "--body", str(REGULATION)),
     "option --title is required for a regulation document (the title its cover shows)"),
    (("new", "regulation", "--data", str(REGULATION), "--title", "T"),
     "regulation documents are Word documents: give --body FILE.docx, not --data"),
    (("new", "plan", "--body", str(REGULATION)),
     "plan documents are made from a workbook: give --data FILE.xlsx, not --body"),
    (("new", "plan", "--data", "x.xlsx", "--cover", "none"), "option --cover is not for plan documents"),
    (("new", "memo", "--body", str(REGULATION)),
     "unknown kind 'memo'; known: plan, minutes, scores, manual, procedure, regulation, instruction, form "
     "(a workspace adds Word-document kinds in qms.toml: [kinds.NAME])"),
    (("new", "form", "--body", str(ROOT / "README.md"), "--title", "T"),
     f"{ROOT / 'README.md'}: give a Word document (.docx, or .doc, .odt or .rtf to be converted with LibreOffice)"),
    (("new", "form", "--body", str(REGULATION), "--title", "T", "--doc-no", "QS-1"),
     "registering an existing document needs --doc-no, --version and --effective; missing: --version, --effective"),
])
def test_usage_errors(records: Path, args: tuple, message: str) -> None:
    result = qms(records, *args)
    assert (result.exit_code, result.stderr) == (2, f"Error: {message}\n")


def test_cover_none_keeps_only_the_control_header(records: Path) -> None:
    made = qms_json(records, "new", "form", "--body", str(BODIES / "simple-list.docx"), "--title", "T",
                    "--cover", "none")
    framed = Path(made["path"])
    assert docx_texts(framed)[0] == docx_texts(BODIES / "simple-list.docx")[0]
    assert "HO-JZ-BD-2026-001" in header_texts(framed.read_bytes())


def test_missing_libreoffice_is_a_usage_error_saying_what_to_install(records: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = qms(records, "new", "form", "--body", str(BODIES / "simple-table.doc"), "--title", "T")
    assert (result.exit_code, result.stderr) == (
        2, "Error: converting simple-table.doc to .docx needs LibreOffice (soffice) on the PATH; install "
           "libreoffice-writer-nogui\n")


@pytest.mark.libreoffice
@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) converts .doc bodies")
def test_a_doc_body_is_converted_and_the_original_kept(records: Path, ws: Workspace) -> None:
    qms_json(records, "new", "form", "--body", str(BODIES / "simple-table.doc"), "--title", "T")
    bundle = bundle_mod.load(ws.store, ws.register.one("SELECT bundle_sha256 FROM revisions")["bundle_sha256"])
    assert (bundle.input_name, bundle.source_name) == ("simple-table.docx", "simple-table.doc")
    assert ws.store.get(bundle.source_sha256, "source") == (BODIES / "simple-table.doc").read_bytes()


# -- documents registered at their existing number -------------------------------------------------

def _history(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "History"
    sheet.append(["version", "pages", "change_no", "changed_by", "effective_date", "summary"])
    for row in rows:
        sheet.append(row)
    wb.save(path)
    return path


def test_an_existing_document_is_registered_at_its_number_and_version(records: Path, ws: Workspace,
                                                                      tmp_path: Path) -> None:
    history = _history(tmp_path / "h.xlsx", [["1.0", "", "", "Zhang San", "2019-03-01", "First issue"],
                                             ["1.1", "4", "CR-2020-03", "Li Si", "2020-06-01", "New scope"]])
    made = qms_json(records, "new", "regulation", "--body", str(REGULATION), "--title", TITLE, "--doc-no",
                    "QS-TQ-017", "--version", "2.0", "--effective", "2021-01-01", "--history", str(history))
    assert (made["doc_no"], made["version"], made["status"], made["effective_date"]) == (
        "QS-TQ-017", "2.0", "effective", "2021-01-01")
    texts = docx_texts(Path(made["path"]))
    assert "First issue (taken over)" in texts and "CR-2020-03" in texts
    assert "Existing controlled document taken over" in texts
    assert qms_json(records, "verify", made["path"])["current"] is True
    assert ws.register.one("SELECT taken_over FROM revisions")["taken_over"] == 1
    again = qms(records, "new", "regulation", "--body", str(REGULATION), "--title", TITLE, "--doc-no",
                "qs-tq-017", "--version", "2.0", "--effective", "2021-01-01")
    assert again.exit_code == 1
    assert again.stderr == ("Error: document number qs-tq-017 is already registered (QS-TQ-017, a regulation "
                            "document); see: qms show QS-TQ-017\n")
    revised = qms_json(records, "revise", "QS-TQ-017", "--change-no", "CR-1", "--by", "Wang Jianguo",
                       "--summary", "Seed text", "--password-stdin", input=PASSWORD + "\n")
    assert revised["version"] == "2.1"
    assert "First issue (taken over)" in docx_texts(Path(revised["path"]))


def test_a_history_out_of_order_is_a_data_error(records: Path, tmp_path: Path) -> None:
    history = _history(tmp_path / "h.xlsx", [["1.1", "", "", "", "2019-03-01", "a"], ["1.0", "", "", "", "2020-01-01", "b"],
                                             ["x", "", "", "", "2020-01-01", "c"]])
    result = qms(records, "new", "regulation", "--body", str(REGULATION), "--title", TITLE, "--doc-no", "QS-1",
                 "--version", "1.1", "--effective", "2021-01-01", "--history", str(history))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {history}, sheet History, row 2, column version: 1.1 is not before the version being registered",
        f"Error: {history}, sheet History, row 3, column version: 1.0 does not come after the row above it",
        f"Error: {history}, sheet History, row 4, column version: 'x' is not a version of the decimal scheme "
        "(e.g. 1.0, 2.3)"]


@needs_libreoffice
def test_export_pdf_of_a_body_document_has_the_number_on_every_page(records: Path, released: dict,
                                                                    tmp_path: Path) -> None:
    exported = qms_json(records, "export", "-o", str(tmp_path / "a.zip"), "--pdf", DOC)
    with zipfile.ZipFile(exported["path"]) as zf:
        name = next(n for n in zf.namelist() if n.endswith("_1.0.pdf"))
        (tmp_path / "d.pdf").write_bytes(zf.read(name))
    import subprocess

    # Raw order keeps a table cell's lines together: the number may wrap in its header column.
    text = subprocess.run(["pdftotext", "-raw", str(tmp_path / "d.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = [p.replace("\n", "") for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3 and all(DOC in p for p in pages)


def test_pending_and_periodic_review_treat_body_documents_like_the_others(records: Path, ws: Workspace) -> None:
    made = qms_json(records, "new", "procedure", "--body", str(BODIES / "footnotes.docx"), "--title", "P")
    waiting = reports.pending(ws)["pending"]
    assert [(p["doc_no"], p["reason"], p["waiting_for"]) for p in waiting] == [
        (made["doc_no"], "signature", ["compile", "review", "approve"])]
    sign_all(ws, made["doc_no"])
    lifecycle.release(ws, made["doc_no"])
    reviewed = lifecycle.review(ws, made["doc_no"], "still suitable")
    assert (reviewed["doc_no"], reviewed["version"]) == ("HO-JZ-CX-2026-001", "1.0")

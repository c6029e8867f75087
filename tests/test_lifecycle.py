"""The revision lifecycle: every rule behind exit code 1, and nothing changed by a refusal."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import tree_digest, write_plan, sign
from qmsdocs import lifecycle
from qmsdocs import reports
from qmsdocs.errors import DataError, RuleError, UsageError
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def _signed(ws: Workspace, doc: str = DOC, approver: str = "Zhao") -> None:
    sign(ws, doc, "compile", "Wang")
    sign(ws, doc, "review", "Zhou")
    sign(ws, doc, "approve", approver)


@pytest.fixture
def draft(ws: Workspace, plan_xlsx: Path) -> dict:
    return lifecycle.new(ws, "plan", plan_xlsx)


@pytest.fixture
def effective(ws: Workspace, draft: dict) -> dict:
    _signed(ws)
    return lifecycle.release(ws, DOC)


def test_new_creates_a_draft_revision_one(ws: Workspace, draft: dict) -> None:
    assert {k: draft[k] for k in ("doc_no", "type", "title", "version", "status")} == {
        "doc_no": DOC, "type": "plan", "title": "Evaluation plan Q4", "version": "1.0", "status": "draft"}
    assert Path(draft["path"]).is_file()
    shown = reports.show(ws, DOC)
    assert [r["version"] for r in shown["revisions"]] == ["1.0"]
    assert shown["revisions"][0]["sha256"] == draft["sha256"]


def test_title_option_wins_over_the_workbook(ws: Workspace, plan_xlsx: Path) -> None:
    assert lifecycle.new(ws, "plan", plan_xlsx, title="Own title")["title"] == "Own title"


def test_the_whole_life(ws: Workspace, effective: dict, plan_xlsx: Path) -> None:
    assert effective["status"] == "effective"
    assert effective["effective_date"] == "2026-11-20"
    revised = lifecycle.revise(ws, DOC, "CR-1", "Wang", "New weights", pages="3-4")
    assert (revised["version"], revised["status"], revised["change_no"]) == ("1.1", "draft", "CR-1")
    _signed(ws)
    lifecycle.release(ws, DOC, effective="2026-12-01")
    major = lifecycle.revise(ws, DOC, "CR-2", "Wang", "Rewritten", data=plan_xlsx, major=True)
    assert major["version"] == "2.0"
    statuses = [(r["version"], r["status"], r["effective_date"]) for r in reports.show(ws, DOC)["revisions"]]
    assert statuses == [("1.0", "superseded", "2026-11-20"), ("1.1", "effective", "2026-12-01"),
                        ("2.0", "draft", None)]
    listed = reports.list_documents(ws)["documents"]
    assert [(d["doc_no"], d["version"], d["status"], d["change_no"]) for d in listed] == [
        (DOC, "1.1", "effective", "CR-2")]
    for r in reports.show(ws, DOC)["revisions"]:
        assert Path(r["path"]).is_file()


def test_letter_scheme_and_major(tmp_path: Path, plan_xlsx: Path) -> None:
    from qmsdocs import workspace

    root = workspace.init(tmp_path / "letters", language="en")
    (root / "qms.toml").write_text((root / "qms.toml").read_text().replace('scheme = "decimal"', 'scheme = "letter"'))
    ws = Workspace.open(root, write=True)
    assert lifecycle.new(ws, "plan", plan_xlsx)["version"] == "A/0"
    _signed(ws)
    lifecycle.release(ws, DOC)
    assert lifecycle.revise(ws, DOC, "C1", "W", "minor")["version"] == "A/1"
    _signed(ws)
    lifecycle.release(ws, DOC)
    assert lifecycle.revise(ws, DOC, "C2", "W", "major", major=True)["version"] == "B/0"
    assert Path(reports.show(ws, DOC)["revisions"][-1]["path"]).name == f"{DOC}_B-0.docx"
    ws.close()


def test_numbers_count_per_type_and_year(ws: Workspace, plan_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = [lifecycle.new(ws, "plan", plan_xlsx)["doc_no"] for _ in range(3)]
    monkeypatch.setenv("QMS_TODAY", "2027-01-02")
    numbers.append(lifecycle.new(ws, "plan", plan_xlsx)["doc_no"])
    assert numbers == ["HO-JZ-KP-2026-001", "HO-JZ-KP-2026-002", "HO-JZ-KP-2026-003", "HO-JZ-KP-2027-001"]


# -- refusals: exact message, exit code 1, nothing changed -------------------------------------
REFUSALS = [
    ("release without signatures", [], lambda ws: lifecycle.release(ws, DOC),
     "cannot release HO-JZ-KP-2026-001 1.0: missing signatures: compile, review, approve"),
    ("release missing approve", [("compile", "Wang"), ("review", "Zhou")], lambda ws: lifecycle.release(ws, DOC),
     "cannot release HO-JZ-KP-2026-001 1.0: missing signatures: approve"),
    ("sign out of order", [("compile", "Wang"), ("review", "Zhou")],
     lambda ws: sign(ws, DOC, "standardize", "Chen"),
     "cannot sign standardize on HO-JZ-KP-2026-001 1.0: review has already signed "
     "(order: compile → standardize → review → countersign → approve)"),
    ("approve before review", [("compile", "Wang")], lambda ws: sign(ws, DOC, "approve", "Zhao"),
     "cannot approve HO-JZ-KP-2026-001 1.0 before review has signed"),
    ("approve before everything", [], lambda ws: sign(ws, DOC, "approve", "Zhao"),
     "cannot approve HO-JZ-KP-2026-001 1.0 before compile, review have signed"),
    ("approver is the compiler", [("compile", "Wang"), ("review", "Zhou")],
     lambda ws: sign(ws, DOC, "approve", "Wang"),
     "Wang compiled HO-JZ-KP-2026-001 1.0 and cannot also approve it"),
    ("same role twice", [("compile", "Wang")], lambda ws: sign(ws, DOC, "compile", "Li"),
     "compile has already signed HO-JZ-KP-2026-001 1.0"),
    ("same countersigner twice", [("compile", "Wang"), ("countersign", "Li")],
     lambda ws: sign(ws, DOC, "countersign", "Li"),
     "Li has already countersigned HO-JZ-KP-2026-001 1.0"),
    ("revise a draft-only document", [], lambda ws: lifecycle.revise(ws, DOC, "CR-9", "W", "s"),
     "HO-JZ-KP-2026-001 already has an open draft revision 1.0; release it before revising again"),
]


@pytest.mark.parametrize("signatures, action, message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusals_change_nothing(ws: Workspace, records: Path, draft: dict, signatures, action, message) -> None:
    for role, name in signatures:
        sign(ws, DOC, role, name)
    before = tree_digest(records)
    with pytest.raises(RuleError) as exc:
        action(ws)
    assert str(exc.value) == message
    assert exc.value.exit_code == 1
    assert tree_digest(records) == before


def test_countersign_may_be_several(ws: Workspace, draft: dict) -> None:
    sign(ws, DOC, "compile", "Wang")
    sign(ws, DOC, "countersign", "Li")
    sign(ws, DOC, "countersign", "Liu")
    roles = [s["role"] for s in reports.show(ws, DOC)["revisions"][0]["signatures"]]
    assert roles == ["compile", "countersign", "countersign"]


def test_roles_not_required_may_be_skipped_but_not_signed_late(ws: Workspace, draft: dict) -> None:
    sign(ws, DOC, "compile", "Wang")
    sign(ws, DOC, "review", "Zhou")  # standardize skipped: not required
    with pytest.raises(RuleError, match="standardize"):
        sign(ws, DOC, "standardize", "Chen")


def test_effective_document_refusals(ws: Workspace, records: Path, effective: dict) -> None:
    lifecycle.revise(ws, DOC, "CR-1", "Wang", "first change")
    _signed(ws)
    lifecycle.release(ws, DOC)
    before = tree_digest(records)
    with pytest.raises(RuleError) as exc:
        lifecycle.revise(ws, DOC, "CR-1", "Wang", "again")
    assert str(exc.value) == "change-order number CR-1 is already used by HO-JZ-KP-2026-001 version 1.1"
    with pytest.raises(RuleError) as exc:
        sign(ws, DOC, "compile", "Wang")
    assert str(exc.value) == "HO-JZ-KP-2026-001 has no open draft revision to sign"
    with pytest.raises(RuleError) as exc:
        lifecycle.release(ws, DOC)
    assert str(exc.value) == "HO-JZ-KP-2026-001 has no open draft revision to release"
    assert tree_digest(records) == before


def test_obsolete_withdraws_and_blocks(ws: Workspace, records: Path, effective: dict) -> None:
    result = lifecycle.obsolete(ws, DOC, "Zhao", "Replaced by the 2027 plan")
    assert result["status"] == "obsolete"
    before = tree_digest(records)
    with pytest.raises(RuleError) as exc:
        lifecycle.revise(ws, DOC, "CR-5", "Wang", "late")
    assert str(exc.value) == "HO-JZ-KP-2026-001 is obsolete; it cannot be revised"
    with pytest.raises(RuleError) as exc:
        lifecycle.obsolete(ws, DOC, "Zhao", "twice")
    assert str(exc.value) == "HO-JZ-KP-2026-001 is already obsolete (since 2026-11-20)"
    assert tree_digest(records) == before
    shown = reports.show(ws, DOC)
    assert (shown["obsolete_by"], shown["obsolete_reason"]) == ("Zhao", "Replaced by the 2027 plan")


@pytest.mark.parametrize("call, message", [
    (lambda ws: sign(ws, "HO-NOPE", "compile", "W"), "unknown document HO-NOPE; see: qms list"),
    (lambda ws: sign(ws, DOC, "compile", "W", date="2026-13-40"),
     "--date: '2026-13-40' is not a date written as YYYY-MM-DD"),
    (lambda ws: sign(ws, DOC, "boss", "W"),
     "unknown role 'boss'; roles: compile, standardize, review, countersign, approve"),
    (lambda ws: sign(ws, DOC, "compile", "  "), "option --name must not be empty"),
    (lambda ws: lifecycle.release(ws, DOC, effective="1.12.2026"),
     "--effective: '1.12.2026' is not a date written as YYYY-MM-DD"),
    (lambda ws: lifecycle.revise(ws, DOC, "CR\x07", "W", "s"),
     "option --change-no: control character U+0007 at position 3 is not allowed (remove it and try again)"),
])
def test_bad_usage_is_exit_two(ws: Workspace, records: Path, draft: dict, call, message: str) -> None:
    before = tree_digest(records)
    with pytest.raises((UsageError, DataError)) as exc:
        call(ws)
    assert str(exc.value) == message
    assert exc.value.exit_code == 2
    assert tree_digest(records) == before


def test_control_character_in_title_registers_nothing(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    before = tree_digest(records)
    with pytest.raises(DataError) as exc:
        lifecycle.new(ws, "plan", plan_xlsx, title="Plan\x0bQ4")
    assert str(exc.value) == "option --title: control character U+000B at position 5 is not allowed " \
                             "(remove it and try again)"
    assert tree_digest(records) == before
    assert reports.list_documents(ws) == {"documents": []}
    # The number was not used up.
    assert lifecycle.new(ws, "plan", plan_xlsx)["doc_no"] == DOC


def test_bad_workbook_registers_nothing(ws: Workspace, records: Path, tmp_path: Path) -> None:
    bad = write_plan(tmp_path / "bad.xlsx", indicators=[["Q1", "x", "quantitative", "process", -1, "repeat_rate",
                                                         "10%", "5%", "check"]])
    before = tree_digest(records)
    with pytest.raises(DataError) as exc:
        lifecycle.new(ws, "plan", bad)
    assert exc.value.lines() == [
        f"{bad}, sheet Indicators, row 2, column weight: -1 is not a number > 0",
        f"{bad}, sheet Indicators, row 2, column limit: 5% is not above the target 10% of indicator Q1 "
        "(lower is better for repeat_rate)",
    ]
    assert tree_digest(records) == before


def test_failure_while_placing_files_undoes_everything(ws: Workspace, records: Path, draft: dict,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _signed(ws)
    before = tree_digest(records)
    import qmsdocs.audit

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(qmsdocs.audit, "record", boom)
    with pytest.raises(RuntimeError):
        lifecycle.release(ws, DOC)
    assert tree_digest(records) == before
    assert reports.show(ws, DOC)["revisions"][0]["status"] == "draft"


def test_signature_binds_to_content(ws: Workspace, draft: dict) -> None:
    sign(ws, DOC, "compile", "Wang")
    sign(ws, DOC, "review", "Zhou")
    # Someone changes what the draft says behind the signatures' back.
    ws.conn.execute("UPDATE revisions SET content_sha256 = 'changed'")
    with pytest.raises(RuleError) as exc:
        lifecycle.release(ws, DOC)
    assert str(exc.value) == "cannot release HO-JZ-KP-2026-001 1.0: missing signatures: compile, review, approve"
    assert [s["valid"] for s in reports.show(ws, DOC)["revisions"][0]["signatures"]] == [False, False]

"""A corpus of bad inputs, each given to the command that takes it.

Every case must end with exit 2 (bad data or usage) or 1 (a rule), ``Error:`` lines on stderr that
say where the problem is, no traceback, and the workspace exactly as it was, byte for byte.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import ROOT, add_roster, sign, tree_digest, write_plan
from qmsdocs import lifecycle
from qmsdocs.cli import cli
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"
SAMPLES = ROOT / "records"


def _mutated(kind: str, change: Callable[[Any], None]) -> Callable[[Path], Path]:
    """Return a builder: the shipped sample of ``kind`` with one change, saved in the test folder."""

    def build(folder: Path) -> Path:
        wb = openpyxl.load_workbook(SAMPLES / f"{kind}.xlsx")
        change(wb)
        path = folder / f"{kind}.xlsx"
        wb.save(path)
        return path

    return build


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _truncated(folder: Path) -> Path:
    data = (SAMPLES / "plan.xlsx").read_bytes()
    path = folder / "plan.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _word(folder: Path) -> Path:
    import docx

    path = folder / "plan.xlsx"
    docx.Document().save(path)
    return path


def _entity_bomb(folder: Path) -> Path:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{"&lol;" * 10 if i == 1 else f"&lol{i - 1};" * 10}">' for i in range(1, 10))
            + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    src = zipfile.ZipFile(SAMPLES / "plan.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, bomb.encode() if info.filename == "xl/worksheets/sheet2.xml" else src.read(info))
    path = folder / "plan.xlsx"
    path.write_bytes(out.getvalue())
    return path


def _zip_bomb(folder: Path) -> Path:
    """A package whose sheet declares 400 MiB: refused before anything is unpacked."""
    src = zipfile.ZipFile(SAMPLES / "plan.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as big:
            chunk = bytes(1 << 20)
            for _ in range(400):
                big.write(chunk)
    path = folder / "plan.xlsx"
    path.write_bytes(out.getvalue())
    return path


def _long_cell(folder: Path) -> Path:
    """The plan sample with a 40,000-character scope: more than Excel (or openpyxl) would ever write."""
    path = _mutated("plan", _cell("Plan", "B5", "LONGCELL"))(folder)
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info).replace(b"LONGCELL", "长".encode() * 40_000))
    path.write_bytes(out.getvalue())
    return path


def _cell(sheet: str, ref: str, value: Any) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb[sheet][ref] = value

    return change


def _many_rows(wb: Any) -> None:
    ratings = wb["Ratings"]
    for n in range(100_000):
        ratings.append([f"X{n}", "王建国", "领导", "S1", 90])


def _delete_sheet(name: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        del wb[name]

    return change


def _new(kind: str, build: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    return lambda folder: ["new", kind, "--data", str(build(folder))]


# (case id, argv builder, exit code, start of the first error line after "Error: ", with {f} for the file)
CASES: list[tuple[str, Callable[[Path], list[str]], int, str]] = [
    ("text renamed .xlsx", _new("plan", _raw("plan.xlsx", b"just some text\n")), 2,
     "{f}: is not an .xlsx workbook"),
    ("empty file", _new("plan", _raw("plan.xlsx", b"")), 2, "{f}: is empty; expected an .xlsx workbook"),
    ("csv", _new("scores", _raw("scores.xlsx", "staff_id,name\nKF001,李明\n".encode())), 2,
     "{f}: is not an .xlsx workbook"),
    ("truncated zip", _new("plan", _truncated), 2, "{f}: is "),
    ("word file", _new("minutes", _word), 2, "{f}: is a Word document"),
    ("xls header", _new("plan", _raw("plan.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))), 2,
     "{f}: is "),
    ("entity bomb", _new("plan", _entity_bomb), 2, "{f}: "),
    ("zip bomb", _new("plan", _zip_bomb), 2, "{f}: unpacks to"),
    ("missing file", lambda folder: ["new", "plan", "--data", str(folder / "nope.xlsx")], 2, "{f}: no such file"),
    ("a folder", lambda folder: ["new", "plan", "--data", str(folder)], 2, "{f}: is a folder"),
    ("plan: missing sheet", _new("plan", _mutated("plan", _delete_sheet("Indicators"))), 2,
     "{f}: missing sheet Indicators"),
    ("minutes: missing sheet", _new("minutes", _mutated("minutes", _delete_sheet("Attendees"))), 2,
     "{f}: missing sheet Attendees"),
    ("scores: missing sheet", _new("scores", _mutated("scores", _delete_sheet("Ratings"))), 2,
     "{f}: missing sheet Ratings"),
    ("plan: renamed column", _new("plan", _mutated("plan", _cell("Indicators", "E1", "重量"))), 2,
     "{f}, sheet Indicators, row 1: missing column weight"),
    ("scores: missing column", _new("scores", _mutated("scores", _cell("Ratings", "E1", None))), 2,
     "{f}, sheet Ratings, row 1: missing column score"),
    ("plan: text weight", _new("plan", _mutated("plan", _cell("Indicators", "E2", "heavy"))), 2,
     "{f}, sheet Indicators, row 2, column weight: heavy is not a number"),
    ("plan: bad kind", _new("plan", _mutated("plan", _cell("Indicators", "C3", "mixed"))), 2,
     "{f}, sheet Indicators, row 3, column kind: mixed is not one of"),
    ("plan: bad date", _new("plan", _mutated("plan", _cell("Plan", "B7", "2026-13-40"))), 2,
     "{f}, sheet Plan, row 7, column start: 2026-13-40 is not a valid date"),
    ("plan: end before start", _new("plan", _mutated("plan", _cell("Plan", "B8", "2026-11-01"))), 2,
     "{f}, sheet Plan, row 8, column end: end 2026-11-01 is before start 2026-12-01"),
    ("plan: limit below target", _new("plan", _mutated("plan", _cell("Indicators", "H3", "1%"))), 2,
     "{f}, sheet Indicators, row 3, column limit: 1% is not above the target 5%"),
    ("plan: quantitative without metric", _new("plan", _mutated("plan", _cell("Indicators", "F2", None))), 2,
     "{f}, sheet Indicators, row 2, column metric: quantitative indicator Q1 needs a metric"),
    ("plan: duplicate code", _new("plan", _mutated("plan", _cell("Indicators", "A3", "Q1"))), 2,
     "{f}, sheet Indicators, row 3, column code: duplicate indicator code Q1"),
    ("plan: control character", _new("plan", _mutated("plan", _cell("Plan", "B4", "目的_x0007_"))), 2,
     "{f}, sheet Plan, row 4, column purpose: control character U+0007"),
    ("plan: formula without value", _new("plan", _mutated("plan", _cell("Indicators", "E2", "=10+20"))), 2,
     "{f}, sheet Indicators, row 2, column weight: formula"),
    ("plan: over-long cell", _new("plan", _long_cell), 2,
     "{f}, sheet Plan, row 5, column scope: holds 40,000 characters"),
    ("minutes: bad present", _new("minutes", _mutated("minutes", _cell("Attendees", "D2", "maybe"))), 2,
     "{f}, sheet Attendees, row 2, column present: maybe is not one of"),
    ("minutes: bad time", _new("minutes", _mutated("minutes", _cell("Meeting", "B4", "25:00"))), 2,
     "{f}, sheet Meeting, row 4, column start: 25:00 is not a time"),
    ("scores: score out of range", _new("scores", _mutated("scores", _cell("Ratings", "E2", 120))), 2,
     "{f}, sheet Ratings, row 2, column score: 120 is not between 0 and 100"),
    ("scores: negative jobs", _new("scores", _mutated("scores", _cell("Service", "B2", -3))), 2,
     "{f}, sheet Service, row 2, column jobs: -3 is not a whole number"),
    ("scores: first pass above jobs", _new("scores", _mutated("scores", _cell("Service", "C2", 10_000))), 2,
     "{f}, sheet Service, row 2, column first_pass: "),
    ("scores: unknown staff", _new("scores", _mutated("scores", _cell("Ratings", "A2", "KF999"))), 2,
     "{f}, sheet "),
    ("scores: unknown indicator", _new("scores", _mutated("scores", _cell("Ratings", "D2", "Z9"))), 2,
     "{f}, sheet Ratings, row 2, column indicator: "),
    ("scores: duplicate staff", _new("scores", _mutated("scores", _cell("Staff", "A3", "KF001"))), 2,
     "{f}, sheet Staff, row 3, column staff_id: "),
    ("scores: 100,000 dangling rows", _new("scores", _mutated("scores", _many_rows)), 2,
     "{f}, sheet Ratings, row "),
    ("option: bad sign date", lambda folder: ["sign", DOC, "--role", "compile", "--name", "W", "--date", "2026-13-40"],
     2, "--date: '2026-13-40' is not a date written as YYYY-MM-DD"),
    ("option: unknown document", lambda folder: ["sign", "HO-NONE-1", "--role", "compile", "--name", "W"], 2,
     "unknown document HO-NONE-1; see: qms list"),
    ("option: bad effective date", lambda folder: ["release", DOC, "--effective", "tomorrow"], 2,
     "--effective: 'tomorrow' is not a date written as YYYY-MM-DD"),
    ("option: control char in summary",
     lambda folder: ["revise", DOC, "--change-no", "CR-1", "--by", "W", "--summary", "a\x1bb"], 2,
     "option --summary: control character U+001B at position 2"),
    ("option: empty name", lambda folder: ["sign", DOC, "--role", "compile", "--name", " "], 2,
     "option --name must not be empty"),
    ("option: copies count", lambda folder: ["copies", "issue", DOC, "--holder", "H", "--count", "0"], 2,
     "--count 0 must be between 1 and 200"),
    ("option: export name", lambda folder: ["export", "-o", str(folder / "pkg.tar")], 2,
     "{folder}/pkg.tar: the package file must end in .zip"),
    ("option: sheet name", lambda folder: ["sheet", "plan", "-o", str(folder / "blank.xls")], 2,
     "{folder}/blank.xls: the output file must end in .xlsx"),
    ("option: unknown copy", lambda folder: ["copies", "recall", "C-404"], 2,
     "unknown copy C-404; see: qms copies outstanding"),
    ("option: verify a missing file", lambda folder: ["verify", str(folder / "gone.docx")], 2,
     "{folder}/gone.docx: no such file"),
    ("option: split for a plan", lambda folder: ["new", "plan", "--data", str(SAMPLES / "plan.xlsx"), "--split",
                                                 str(folder / "s")], 2, "option --split is not for plan documents"),
    ("rule: duplicate change order", lambda folder: ["revise", DOC, "--change-no", "CR-USED", "--by", "W",
                                                     "--summary", "s"], 1,
     "change-order number CR-USED is already used by HO-JZ-KP-2026-002 version 1.1"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with an effective plan and a second one whose revision used CR-USED."""
    import os

    from qmsdocs import workspace

    os.environ["QMS_TODAY"] = "2026-11-20"
    root = workspace.init(tmp_path_factory.mktemp("seed") / "ws", "Co", "Dept", "zh")
    toml = root / "qms.toml"  # Chinese documents, English messages (the messages pinned below)
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "zh"\n', 'language = "zh"\nmessages = "en"\n'),
                    encoding="utf-8")
    add_roster(root)
    ws = Workspace.open(root, write=True)
    plan = write_plan(tmp_path_factory.mktemp("plan") / "plan.xlsx")
    for _ in range(2):
        doc = lifecycle.new(ws, "plan", plan)["doc_no"]
        for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
            sign(ws, doc, role, name)
        lifecycle.release(ws, doc)
    lifecycle.revise(ws, "HO-JZ-KP-2026-002", "CR-USED", "Wang Jianguo", "s", password="test-password-1")
    ws.close()
    return root


@pytest.mark.parametrize("build, code, first", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly(seeded: Path, tmp_path: Path, build, code: int, first: str) -> None:
    import shutil

    records = tmp_path / "ws"
    shutil.copytree(seeded, records)
    args = build(tmp_path)
    data_file = args[args.index("--data") + 1] if "--data" in args else None
    before = tree_digest(records)
    result = CliRunner().invoke(cli, ["--records", str(records), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("Error: ") for line in lines), result.stderr
    assert len(lines) <= 51  # capped: 50 problems and one "... and N more" line
    assert lines[0].startswith("Error: " + first.format(f=data_file, folder=tmp_path)), lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert tree_digest(records) == before


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40

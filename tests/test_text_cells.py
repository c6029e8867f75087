"""Text stays text: names and titles that look like formulas are written as text cells."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from qmsdocs import blank, masterlist, results_workbook

HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "=1+1",
    "+1+2",
    "-3+4",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _sheet_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")}


def _formulas(data: bytes) -> list[str]:
    return [m for xml in _sheet_parts(data).values() for m in re.findall(r"<(?:\w+:)?f\b[^>]*>[^<]*", xml)]


def _cells(data: bytes, sheet: int = 0) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in wb.worksheets[sheet].iter_rows()]


def test_results_workbook_writes_hostile_names_and_codes_as_text() -> None:
    def person(i: int, text: str) -> SimpleNamespace:
        return SimpleNamespace(staff=SimpleNamespace(staff_id=text, name=text), total_rounded=Decimal("84.3"),
                               grade="good", rank=i + 1,
                               indicators=[SimpleNamespace(code="=K1", score_rounded=Decimal("90.5"))])

    report = SimpleNamespace(results=[person(i, text) for i, text in enumerate(HOSTILE)])
    data = results_workbook.build(report, ["=K1"], {"good": "@good"}, "=chart", dt.date(2026, 11, 20))  # type: ignore[arg-type]
    assert _formulas(data) == []
    rows = _cells(data)
    assert rows[0] == ["staff_id", "name", "total", "grade", "rank", "=K1"]
    assert [r[:2] for r in rows[1:]] == [[t, t] for t in HOSTILE]
    assert {r[3] for r in rows[1:]} == {"@good"}
    assert [r[2] for r in rows[1:]] == [84.3] * len(HOSTILE)  # numbers stay numbers
    # The chart's own references are the only formulas in the package.
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    last = len(HOSTILE) + 1
    assert re.findall(r"<f>([^<]*)</f>", chart) == ["'Results'!C1", f"'Results'!$B$2:$B${last}",
                                                    f"'Results'!$C$2:$C${last}"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_master_list_writes_hostile_titles_and_names_as_text(language: str) -> None:
    ws = SimpleNamespace(config=SimpleNamespace(language=language))
    docs = [{"doc_no": f"HO-{i}", "title": text, "type": "plan", "version": "1.0", "status": "draft",
             "effective_date": None, "change_no": text, "owner": text} for i, text in enumerate(HOSTILE)]
    data = masterlist.master_list_bytes(ws, docs)
    assert _formulas(data) == []
    rows = _cells(data)[2:]
    assert [(r[1], r[6], r[10]) for r in rows] == [(t, t, t) for t in HOSTILE]


@pytest.mark.parametrize("kind", ["plan", "minutes", "scores"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_blank_workbooks_hold_no_formula_cells(kind: str, language: str) -> None:
    buffer = io.BytesIO()
    blank.build_blank(kind, language).save(buffer)
    assert _formulas(buffer.getvalue()) == []


# -- end to end: what users type reaches every workbook qmsdocs writes as text -------------------

def _hostile_scores(path: Path) -> Path:
    """Write the sample score sheet with every staff name replaced by a formula-like text."""
    from conftest import ROOT

    wb = openpyxl.load_workbook(ROOT / "records" / "scores.xlsx")
    staff = wb["Staff"]
    for row, text in zip(range(2, staff.max_row + 1), itertools.cycle(HOSTILE[:6])):
        cell = staff.cell(row, 2, text)
        cell.data_type = "s"  # written as typed text, as Excel stores a name beginning with '
    wb.save(path)
    return path


def test_names_and_titles_typed_by_users_are_text_in_every_workbook(records: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conftest import sign_all, write_plan
    from qmsdocs import lifecycle
    from qmsdocs.cli import cli
    from qmsdocs.workspace import Workspace

    titles = HOSTILE[:6]  # =, +, -, @ and a tab before =
    out = tmp_path / "out"
    out.mkdir()
    ws = Workspace.open(records, write=True)
    try:
        plan = write_plan(tmp_path / "plan.xlsx")
        numbers = [lifecycle.new(ws, "plan", plan, title)["doc_no"] for title in titles]
        sign_all(ws, numbers[0])
        lifecycle.release(ws, numbers[0])
        scores = lifecycle.new(ws, "scores", _hostile_scores(tmp_path / "scores.xlsx"), titles[1])["doc_no"]
    finally:
        ws.close()

    def qms(*args: str) -> None:
        result = CliRunner().invoke(cli, ["--records", str(records), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    qms("results", scores, "--xlsx", str(out / "results.xlsx"))
    qms("list", "--xlsx", str(out / "master.xlsx"))
    qms("export", "-o", str(out / "package.zip"))
    for kind in ("plan", "minutes", "scores"):
        qms("sheet", kind, "-o", str(out / f"blank-{kind}.xlsx"))
    with zipfile.ZipFile(out / "package.zip") as zf:
        (out / "exported-master.xlsx").write_bytes(zf.read("master-list.xlsx"))
    workbooks = sorted(out.glob("*.xlsx"))
    assert len(workbooks) == 6
    for path in workbooks:
        assert _formulas(path.read_bytes()) == [], path.name
    texts = {path.name: {c for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)
                         for c in row if isinstance(c, str)} for path in workbooks}
    typed = {t.strip() for t in titles}  # a title or a name is kept without its outer blanks
    assert typed <= texts["master.xlsx"]
    assert titles[0] in texts["exported-master.xlsx"]
    assert typed <= texts["results.xlsx"]

"""qmsdocs.workbook and qmsdocs.xlsx: the container checks, sheets and headers, every cell kind, and problem
reporting."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest_workbooks import (BIG, INDICATOR_HEADER, INDICATORS_OK, PLAN_FIELDS, Formula, billion_laughs,
                                patch_sheet, plan_sheets, probe_sheet, rewrite_zip, set_cell_xml,
                                sheet_part, write_probe, write_workbook)
from qmsdocs import workbook
from qmsdocs.doctypes import plan
from qmsdocs.errors import DataError
from qmsdocs.sheets import INDICATORS, PLAN
from qmsdocs.text import bad_character
from qmsdocs.workbook import WorkbookReader
from qmsdocs.xlsx import container
from qmsdocs.xlsx.container import check_container

MiB = 1024 * 1024
NAME = "plan.xlsx"


class Err(str):
    """An expected problem line (after ``plan.xlsx, sheet Probe, row 2, column value: ``)."""


def read_probe(path: Path, kind: str, required: bool = True) -> Any:
    """Return the parsed value of the Probe cell, or Err(message) if it was reported."""
    with WorkbookReader(path, NAME) as reader:
        rows = reader.table(probe_sheet(kind, required))
    if reader.problems:
        assert len(reader.problems) == 1, reader.problems
        line = str(reader.problems[0])
        prefix = f"{NAME}, sheet Probe, row 2, column value: "
        assert line.startswith(prefix), line
        return Err(line[len(prefix):])
    assert [r.number for r in rows] == [2]
    return rows[0]["value"]


def refusal(path: Path) -> list[str]:
    with pytest.raises(DataError) as exc:
        with WorkbookReader(path, NAME):
            pass
    return exc.value.lines()


# -- the container ----------------------------------------------------------------------------------

def _real_xlsx(path: Path) -> bytes:
    write_probe(path.with_name("real.xlsx"), "text", shared=True)
    return path.with_name("real.xlsx").read_bytes()


def _docx(path: Path) -> None:
    import docx

    docx.Document().save(str(path))


def _zip_of(path: Path, *names: str) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, "")


def _many_parts(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(container.MAX_ZIP_ENTRIES):
            zf.writestr(f"xl/part{i}.xml", "")


def _declared_huge(path: Path) -> None:
    """A small zip whose directory claims 400 MiB: refused by what it declares, never unpacked."""
    path.write_bytes(_real_xlsx(path))
    with zipfile.ZipFile(path, "a") as zf:
        with zf.open("xl/media/image1.png", "w") as f:
            f.write(b"\x89PNG")
        zf.getinfo("xl/media/image1.png").file_size = 400 * MiB


def _bomb_in(part: str, root: str, body: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(_real_xlsx(path))
        rewrite_zip(path, lambda name, data: billion_laughs(root, body).encode() if name == part else data)
    return build


def _bad_crc(path: Path) -> None:
    """Store the sheet uncompressed, then change one byte of it: the zip's checksum no longer matches."""
    path.write_bytes(_real_xlsx(path))
    with zipfile.ZipFile(path) as zf:
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"<sheetData>", b"<sheetDatb>", 1))


SHARED_BOMB = ("xl/sharedStrings.xml", "sst", "<si><t>&lol9;</t></si>")
SHEET_BOMB = ("xl/worksheets/sheet1.xml", "worksheet",
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>')
REFUSED = "; save it as .xlsx (Excel Workbook) and try again"
BOMB = "which no workbook needs; refused as a possible XML bomb"

CONTAINERS: list[tuple[str, Callable[[Path], Any], str]] = [
    ("empty file", lambda p: p.write_bytes(b""), "plan.xlsx: is empty; expected an .xlsx workbook"),
    ("CSV renamed", lambda p: p.write_text("code,name\nQ1,Attitude\n", encoding="utf-8"),
     "plan.xlsx: is not an .xlsx workbook (not a zip package)" + REFUSED),
    ("Word .docx renamed", _docx, "plan.xlsx: is a Word document (no xl/workbook.xml); expected an .xlsx workbook"),
    ("truncated zip", lambda p: p.write_bytes(_real_xlsx(p)[: len(_real_xlsx(p)) // 2]),
     "plan.xlsx: is a truncated or damaged zip package; save it again as .xlsx (Excel Workbook) and try again"),
    ("old .xls (OLE)", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)),
     "plan.xlsx: is an old binary Excel (.xls) file or a password-protected workbook; save it as .xlsx "
     "(Excel Workbook) without a password and try again"),
    ("folder", lambda p: p.mkdir(), "plan.xlsx: is a folder, not an .xlsx workbook"),
    ("missing file", lambda p: None, "plan.xlsx: no such file"),
    ("zip of something else", lambda p: zipfile.ZipFile(p, "w").close(),
     "plan.xlsx: is not an Excel workbook (no xl/workbook.xml); expected an .xlsx workbook"),
    ("binary .xlsb", lambda p: _zip_of(p, "xl/workbook.bin"),
     "plan.xlsx: is a binary Excel workbook (.xlsb)" + REFUSED),
    ("OpenDocument .ods", lambda p: _zip_of(p, "mimetype", "content.xml"),
     "plan.xlsx: is an OpenDocument file (.ods)" + REFUSED),
    ("zip with too many parts", _many_parts, "plan.xlsx: holds 5001 parts; refused as a possible zip bomb"),
    ("zip declaring 400 MiB", _declared_huge, "plan.xlsx: unpacks to 400 MiB; refused as a possible zip bomb"),
    ("entity bomb in shared strings", _bomb_in(*SHARED_BOMB),
     f"plan.xlsx: part xl/sharedStrings.xml declares a DOCTYPE (XML entities), {BOMB}"),
    ("entity bomb in a sheet", _bomb_in(*SHEET_BOMB),
     f"plan.xlsx: part xl/worksheets/sheet1.xml declares a DOCTYPE (XML entities), {BOMB}"),
    ("entity bomb in workbook.xml", _bomb_in("xl/workbook.xml", "workbook", "&lol9;"),
     f"plan.xlsx: part xl/workbook.xml declares a DOCTYPE (XML entities), {BOMB}"),
    ("damaged part (checksum)", _bad_crc,
     "plan.xlsx: cannot be unpacked (Bad CRC-32 for file 'xl/worksheets/sheet1.xml'); save it again as .xlsx "
     "(Excel Workbook) and try again"),
]


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked to open anything: the refusal must come before parsing."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl was asked to read a file the container check should refuse")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.mark.parametrize("build, expected", [c[1:] for c in CONTAINERS], ids=[c[0] for c in CONTAINERS])
def test_container_refused_in_one_line_before_parsing(tmp_path: Path, build: Callable[[Path], Any], expected: str,
                                                      no_openpyxl: None) -> None:
    path = tmp_path / NAME
    build(path)
    with pytest.raises(DataError) as exc:
        check_container(path, NAME)
    assert exc.value.lines() == [expected]
    assert refusal(path) == [expected]


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook plus 301 MiB of zeros that deflate to about a megabyte."""
    path = tmp_path_factory.mktemp("bomb") / NAME
    write_probe(path, "text")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/zeros.bin", "w") as f:
            block = bytes(MiB)
            for _ in range(301):
                f.write(block)
    return path


def test_zip_bomb_refused_unread(zip_bomb: Path, no_openpyxl: None) -> None:
    assert zip_bomb.stat().st_size < 2 * MiB
    assert refusal(zip_bomb) == ["plan.xlsx: unpacks to 301 MiB; refused as a possible zip bomb"]


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("bomb", [SHARED_BOMB, SHEET_BOMB], ids=["shared strings", "sheet"])
def test_entity_bomb_behind_the_scan_is_refused_by_defusedxml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              bomb: tuple[str, str, str]) -> None:
    """With our DOCTYPE scan switched off, openpyxl's defusedxml still refuses, and we say so in one line."""
    from defusedxml import DefusedXmlException

    path = tmp_path / NAME
    _bomb_in(*bomb)(path)
    with pytest.raises(ValueError) as raw, open(path, "rb") as f:
        openpyxl.load_workbook(f, read_only=True).close()
    assert isinstance(raw.value.__cause__ or raw.value, DefusedXmlException)
    monkeypatch.setattr(container, "_DOCTYPE", re.compile(rb"(?!)"))
    assert refusal(path) == ["plan.xlsx: holds an XML entity or DOCTYPE declaration; refused as a possible XML bomb"]


ROWS = [["value", "other"]] + [[f"v{i}", "x"] for i in range(2, 60)]
DAMAGED_XML = r"plan\.xlsx, sheet Probe: holds damaged XML \(.+: line 1, column \d+\); open and save it again " \
              r"in Excel or LibreOffice"


@pytest.mark.parametrize("damage", [
    lambda x: x[: x.index('<row r="30"')],
    lambda x: x.replace('<row r="30">', '<row r="30"><bogus', 1),
], ids=["cut off after row 29", "broken tag in row 30"])
@pytest.mark.parametrize("formulas", [False, True], ids=["plain", "with formulas"])
def test_sheet_damaged_midway_is_one_data_error(tmp_path: Path, damage: Callable[[str], str], formulas: bool) -> None:
    """openpyxl only meets the damage while iterating (and so does the raw pass for formulas)."""
    rows = ROWS + [[Formula("=1+1"), "x"]] if formulas else ROWS
    path = write_workbook(tmp_path / NAME, {"Probe": rows})
    patch_sheet(path, "Probe", damage)
    with WorkbookReader(path, NAME) as reader:
        with pytest.raises(DataError) as exc:
            reader.table(probe_sheet("text"))
    assert len(exc.value.lines()) == 1
    assert re.fullmatch(DAMAGED_XML, exc.value.lines()[0]), exc.value.lines()[0]


def test_sheet_whose_part_is_missing_counts_as_missing(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / NAME, {"Probe": ROWS, "Other": [["a"]]})
    part = sheet_part(path, "Probe")
    rewrite_zip(path, lambda name, data: None if name == part else data)
    with WorkbookReader(path, NAME) as reader:
        assert reader.table(probe_sheet("text")) == []
    assert [str(p) for p in reader.problems] == ["plan.xlsx: missing sheet Probe (探针); the workbook has: Other"]


def test_workbook_named_otherwise_is_still_read(tmp_path: Path) -> None:
    """The content decides, not the file name (openpyxl alone refuses a name not ending in .xlsx)."""
    path = write_probe(tmp_path / "plan.data", "kept")
    assert read_probe(path, "text") == "kept"


# -- sheets and headers -----------------------------------------------------------------------------

def test_missing_sheet_lists_the_sheets_present(tmp_path: Path) -> None:
    sheets = plan_sheets()
    del sheets["Indicators"]
    path = write_workbook(tmp_path / NAME, {"Instructions": [["read me"]], **sheets})
    with WorkbookReader(path, NAME) as reader:
        assert reader.table(INDICATORS) == []
    assert [str(p) for p in reader.problems] == [
        "plan.xlsx: missing sheet Indicators (指标); the workbook has: Instructions, Plan, Schedule, Evaluators"]


@pytest.mark.parametrize("title", ["Indicators", "指标", "  indicators ", "INDICATORS"])
def test_sheet_found_by_name_or_chinese_name(tmp_path: Path, title: str) -> None:
    path = write_workbook(tmp_path / NAME, {title: [INDICATOR_HEADER] + INDICATORS_OK})
    with WorkbookReader(path, NAME) as reader:
        assert [r["code"] for r in reader.table(INDICATORS)] == ["Q1", "Q2", "S1"]
    assert reader.problems == []


EXPECTED_Q1 = {"code": "Q1", "name": "First-time fix", "kind": "quantitative", "dimension": "performance",
               "weight": Decimal(40), "metric": "first_pass_rate", "target": "90%", "limit": None,
               "method": ("check", "measure")}


@pytest.mark.parametrize("header", [
    INDICATOR_HEADER,
    ["代码", "名称", "类型", "维度", "权重", "计量指标", "目标值", "限值", "考评方法"],
    ["  CODE ", "Name", " kInD", "DIMENSION  ", "Weight", "METRIC", " target ", "Limit", "Method"],
    ["Code", "Name", "Kind", "Dimension", "Weight", "Metric", "Target", "Limit", "Method"],
    ["method", "limit", "target", "metric", "weight", "dimension", "kind", "name", "code"],
], ids=["keys", "Chinese labels", "keys in any case with spaces", "English labels", "any order"])
def test_header_by_key_or_label(tmp_path: Path, header: list[str]) -> None:
    order = [h.strip().lower() for h in header]
    keys = dict(zip(INDICATOR_HEADER, INDICATORS_OK[0]))
    labels = dict(zip(["代码", "名称", "类型", "维度", "权重", "计量指标", "目标值", "限值", "考评方法"], INDICATOR_HEADER))
    row = [keys[labels.get(h, h)] for h in order]
    path = write_workbook(tmp_path / NAME, {"Indicators": [header, row]})
    with WorkbookReader(path, NAME) as reader:
        rows = reader.table(INDICATORS)
    assert (reader.problems, reader.warnings) == ([], [])
    assert rows[0].values == EXPECTED_Q1


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / NAME, {"Indicators": [INDICATOR_HEADER + ["Remarks", "备注"],
                                                           INDICATORS_OK[0] + ["ignored", "也忽略"]]})
    with WorkbookReader(path, NAME) as reader:
        rows = reader.table(INDICATORS)
    assert reader.problems == []
    assert reader.warnings == ["plan.xlsx, sheet Indicators, row 1: unknown column 'Remarks' ignored",
                               "plan.xlsx, sheet Indicators, row 1: unknown column '备注' ignored"]
    assert rows[0].values == EXPECTED_Q1


@pytest.mark.parametrize("header, lines", [
    ([h for h in INDICATOR_HEADER if h != "weight"],
     ["plan.xlsx, sheet Indicators, row 1: missing column weight (权重) in the header row"]),
    ([h for h in INDICATOR_HEADER if h not in ("code", "method")],
     ["plan.xlsx, sheet Indicators, row 1: missing column code (代码) in the header row",
      "plan.xlsx, sheet Indicators, row 1: missing column method (考评方法) in the header row"]),
    (INDICATOR_HEADER + ["权重"],
     ["plan.xlsx, sheet Indicators, row 1, column 权重: weight appears twice in the header (columns E and J)"]),
], ids=["missing weight", "missing code and method", "weight twice"])
def test_header_problems(tmp_path: Path, header: list[str], lines: list[str]) -> None:
    path = write_workbook(tmp_path / NAME, {"Indicators": [header]})
    with WorkbookReader(path, NAME) as reader:
        reader.table(INDICATORS)
    assert [str(p) for p in reader.problems] == lines


def test_missing_optional_column_reads_as_blank(tmp_path: Path) -> None:
    header = [h for h in INDICATOR_HEADER if h not in ("metric", "limit")]
    row = [v for h, v in zip(INDICATOR_HEADER, INDICATORS_OK[2]) if h not in ("metric", "limit")]
    path = write_workbook(tmp_path / NAME, {"Indicators": [header, row]})
    with WorkbookReader(path, NAME) as reader:
        rows = reader.table(INDICATORS)
    assert reader.problems == []
    assert (rows[0]["metric"], rows[0]["limit"], rows[0]["target"]) == (None, None, "80 points")


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / NAME, {"Indicators": [[None, "   "]]})
    with WorkbookReader(path, NAME) as reader:
        assert reader.table(INDICATORS) == []
    assert [str(p) for p in reader.problems] == [
        "plan.xlsx, sheet Indicators: is empty; expected a header row with code, name, kind, dimension, weight, "
        "metric, target, limit, method"]


def test_blank_rows_skipped_and_rows_numbered_as_excel_shows_them(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[], [None, "  "], ["value", "other"], ["a", None], [], ["\t", " "], [None, "b"],
                             [None, None, "outside the table"], ["c"]]
    path = write_workbook(tmp_path / NAME, {"Probe": rows})
    with WorkbookReader(path, NAME) as reader:
        parsed = reader.table(probe_sheet("text", required=False))
    assert reader.problems == []
    assert [(r.number, r["value"], r["other"]) for r in parsed] == [
        (4, "a", None), (7, None, "b"), (8, None, None), (9, "c", None)]


def test_wrong_dimension_element_does_not_cut_data(tmp_path: Path) -> None:
    """Some programs write <dimension ref="A1"/> whatever the size; openpyxl would then read one cell."""
    path = write_workbook(tmp_path / NAME, {"Probe": [["value", "other"], ["a", "b"], ["c", "d"]]})
    patch_sheet(path, "Probe", lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', x))
    with WorkbookReader(path, NAME) as reader:
        parsed = reader.table(probe_sheet("text"))
    assert [r.values for r in parsed] == [{"value": "a", "other": "b"}, {"value": "c", "other": "d"}]


# -- field/value sheets -----------------------------------------------------------------------------

def test_fields_by_key_and_by_label(tmp_path: Path) -> None:
    fields = [["字段", "值"], ["标题", "Plan"], ["PERIOD ", "2026 Q4"], ["Purpose", "p"], ["范围", "s"],
              ["organizer", "Wang"], ["开始日期", dt.date(2026, 12, 1)], ["end", "2026-12-20"],
              ["How results are summarised", "Weighted"], ["绩效沟通方式", "Talks"]]
    path = write_workbook(tmp_path / NAME, {"Plan": fields})
    with WorkbookReader(path, NAME) as reader:
        values, where = reader.fields(PLAN)
    assert (reader.problems, reader.warnings) == ([], [])
    assert values == {"title": "Plan", "period": "2026 Q4", "purpose": "p", "scope": "s", "organizer": "Wang",
                      "start": dt.date(2026, 12, 1), "end": dt.date(2026, 12, 20), "meeting_date": None,
                      "summary_method": "Weighted", "feedback_method": "Talks"}
    assert where["period"] == 3 and where["feedback_method"] == 10


def test_field_problems_and_warnings(tmp_path: Path) -> None:
    fields = [row for row in PLAN_FIELDS if row[0] != "scope"] + [
        ["colour", "blue"], [None, "a value without a name"], ["period", "again"], ["start", "soon"]]
    path = write_workbook(tmp_path / NAME, {"Plan": fields})
    with WorkbookReader(path, NAME) as reader:
        reader.fields(PLAN)
        with pytest.raises(DataError) as exc:
            reader.raise_if_problems()
    assert exc.value.lines() == [
        "plan.xlsx, sheet Plan: missing field scope (范围)",
        "plan.xlsx, sheet Plan, row 12, column field: field period appears twice (also row 3)",
        "plan.xlsx, sheet Plan, row 13, column field: field start appears twice (also row 6)",
    ]
    assert reader.warnings == [
        "plan.xlsx, sheet Plan, row 10: unknown field colour ignored",
        "plan.xlsx, sheet Plan, row 11: value a value without a name has no field name; ignored",
    ]


def test_field_value_is_read_by_its_kind(tmp_path: Path) -> None:
    fields = [row if row[0] != "start" else ["start", "2026-13-40"] for row in PLAN_FIELDS]
    path = write_workbook(tmp_path / NAME, {"Plan": fields})
    with WorkbookReader(path, NAME) as reader:
        values, _ = reader.fields(PLAN)
    assert values["start"] is None
    assert [str(p) for p in reader.problems] == [
        "plan.xlsx, sheet Plan, row 7, column start: 2026-13-40 is not a valid date (no such month or day)"]


# -- cells ------------------------------------------------------------------------------------------

METHODS = "listen, check, look, visit, test, measure, ask (听, 查, 看, 访, 考, 测, 问)"
LONG = "长文本 long text & <more> " * 1250
CELLS: list[tuple[str, Any, Any]] = [
    # text is kept exactly as typed
    ("text", "a & b < c > d \"q\" 'q'", "a & b < c > d \"q\" 'q'"),
    ("text", "{{ 7*7 }} {% if 1 %}x{% endif %}", "{{ 7*7 }} {% if 1 %}x{% endif %}"),
    ("text", "   leading and trailing spaces  ", "   leading and trailing spaces  "),
    ("text", "emoji 😀👍🏽 and 中文", "emoji 😀👍🏽 and 中文"),
    ("text", "tab\there\nand a newline", "tab\there\nand a newline"),
    ("text", "=not a formula", "=not a formula"),
    ("text", "_x0041_ typed literally", "_x0041_ typed literally"),
    ("text", "pasted\r\nfrom Windows", "pasted\nfrom Windows"),
    ("text", LONG[:32000], LONG[:32000]),
    ("text", 85, "85"),
    ("text", 85.0, "85"),
    ("text", 0.1, "0.1"),
    ("text", 1e-05, "0.00001"),
    ("text", True, "TRUE"),
    ("text", dt.date(2026, 12, 1), "2026-12-01"),
    ("text", dt.datetime(2026, 12, 1, 9, 30), "2026-12-01 09:30"),
    ("text", dt.time(9, 30), "09:30"),
    ("text", None, Err("is empty; expected text")),
    ("text", " \t ", Err("is empty; expected text")),
    # characters a document cannot hold
    ("text", "a\x01b", Err("control character U+0001 at position 2 is not allowed")),
    ("text", "unit\x1f", Err("control character U+001F at position 5 is not allowed")),
    ("text", "\x07bell", Err("control character U+0007 at position 1 is not allowed")),
    ("text", "lone\rreturn", Err("control character U+000D at position 5 is not allowed")),
    ("int", "4\x012", Err("control character U+0001 at position 2 is not allowed")),
    # whole numbers
    ("int", 85, 85),
    ("int", "85", 85),
    ("int", " 85 ", 85),
    ("int", "８５", 85),
    ("int", 85.0, 85),
    ("int", "85.0", 85),
    ("int", 0, 0),
    ("int", 10 ** 9, 10 ** 9),
    ("int", 85.5, Err("85.5 is not a whole number ≥ 0")),
    ("int", -3, Err("-3 is not a whole number ≥ 0")),
    ("int", "eighty", Err("eighty is not a number")),
    ("int", "NaN", Err("NaN is not a number")),
    ("int", "1e999999", Err("1e999999 is not a number")),
    ("int", "1,000", Err("1,000 is not a number")),
    ("int", True, Err("TRUE is not a number")),
    ("int", dt.date(2026, 1, 1), Err("2026-01-01 is not a number")),
    ("int", None, Err("is empty; expected a whole number ≥ 0")),
    # numbers > 0 and scores
    ("number", "2.5", Decimal("2.5")),
    ("number", 0.1, Decimal("0.1")),
    ("number", -1, Err("-1 is not a number > 0")),
    ("number", 0, Err("0 is not a number > 0")),
    ("score", "99.5", Decimal("99.5")),
    ("score", 0, Decimal(0)),
    ("score", 100, Decimal(100)),
    ("score", 120, Err("120 is not between 0 and 100")),
    ("score", -0.5, Err("-0.5 is not between 0 and 100")),
    # dates
    ("date", dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
    ("date", dt.datetime(2026, 12, 1), dt.date(2026, 12, 1)),
    ("date", "2026-12-01", dt.date(2026, 12, 1)),
    ("date", " 2026-12-01 ", dt.date(2026, 12, 1)),
    ("date", "2026-13-40", Err("2026-13-40 is not a valid date (no such month or day)")),
    ("date", "2026-02-29", Err("2026-02-29 is not a valid date (no such month or day)")),
    ("date", "tomorrow", Err("tomorrow is not a date written as YYYY-MM-DD")),
    ("date", "2026/12/01", Err("2026/12/01 is not a date written as YYYY-MM-DD")),
    ("date", 46000, Err("46000 is not a date written as YYYY-MM-DD")),
    ("date", dt.datetime(2026, 12, 1, 9, 30), Err("2026-12-01 09:30 has a time of day; expected a date (YYYY-MM-DD)")),
    ("date", None, Err("is empty; expected a date (YYYY-MM-DD)")),
    # times
    ("time", dt.time(9, 30), "09:30"),
    ("time", "9:30", "09:30"),
    ("time", "９：３０", "09:30"),
    ("time", "14:05:00", "14:05"),
    ("time", "9点", Err("9点 is not a time written as HH:MM")),
    ("time", "25:00", Err("25:00 is not a time written as HH:MM")),
    # choices: key, Chinese label, English label, any case
    ("choice:kind", "quantitative", "quantitative"),
    ("choice:kind", "定性", "qualitative"),
    ("choice:kind", "  QUALITATIVE ", "qualitative"),
    ("choice:metric", "first-time FIX pass rate", "first_pass_rate"),
    ("choice:metric", "废损率", "scrap_rate"),
    ("choice:kind", "quant", Err("quant is not one of quantitative, qualitative (定量, 定性)")),
    ("choice:present", 1, "yes"),
    # evaluation methods
    ("methods", "听、查、看", ("listen", "check", "look")),
    ("methods", "listen, check", ("listen", "check")),
    ("methods", "听查看", ("listen", "check", "look")),
    ("methods", "Listen，CHECK；测", ("listen", "check", "measure")),
    ("methods", "看 看", ("look",)),
    ("methods", "listen, smell", Err(f"smell is not a method; expected any of {METHODS}")),
    ("methods", "听闻", Err(f"听闻 is not a method; expected any of {METHODS}")),
    ("methods", "、", Err(f"、 names no method; expected any of {METHODS}")),
    ("methods", None, Err(f"is empty; expected one or more of {METHODS}")),
    # rates
    ("rate", 0.9, Decimal("0.9")),
    ("rate", "90%", Decimal("0.9")),
    ("rate", "90", Decimal("0.9")),
    ("rate", "５％", Decimal("0.05")),
    ("rate", "150%", Err("150% is not a rate such as 0.9 or 90%")),
]


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
@pytest.mark.parametrize("kind, written, expected", CELLS,
                         ids=[f"{k}-{re.sub(r'[^ -~]', '?', repr(v))[:30]}" for k, v, _ in CELLS])
def test_cell(tmp_path: Path, kind: str, written: Any, expected: Any, shared: bool) -> None:
    got = read_probe(write_probe(tmp_path / NAME, written, shared), kind)
    assert got == expected
    assert type(got) is type(expected)


def test_long_message_values_are_cut_to_one_line(tmp_path: Path) -> None:
    got = read_probe(write_probe(tmp_path / NAME, "line one\nline two " + "x" * 100), "int")
    assert got == Err("line one\\nline two " + "x" * 40 + "… is not a number")


# -- formulas and Excel errors ----------------------------------------------------------------------

@pytest.mark.parametrize("kind, cell, expected", [
    ("int", '<c r="A2"><f>1+1</f><v>2</v></c>', 2),
    ("text", '<c r="A2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>', "ab"),
    ("text", '<c r="A2" t="str"><f>IF(1,"","x")</f><v></v></c>', None),
    ("text", '<c r="A2" t="str"><f>B2&amp;"_x000D_"</f><v>x_x000D_</v></c>', Err(
        "control character U+000D at position 2 is not allowed")),
    ("int", '<c r="A2"><f>1+1</f></c>', Err(
        "formula =1+1 has no saved value; open and save the workbook in Excel or LibreOffice")),
    ("int", '<c r="A2"><f t="shared" si="0"/></c>', Err(
        "formula has no saved value; open and save the workbook in Excel or LibreOffice")),
    ("int", '<c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', Err(
        "#DIV/0! is an Excel error, not a value; correct the cell")),
    ("text", '<c r="A2" t="e"><v>#N/A</v></c>', Err("#N/A is an Excel error, not a value; correct the cell")),
], ids=["cached number", "cached text", "cached empty text", "cached text with an escape", "no <v> at all",
        "shared formula without value", "error value", "error typed"])
def test_formula_cells_from_the_raw_xml(tmp_path: Path, kind: str, cell: str, expected: Any) -> None:
    path = write_probe(tmp_path / NAME, "placeholder")
    set_cell_xml(path, "Probe", "A2", cell)
    assert read_probe(path, kind, required=False) == expected


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_formula_written_by_openpyxl_has_no_saved_value(tmp_path: Path, shared: bool) -> None:
    """openpyxl writes <f>1+1</f><v></v>: an empty value that is not a text result is no value."""
    path = write_probe(tmp_path / NAME, Formula("=SUM(1,1)"), shared)
    assert "<v></v>" in zipfile.ZipFile(path).read(sheet_part(path, "Probe")).decode()
    assert read_probe(path, "int") == Err(
        "formula =SUM(1,1) has no saved value; open and save the workbook in Excel or LibreOffice")


# -- many problems at once --------------------------------------------------------------------------

def test_three_problems_in_row_order(tmp_path: Path) -> None:
    rows = [["Q1", "a", "quant", "process", 1, None, None, None, "listen"],
            ["Q1", "b", "qualitative", "process", 1, None, None, None, "listen"],
            ["Q3", "c", "qualitative", "process", -1, None, None, None, "listen"]]
    path = write_workbook(tmp_path / NAME, plan_sheets(indicators=rows))
    with pytest.raises(DataError) as exc:
        plan.read(path, NAME)
    assert exc.value.lines() == [
        "plan.xlsx, sheet Indicators, row 2, column kind: quant is not one of quantitative, qualitative (定量, 定性)",
        "plan.xlsx, sheet Indicators, row 3, column code: duplicate indicator code Q1 (first in row 2)",
        "plan.xlsx, sheet Indicators, row 4, column weight: -1 is not a number > 0",
    ]


def test_problems_sorted_by_sheet_then_row(tmp_path: Path) -> None:
    sheets = plan_sheets(indicators=[["Q1", "a", "qualitative", "process", 0, None, None, None, "listen"]])
    sheets["Plan"] = [row for row in PLAN_FIELDS if row[0] != "purpose"] + [["end", "later"]]
    path = write_workbook(tmp_path / NAME, sheets)
    with pytest.raises(DataError) as exc:
        plan.read(path, NAME)
    assert exc.value.lines() == [
        "plan.xlsx, sheet Plan: missing field purpose (目的)",
        "plan.xlsx, sheet Plan, row 10, column field: field end appears twice (also row 7)",
        "plan.xlsx, sheet Indicators, row 2, column weight: 0 is not a number > 0",
    ]


def test_more_problems_than_the_cap(tmp_path: Path) -> None:
    rows = [[f"Q{i}", "x", "qualitative", "process", -i, None, None, None, "ask"] for i in range(1, 61)]
    path = write_workbook(tmp_path / NAME, plan_sheets(indicators=rows))
    with pytest.raises(DataError) as exc:
        plan.read(path, NAME)
    lines = exc.value.lines()
    assert len(lines) == DataError.CAP + 1 == 51
    assert lines[0] == "plan.xlsx, sheet Indicators, row 2, column weight: -1 is not a number > 0"
    assert lines[49] == "plan.xlsx, sheet Indicators, row 51, column weight: -50 is not a number > 0"
    assert lines[50] == "... and 10 more problems"


# -- a big sheet ------------------------------------------------------------------------------------

ROW_COUNT = 100_000


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Big")
    ws.append(["n", "s"])
    for i in range(ROW_COUNT):
        ws.append([i, f"r{i}"])
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    wb.save(path)
    return path


def test_hundred_thousand_rows(big_xlsx: Path) -> None:
    with WorkbookReader(big_xlsx, "big.xlsx") as reader:
        rows = reader.table(BIG)
    assert reader.problems == []
    assert len(rows) == ROW_COUNT
    assert (rows[0].number, rows[0].values) == (2, {"n": 0, "s": "r0"})
    assert (rows[-1].number, rows[-1].values) == (ROW_COUNT + 1, {"n": ROW_COUNT - 1, "s": f"r{ROW_COUNT - 1}"})


def test_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 10)
    path = write_workbook(tmp_path / NAME, {"Big": [["n", "s"]] + [[i, "x"] for i in range(11)]})
    with WorkbookReader(path, NAME) as reader:
        rows = reader.table(BIG)
    assert len(rows) == 10
    assert [str(p) for p in reader.problems] == ["plan.xlsx, sheet Big: has more than 10 rows; split the data"]


# -- properties -------------------------------------------------------------------------------------

PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
clean_text = st.text(max_size=80).filter(lambda t: bad_character(t) is None and t.strip() != "")


@PROPERTY
@given(text=clean_text, shared=st.booleans())
def test_text_round_trip(tmp_path: Path, text: str, shared: bool) -> None:
    assert read_probe(write_probe(tmp_path / NAME, text, shared), "text") == text


@PROPERTY
@given(number=st.integers(0, 10 ** 9), as_text=st.booleans())
def test_int_round_trip(tmp_path: Path, number: int, as_text: bool) -> None:
    got = read_probe(write_probe(tmp_path / NAME, str(number) if as_text else number), "int")
    assert got == number and type(got) is int


@PROPERTY
@given(data=st.data())
def test_permuting_rows_permutes_the_parsed_rows(tmp_path: Path, data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.tuples(st.integers(0, 10 ** 6), clean_text), min_size=1, max_size=8))
    order = data.draw(st.permutations(range(len(rows))))

    def parse(table: list[tuple[int, str]]) -> list[dict[str, Any]]:
        path = write_workbook(tmp_path / NAME, {"Big": [["n", "s"]] + [list(r) for r in table]})
        with WorkbookReader(path, NAME) as reader:
            parsed = reader.table(BIG)
        assert reader.problems == []
        return [r.values for r in parsed]

    original = parse(rows)
    assert parse([rows[i] for i in order]) == [original[i] for i in order]
    assert original == [{"n": n, "s": s} for n, s in rows]

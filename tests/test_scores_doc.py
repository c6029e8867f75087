"""Tests of qmsdocs.doctypes.scores: workbook cross-checks, the document, results workbook, split files."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from qmsdocs.working_copies import new_with_outputs

from qmsdocs import lifecycle, ooxml, scoring, workspace
from qmsdocs import reports
from qmsdocs.config import Config
from qmsdocs.doctypes import scores
from qmsdocs.errors import DataError, UsageError
from qmsdocs.workspace import Workspace

from conftest import ROOT, tree_digest, sign

SAMPLE = ROOT / "records" / "scores.xlsx"
D = Decimal

PERIOD = {"period": "2026 Q4", "evaluated_on": "2026-12-16"}
INDICATORS = [
    ["Q1", "First-time fix", "quantitative", "performance", 40, "first_pass_rate", "90%", None, "check"],
    ["Q2", "Repeat repairs", "quantitative", "process", 20, "repeat_rate", "5%", "15%", "check, look"],
    ["S1", "Attitude", "qualitative", "capability", 40, None, "80 points", None, "listen"],
]
STAFF = [["KF001", "Li Ming", "Engineer"], ["KF002", "Zhang Wei", "Engineer"]]
RATINGS = [["KF001", "Wang", "leader", "S1", 90], ["KF001", "Zhao", "peer", "S1", 80],
           ["KF002", "Wang", "leader", "S1", 70]]
SERVICE = [["KF001", 40, 38, 1, 0, 0], ["KF002", 20, 18, 2, 0, 1]]


def write_scores(path: Path, *, indicators: list[list[Any]] | None = None, staff: list[list[Any]] | None = None,
                 ratings: list[list[Any]] | None = None, service: list[list[Any]] | None = None) -> Path:
    """Write a scores workbook with English headers (data rows start at Excel row 2) and return its path."""
    from qmsdocs.blank import build_blank

    wb = build_blank("scores", "en")
    period = wb["Period"]
    period.delete_rows(2, period.max_row)
    for key, value in PERIOD.items():
        period.append([key, value])
    for name, rows in (("Indicators", INDICATORS if indicators is None else indicators),
                       ("Staff", STAFF if staff is None else staff),
                       ("Ratings", RATINGS if ratings is None else ratings),
                       ("Service", SERVICE if service is None else service)):
        for row in rows:
            wb[name].append(row)
    wb.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        scores.read(path, "scores.xlsx")
    return info.value.lines()


def replace_row(rows: list[list[Any]], index: int, **changes: Any) -> list[list[Any]]:
    keys = {"metric": 5, "limit": 7, "first_pass": 2, "repeat": 3}
    out = [list(r) for r in rows]
    for key, value in changes.items():
        out[index][keys[key]] = value
    return out


# -- cross-checks ----------------------------------------------------------------------------
CROSS_CHECKS = {
    "unknown staff in Ratings": (
        {"ratings": RATINGS + [["KF099", "Wang", "leader", "S1", 80]]},
        ["scores.xlsx, sheet Ratings, row 5, column staff_id: unknown staff_id KF099; it is not in sheet Staff"]),
    "unknown staff in Service": (
        {"service": SERVICE + [["KF099", 1, 1, 0, 0, 0]]},
        ["scores.xlsx, sheet Service, row 4, column staff_id: unknown staff_id KF099; it is not in sheet Staff"]),
    "unknown indicator": (
        {"ratings": RATINGS + [["KF002", "Zhao", "peer", "S9", 80]]},
        ["scores.xlsx, sheet Ratings, row 5, column indicator: unknown indicator S9; it is not in sheet Indicators"]),
    "duplicate staff_id": (
        {"staff": STAFF + [["KF001", "Li Ming II", "Engineer"]]},
        ["scores.xlsx, sheet Staff, row 4, column staff_id: duplicate staff_id KF001 (first in row 2)"]),
    "duplicate indicator code": (
        {"indicators": INDICATORS + [["S1", "Attitude again", "qualitative", "capability", 10, None, None, None,
                                      "ask"]]},
        ["scores.xlsx, sheet Indicators, row 5, column code: duplicate indicator code S1 (first in row 4)"]),
    "qualitative indicator without a rating": (
        {"ratings": RATINGS[:2]},
        ["scores.xlsx, sheet Staff, row 3, column staff_id: staff KF002 has no rating on qualitative indicator S1; "
         "add at least one row for it to sheet Ratings"]),
    "quantitative indicator without a metric": (
        {"indicators": replace_row(INDICATORS, 0, metric=None)},
        ["scores.xlsx, sheet Indicators, row 2, column metric: quantitative indicator Q1 needs a metric: "
         "first_pass_rate, repeat_rate, complaint_rate or scrap_rate"]),
    "quantitative indicator with an unknown metric": (
        {"indicators": replace_row(INDICATORS, 0, metric="speed")},
        ["scores.xlsx, sheet Indicators, row 2, column metric: speed is not one of first_pass_rate, repeat_rate, "
         "complaint_rate, scrap_rate (一次修复合格率, 二次修复率, 投诉率, 废损率)"]),
    "limit not above target": (
        {"indicators": replace_row(INDICATORS, 1, limit="5%")},
        ["scores.xlsx, sheet Indicators, row 3, column limit: 5% is not above the target 5% of indicator Q2 "
         "(lower is better for repeat_rate)"]),
    "rating on a quantitative indicator": (
        {"ratings": RATINGS + [["KF001", "Wang", "leader", "Q1", 90]]},
        ["scores.xlsx, sheet Ratings, row 5, column indicator: indicator Q1 is quantitative: its score comes from "
         "sheet Service, not from ratings"]),
    "first_pass above jobs": (
        {"service": replace_row(SERVICE, 1, first_pass=21)},
        ["scores.xlsx, sheet Service, row 3, column first_pass: first_pass 21 is more than jobs 20"]),
    "repeat above jobs": (
        {"service": replace_row(SERVICE, 0, repeat=41)},
        ["scores.xlsx, sheet Service, row 2, column repeat: repeat 41 is more than jobs 40"]),
    "duplicate Service row": (
        {"service": SERVICE + [["KF001", 5, 5, 0, 0, 0]]},
        ["scores.xlsx, sheet Service, row 4, column staff_id: duplicate Service row for staff_id KF001 "
         "(first in row 2)"]),
    "a staff member rating themselves as a peer": (
        {"ratings": RATINGS + [["KF002", "Zhang Wei", "peer", "S1", 100]]},
        ["scores.xlsx, sheet Ratings, row 5, column evaluator: Zhang Wei rates themselves (staff_id KF002) as a "
         "peer; a staff member is not their own colleague"]),
    "a staff member rating themselves by staff_id": (
        {"ratings": RATINGS + [["KF001", "KF001", "peer", "S1", 100]]},
        ["scores.xlsx, sheet Ratings, row 5, column evaluator: KF001 rates themselves (staff_id KF001) as a "
         "peer; a staff member is not their own colleague"]),
    "one evaluator rating twice": (
        {"ratings": RATINGS + [["KF001", "Wang", "leader", "S1", 85]]},
        ["scores.xlsx, sheet Ratings, row 5, column evaluator: Wang already rated KF001 on S1 (row 2)"]),
}


@pytest.mark.parametrize("changes, expected", list(CROSS_CHECKS.values()), ids=list(CROSS_CHECKS))
def test_cross_check_is_a_located_data_error(tmp_path: Path, changes: dict[str, Any], expected: list[str]) -> None:
    assert problems_of(write_scores(tmp_path / "scores.xlsx", **changes)) == expected


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    path = write_scores(tmp_path / "scores.xlsx", ratings=RATINGS[:2] + [["KF099", "Wang", "leader", "S1", 80]],
                        service=replace_row(SERVICE, 1, first_pass=21) + [["KF001", 5, 5, 0, 0, 0]])
    assert problems_of(path) == [
        "scores.xlsx, sheet Ratings, row 4, column staff_id: unknown staff_id KF099; it is not in sheet Staff",
        "scores.xlsx, sheet Service, row 3, column first_pass: first_pass 21 is more than jobs 20",
        "scores.xlsx, sheet Service, row 4, column staff_id: duplicate Service row for staff_id KF001 "
        "(first in row 2)",
        "scores.xlsx, sheet Staff, row 3, column staff_id: staff KF002 has no rating on qualitative indicator S1; "
        "add at least one row for it to sheet Ratings",
    ]


def test_sheet_errors_and_cross_sheet_errors_come_in_one_report(tmp_path: Path) -> None:
    indicators = [list(r) for r in INDICATORS]
    indicators[0][4] = -3  # a single-sheet error on Indicators ...
    staff = STAFF + [["KF003", None, "Engineer"]]  # ... and on Staff: no name
    path = write_scores(tmp_path / "scores.xlsx", indicators=indicators, staff=staff,
                        ratings=RATINGS + [["KF099", "Wang", "leader", "S1", 80], ["KF001", "Zhao", "peer", "S9", 70]])
    assert problems_of(path) == [
        "scores.xlsx, sheet Indicators, row 2, column weight: -3 is not a number > 0",
        "scores.xlsx, sheet Staff, row 4, column name: is empty; expected text",
        "scores.xlsx, sheet Ratings, row 5, column staff_id: unknown staff_id KF099; it is not in sheet Staff",
        "scores.xlsx, sheet Ratings, row 6, column indicator: unknown indicator S9; it is not in sheet Indicators",
    ]


def test_a_broken_indicator_row_does_not_make_its_ratings_unknown(tmp_path: Path) -> None:
    indicators = [list(r) for r in INDICATORS]
    indicators[2][4] = "heavy"  # S1's weight is not a number: S1 is not parsed
    assert problems_of(write_scores(tmp_path / "scores.xlsx", indicators=indicators)) == [
        "scores.xlsx, sheet Indicators, row 4, column weight: heavy is not a number"]


def test_staff_without_service_row_is_a_warning(tmp_path: Path) -> None:
    data, warnings = scores.read(write_scores(tmp_path / "scores.xlsx", service=SERVICE[:1]), "scores.xlsx")
    assert [s.staff_id for s in data.staff] == ["KF001", "KF002"]
    assert warnings == ["scores.xlsx, sheet Service: staff KF002 has no row; "
                        "its quantitative indicators are not applicable"]


# -- the sample ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample() -> scores.ScoresData:
    data, warnings = scores.read(SAMPLE, "scores.xlsx")
    assert warnings == []
    return data


def test_sample_ranks_and_totals(sample: scores.ScoresData) -> None:
    report = scoring.compute(sample, scores.rules_of(Config()))
    by_id = {r.staff.staff_id: r for r in report.results}
    assert (by_id["KF001"].rank, by_id["KF001"].total_rounded, by_id["KF001"].grade) == (1, D("98.0"), "excellent")
    # The exact tie of rounded totals: 陈晨 and 吴静 share rank 6, the next is 8.
    assert (by_id["KF004"].rank, by_id["KF004"].total_rounded) == (6, D("92.6"))
    assert (by_id["KF009"].rank, by_id["KF009"].total_rounded) == (6, D("92.6"))
    assert by_id["KF004"].total != by_id["KF009"].total
    assert by_id["KF003"].rank == 8
    # 朱琳 has no jobs: only the three qualitative indicators (weight 30) count.
    zhu = by_id["KF013"]
    assert (zhu.rank, zhu.total_rounded, zhu.grade) == (9, D("84.9"), "good")
    assert [s.applicable for s in zhu.indicators] == [False] * 4 + [True] * 3
    assert by_id["KF008"].grade == "needs_improvement"


def test_sample_has_a_leader_and_three_peers_on_everyone(sample: scores.ScoresData) -> None:
    assert len(sample.staff) >= 12
    qualitative = [i.code for i in sample.indicators if i.kind == "qualitative"]
    assert qualitative == ["S1", "S2", "S3"]
    for person in sample.staff:
        for code in qualitative:
            mine = [r for r in sample.ratings if r.staff_id == person.staff_id and r.indicator == code]
            assert [r.evaluator for r in mine if r.evaluator_type == "leader"] == ["王建国"]
            peers = [r.evaluator for r in mine if r.evaluator_type == "peer"]
            assert len(set(peers)) == 3 and person.name not in peers
    assert [s.staff_id for s in sample.service if s.jobs == 0] == ["KF013"]


# -- the document ----------------------------------------------------------------------------
def docx_tables(path: Path) -> list[list[list[str]]]:
    from docx import Document

    return [[[cell.text for cell in row.cells] for row in table.rows] for table in Document(str(path)).tables]


def docx_text(path: Path) -> str:
    return ooxml.document_text(path.read_bytes())


@pytest.fixture
def issued(ws: Workspace, tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "out").mkdir()
    return new_with_outputs(ws, "scores", SAMPLE, xlsx=str(tmp_path / "out" / "results.xlsx"),
                            split=str(tmp_path / "out" / "split"))


def test_summary_table_lists_everyone_in_rank_order(issued: dict[str, Any], sample: scores.ScoresData) -> None:
    summary = next(t for t in docx_tables(Path(issued["path"])) if t[0] == ["Rank", "Staff ID", "Name", "Total",
                                                                           "Grade"])
    assert summary[1] == ["1", "KF001", "李明", "98.0", "Excellent"]
    assert ["6", "KF004", "陈晨", "92.6", "Excellent"] in summary
    assert ["6", "KF009", "吴静", "92.6", "Excellent"] in summary
    assert ["9", "KF013", "朱琳", "84.9", "Good"] in summary
    assert summary[-1] == ["13", "KF008", "周杰", "55.3", "Needs improvement"]
    assert len(summary) == 1 + len(sample.staff)


def test_team_figures_against_targets(issued: dict[str, Any]) -> None:
    team = next(t for t in docx_tables(Path(issued["path"])) if t[0] == ["Item", "Actual", "Target", "Result"])
    assert team[1:] == [
        ["Jobs, all staff", "570", "—", "—"],
        ["First-time fixes, all staff", "522", "—", "—"],
        ["Team first-time fix pass rate", "91.6%", "Initial target ≥ 90%", "Met"],
        ["Team first-time fix pass rate", "91.6%", "Mid-term target ≥ 95%", "Not met"],
        ["Team first-time fix pass rate", "91.6%", "Long-term target ≥ 99%", "Not met"],
        ["Customer complaints caused by service", "6", "0", "Not met"],
    ]


def test_indicator_averages(issued: dict[str, Any]) -> None:
    averages = next(t for t in docx_tables(Path(issued["path"]))
                    if t[0] == ["Code", "Name", "Kind", "Weight", "Staff scored", "Average"])
    assert averages[1] == ["Q1", "一次修复合格率", "Quantitative", "30", "12", "98.8"]
    assert averages[5][:5] == ["S1", "工作态度", "Qualitative", "10", "13"]


def test_person_page_holds_every_number(issued: dict[str, Any]) -> None:
    tables = docx_tables(Path(issued["path"]))
    at = next(i for i, t in enumerate(tables) if t[0][:2] == ["Staff ID", "KF013"])
    assert tables[at] == [["Staff ID", "KF013", "Name", "朱琳", "Position", "助理服务工程师"],
                          ["Total", "84.9", "Grade", "Good", "Rank", "9"]]
    assert tables[at + 1][1] == ["0", "0", "0", "0", "0"]
    indicators = tables[at + 2]
    assert indicators[0] == ["Code", "Name", "Measured", "Leader mean", "Peer mean", "Score", "Weight",
                             "Weighted score"]
    assert indicators[1] == ["Q1", "一次修复合格率", "—", "—", "—", "—", "30", "—"]
    # S1: 0.6 × 87 + 0.4 × mean(82, 84, 83) = 85.4; weighted 10 × 85.4 / 30 = 28.5.
    assert indicators[5] == ["S1", "工作态度", "—", "87.0", "83.0", "85.4", "10", "28.5"]
    assert tables[at + 3][1] == ["S1", "王建国 87", "李明 82; 张伟 84; 刘洋 83"]
    li = next(i for i, t in enumerate(tables) if t[0][:2] == ["Staff ID", "KF001"])
    assert tables[li + 2][1] == ["Q1", "一次修复合格率", "96.8%", "—", "—", "100.0", "30", "30.0"]
    signatures = tables[at + 4]
    assert [row[0] for row in signatures] == ["Evaluator's signature", "Staff member's signature"]
    text = docx_text(Path(issued["path"]))
    assert text.count("Performance talk") == 13


def test_appendix_states_the_formulas(issued: dict[str, Any]) -> None:
    text = docx_text(Path(issued["path"]))
    for formula in (
        "Metric values: first-time fix pass rate = first-time fixes ÷ jobs;",
        "Q1 一次修复合格率 (higher is better): score = 100 × min(1, First-time fix pass rate ÷ 90%)",
        "Q2 二次修复率 (lower is better): score = 100 if Repeat-repair rate ≤ 5%; 0 if Repeat-repair rate ≥ 15%; "
        "otherwise 100 × (15% − Repeat-repair rate) ÷ (15% − 5%)",
        "S1 工作态度 (qualitative): score = 0.6 × leader mean + 0.4 × peer mean",
        "Total = Σ(weight × score) ÷ Σ weight over the applicable indicators",
        "rounded half up to one decimal",
        "Grade: total ≥ 90 Excellent; ≥ 80 Good; ≥ 70 Satisfactory; otherwise Needs improvement.",
        "against the targets Initial target 90%, Mid-term target 95%, Long-term target 99%",
    ):
        assert formula in text


def test_every_name_is_in_the_document(issued: dict[str, Any], sample: scores.ScoresData) -> None:
    text = docx_text(Path(issued["path"]))
    for name in {p.name for p in sample.staff} | {r.evaluator for r in sample.ratings} | {
            i.name for i in sample.indicators}:
        assert name in text


def test_chinese_workspace_prints_chinese_grades(tmp_path: Path) -> None:
    root = workspace.init(tmp_path / "zh", "四川虹欧显示器件有限公司", "技术质量部", "zh")
    w = Workspace.open(root, write=True)
    try:
        result = lifecycle.new(w, "scores", SAMPLE)
    finally:
        w.close()
    summary = next(t for t in docx_tables(Path(result["path"])) if t[0] == ["名次", "工号", "姓名", "总分", "等级"])
    assert summary[1] == ["1", "KF001", "李明", "98.0", "优秀"]
    assert summary[-1][-1] == "待改进"
    assert "客户服务人员考评评分表" == result["title"]


def test_chart_media_replaces_the_template_pictures(sample: scores.ScoresData) -> None:
    media = scores.chart_media(sample, Config(language="en"))
    template = dict(ooxml.read_package((ROOT / "templates" / "scores.docx").read_bytes()))
    slots = ooxml.picture_slots(template["word/document.xml"], template["word/_rels/document.xml.rels"])
    assert set(media) == set(scores.CHART_SLOTS) == set(slots)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in media.values())
    assert scores.chart_media(sample, Config(language="en")) == media  # same bytes every time

    from qmsdocs.frame import Frame
    from qmsdocs.labels import labels
    from qmsdocs.render import load_template

    frame = Frame("Co", "Dept", "en", "GB/T 19001-2016", "HO-JZ-PF-2026-001", "scores", "Scores", "1.0", "draft",
                  dt.date(2026, 11, 20))
    context = {"frame": frame.context(), "L": labels("en"), **scores.context(sample, Config(language="en"))}
    package = dict(ooxml.read_package(load_template(ROOT / "templates" / "scores.docx").render(
        context, frame.core_properties(), media)))
    assert [package[slots[slot][0]] for slot in scores.CHART_SLOTS] == [media[s] for s in scores.CHART_SLOTS]


# -- results workbook and split files --------------------------------------------------------
def test_results_workbook(issued: dict[str, Any]) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(issued["xlsx"])
    ws = wb["Results"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("staff_id", "name", "total", "grade", "rank", "Q1", "Q2", "Q3", "Q4", "S1", "S2", "S3")
    assert rows[1] == ("KF001", "李明", 98, "Excellent", 1, 100, 100, 100, 100, 94.2, 91.9, 93.7)
    assert ("KF013", "朱琳", 84.9, "Good", 9, None, None, None, None, 85.4, 85.1, 84.3) in rows
    assert len(ws._charts) == 1
    assert ws["C2"].number_format == "0.0"


def test_split_files_one_per_person(issued: dict[str, Any], sample: scores.ScoresData) -> None:
    ids = [p.staff_id for p in sample.staff]
    assert [Path(p).name for p in issued["split"]] == [f"{issued['doc_no']}_{i}.docx" for i in ids]
    for path, person in zip(issued["split"], sample.staff):
        text = docx_text(Path(path))
        assert person.name in text and issued["doc_no"] in text
        assert text.count("Individual score sheet") == 1
        assert [i for i in ids if i in text] == [person.staff_id]
        assert "Summary of results" not in text and "Appendix" not in text



@pytest.mark.parametrize("options, message", [
    ({"jobs": 2}, "option --jobs renders the --split files; give --split DIR too"),
    ({"xlsx": "results.csv"}, "option --xlsx: results.csv: the results file must end in .xlsx"),
])
def test_bad_options_leave_the_workspace_unchanged(records: Path, ws: Workspace, options: dict[str, Any],
                                                   message: str) -> None:
    before = tree_digest(records)
    with pytest.raises(UsageError) as info:
        new_with_outputs(ws, "scores", SAMPLE, **options)
    assert str(info.value) == message
    assert tree_digest(records) == before
    assert reports.list_documents(ws) == {"documents": []}


def test_shipped_template_passes_the_template_check() -> None:
    from qmsdocs.template_check import check_with_samples

    result = check_with_samples(None, str(ROOT / "templates" / "scores.docx"), "scores")
    assert (result["unknown"], result["missing"], result["ok"]) == ([], [], True)


def test_split_file_names_are_safe() -> None:
    assert scores.split_name("HO-JZ-PF-2026-001", "KF001") == "HO-JZ-PF-2026-001_KF001.docx"
    assert scores.split_name("HO-JZ-PF-2026-001", "A/1 x") == "HO-JZ-PF-2026-001_A_1_x.docx"


@pytest.mark.skipif("media" not in scores.DocType.__dataclass_fields__, reason="DocType.media hook not wired yet")
def test_issued_document_carries_the_charts(ws: Workspace, sample: scores.ScoresData) -> None:
    result = lifecycle.new(ws, "scores", SAMPLE)
    parts = dict(ooxml.read_package(Path(result["path"]).read_bytes()))
    slots = ooxml.picture_slots(parts["word/document.xml"], parts["word/_rels/document.xml.rels"])
    assert {slot: parts[slots[slot][0]] for slot in scores.CHART_SLOTS} == scores.chart_media(sample, ws.config)


def test_person_page_says_weighted_scores_are_rounded(issued: dict[str, Any], sample: scores.ScoresData) -> None:
    note = ("Indicator scores and weighted scores are rounded to one decimal for display; "
            "the total is computed from the exact values, then rounded.")
    text = docx_text(Path(issued["path"]))
    assert text.count(note) == len(sample.staff)
    # Beside the weighted scores: after each person's indicator table, before their ratings.
    pages = text.split("Weighted score")[1:]
    assert all(note in page.split("Ratings")[0] for page in pages)
    split = sorted(Path(issued["split"][0]).parent.glob("*.docx"))
    assert docx_text(split[0]).count(note) == 1

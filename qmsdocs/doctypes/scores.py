"""The score sheets (考评评分表): workbook cross-checks, the document's content, charts, extra outputs.

The document has a summary (rank, staff, total, grade), the team average per indicator, the team
figures against the seed's targets with two charts, one page per staff member for the performance
talk (绩效沟通) and an appendix of formulas. ``--xlsx`` adds the results workbook, ``--split`` one
.docx per staff member, rendered in ``--jobs`` processes.
"""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from qmsdocs import scoring, vocab
from qmsdocs.config import Config
from qmsdocs.doctypes import DocType
from qmsdocs.i18n import _
from qmsdocs.doctypes.plan import number_text, rate_text
from qmsdocs.indicators import read_indicators_and_codes
from qmsdocs.labels import labels
from qmsdocs.models import LOWER_IS_BETTER, Indicator, Rating, ScoresData, Service, Staff
from qmsdocs.scoring import ScoreReport, ScoringRules, StaffResult, round_half_up
from qmsdocs.sheets import PERIOD, RATINGS, SERVICE, STAFF
from qmsdocs.text import one_line
from qmsdocs.workbook import WorkbookReader
from qmsdocs.xlsx.loading import collector_held

NA = "—"
#: The chart slots: pictures whose alternative text in the template is ``{{ chart_totals }}`` and
#: ``{{ chart_first_pass }}``, whatever their media files are called.
CHART_SLOTS = ("chart_totals", "chart_first_pass")


# -- reading ---------------------------------------------------------------------------------
def read(path: Path, display: str) -> tuple[ScoresData, list[str]]:
    """Return the scores workbook's data and warnings; raise DataError listing every problem."""
    reader = WorkbookReader(path, display)
    try:
        # Thousands of staff make hundreds of thousands of rows, ratings and checks: see collector_held.
        with collector_held():
            return _read_all(reader)
    finally:
        reader.close()


def _read_all(reader: WorkbookReader) -> tuple[ScoresData, list[str]]:
    """Return the data and warnings of an open scores workbook; raise DataError listing every problem."""
    fields, _where = reader.fields(PERIOD)
    before = len(reader.problems)
    # Every code written on the sheet is known, also on rows with other problems; only a code that
    # cannot be read (or a missing sheet or column) would make references to it look "unknown".
    indicators, codes = read_indicators_and_codes(reader)
    codes_ok = _keys_known(reader, before, "code")
    before = len(reader.problems)
    staff, staff_rows = _read_staff(reader)
    staff_ok = _keys_known(reader, before, "staff_id")
    names = {person.staff_id: person.name for person in staff}
    ratings, rated = _read_ratings(reader, staff_rows if staff_ok else None, names,
                                   {i.code: i for i in indicators}, codes if codes_ok else None)
    service = _read_service(reader, staff_rows if staff_ok else None)
    if staff_ok:
        _check_rated(reader, staff, staff_rows, indicators, rated)
    reader.raise_if_problems()
    if any(i.kind == "quantitative" for i in indicators):
        served = {s.staff_id for s in service}
        reader.warnings += [_("{file}, sheet {sheet}: staff {staff_id} has no row; "
                              "its quantitative indicators are not applicable").format(
                                  file=reader.file, sheet=SERVICE.name, staff_id=one_line(p.staff_id)) for p in staff
                            if p.staff_id not in served]
    return ScoresData(fields, indicators, staff, ratings, service), reader.warnings


def _keys_known(reader: WorkbookReader, since: int, column: str) -> bool:
    """Return whether the problems reported since ``since`` leave a sheet's keys known.

    A missing sheet, header column or key cell that cannot be read hides keys; a duplicate key or
    a problem in another column does not, so the cross-sheet checks still run beside them.
    """
    return not any(p.column is None or (p.column == column and not p.message.startswith("duplicate"))
                   for p in reader.problems[since:])


def _check_rated(reader: WorkbookReader, staff: tuple[Staff, ...], staff_rows: dict[str, int],
                 indicators: tuple[Indicator, ...], rated: set[tuple[str, str]]) -> None:
    """Report each staff member left without a rating on a qualitative indicator, on the Staff row."""
    for person in staff:
        for ind in indicators:
            if ind.kind == "qualitative" and (person.staff_id, ind.code) not in rated:
                reader.problem(_("staff {staff_id} has no rating on qualitative indicator "
                                 "{code}; add at least one row for it to sheet {sheet}").format(
                                     staff_id=one_line(person.staff_id), code=one_line(ind.code), sheet=RATINGS.name),
                               STAFF.name, staff_rows[person.staff_id], "staff_id")


def _read_staff(reader: WorkbookReader) -> tuple[tuple[Staff, ...], dict[str, int]]:
    """Return the staff and the row of each staff_id (ids of rows with other problems included)."""
    rows: dict[str, int] = {}
    staff = []
    for row in reader.table(STAFF):
        sid = row["staff_id"]
        if sid is None:
            continue
        if sid in rows:
            reader.problem(_("duplicate staff_id {staff_id} (first in row {row})").format(
                staff_id=one_line(sid), row=rows[sid]), STAFF.name, row.number,
                           "staff_id")
            continue
        rows[sid] = row.number
        if row["name"] is not None:
            staff.append(Staff(sid, row["name"], row["position"] or ""))
    if not rows and not reader.problems:
        reader.problem(_("has no staff; add at least one row"), STAFF.name)
    return tuple(staff), rows


def _read_ratings(reader: WorkbookReader, staff_rows: dict[str, int] | None, names: dict[str, str],
                  indicators: dict[str, Indicator], codes: set[str] | None,
                  ) -> tuple[tuple[Rating, ...], set[tuple[str, str]]]:
    """Return the ratings and the (staff_id, indicator) pairs that have at least one rating row.

    ``staff_rows`` and ``codes`` are the keys of the Staff and Indicators sheets, None where they
    cannot all be read (then no reference to them is called unknown).
    """
    sheet = RATINGS.name
    ratings: list[Rating] = []
    rated: set[tuple[str, str]] = set()
    seen: dict[tuple[str, Any, str], int] = {}
    for row in reader.table(RATINGS):
        values = row.values
        sid, code, evaluator = values["staff_id"], values["indicator"], values["evaluator"]
        if sid is not None and staff_rows is not None and sid not in staff_rows:
            reader.problem(_("unknown staff_id {staff_id}; it is not in sheet {sheet}").format(
                staff_id=one_line(sid), sheet=STAFF.name), sheet, row.number, "staff_id")
        indicator = indicators.get(code) if code is not None else None
        if code is not None and codes is not None and code not in codes:
            reader.problem(_("unknown indicator {code}; it is not in sheet Indicators").format(code=one_line(code)),
                           sheet, row.number,
                           "indicator")
        if indicator is not None and indicator.kind == "quantitative":
            reader.problem(_("indicator {code} is quantitative: its score comes from sheet {sheet}, "
                             "not from ratings").format(code=one_line(code), sheet=SERVICE.name),
                           sheet, row.number, "indicator")
        if sid is not None and code is not None:
            rated.add((sid, code))
            key = (sid, evaluator, code)
            if evaluator is not None and key in seen:
                # A second row would count the same evaluator twice in the mean.
                reader.problem(_("{evaluator} already rated {staff_id} on {code} "
                                 "(row {row})").format(evaluator=one_line(evaluator), staff_id=one_line(sid),
                                                       code=one_line(code), row=seen[key]),
                               sheet, row.number, "evaluator")
            seen.setdefault(key, row.number)
        kind, score = values["evaluator_type"], values["score"]
        if kind == "peer" and sid is not None and evaluator is not None and evaluator in (sid, names.get(sid)):
            # A peer rating is a colleague's view; one's own would pass for a colleague's in the peer mean.
            reader.problem(_("{evaluator} rates themselves (staff_id {staff_id}) as a peer; "
                             "a staff member is not their own colleague").format(
                                 evaluator=one_line(evaluator), staff_id=one_line(sid)), sheet, row.number, "evaluator")
        if None not in (sid, code, evaluator, kind, score):
            ratings.append(Rating(sid, evaluator, kind, code, score))
    return tuple(ratings), rated


def _read_service(reader: WorkbookReader, staff_rows: dict[str, int] | None) -> tuple[Service, ...]:
    """Return the Service rows, checked: known staff, one row each, first_pass and repeat ≤ jobs."""
    sheet = SERVICE.name
    seen: dict[str, int] = {}
    out = []
    for row in reader.table(SERVICE):
        sid, jobs = row["staff_id"], row["jobs"]
        if sid is not None and sid in seen:
            reader.problem(_("duplicate Service row for staff_id {staff_id} (first in row {row})").format(
                staff_id=one_line(sid), row=seen[sid]),
                           sheet, row.number, "staff_id")
        elif sid is not None:
            seen[sid] = row.number
            if staff_rows is not None and sid not in staff_rows:
                reader.problem(_("unknown staff_id {staff_id}; it is not in sheet {sheet}").format(
                    staff_id=one_line(sid), sheet=STAFF.name), sheet, row.number, "staff_id")
        for column in ("first_pass", "repeat"):
            if jobs is not None and row[column] is not None and row[column] > jobs:
                reader.problem(_("{column} {value} is more than jobs {jobs}").format(
                    column=column, value=row[column], jobs=jobs),
                               sheet, row.number, column)
        counts = [row[c] for c in ("jobs", "first_pass", "repeat", "complaints", "scrapped")]
        if sid is not None and None not in counts:
            out.append(Service(sid, *counts))
    return tuple(out)


def title_of(data: ScoresData) -> str | None:
    """Return None: the scores workbook has no title field."""
    return None


# -- scoring and display ---------------------------------------------------------------------
def rules_of(config: Config) -> ScoringRules:
    """Return the scoring rules the workspace configures (leader weight, grade bands)."""
    return ScoringRules(leader_weight=Fraction(config.leader_weight),
                        bands=tuple((floor, grade) for grade, floor in config.grade_bands.items()))


def _shown(value: Decimal | None) -> str:
    """Return a rounded one-decimal value as text, or "—" when it does not apply."""
    return NA if value is None else format(value, "f")


def _measured(value: Fraction | None) -> str:
    """Return a measured rate as a one-decimal percentage (0.925 → 92.5%), or "—"."""
    return NA if value is None else f"{round_half_up(value * 100)}%"


def _target(value: Fraction | Decimal) -> str:
    """Return a target rate as written in the plan (0.9 → 90%)."""
    fraction = Fraction(value)
    return rate_text(Decimal(fraction.numerator) / Decimal(fraction.denominator))


def _grade(result: StaffResult, L: dict[str, str]) -> str:
    return L[f"grade_{result.grade}"] if result.grade else NA


def _ratings_text(ratings: list[Rating], kind: str, language: str) -> str:
    """Return one kind's ratings of one indicator as "name score" pairs (王建国 95、李明 92), or "—"."""
    sep = "、" if language == "zh" else "; "
    return sep.join(f"{r.evaluator} {number_text(r.score)}" for r in ratings if r.evaluator_type == kind) or NA


def _person(result: StaffResult, data: ScoresData, language: str, L: dict[str, str],
            service: Service | None, mine: list[Rating]) -> dict[str, Any]:
    """Return one staff member's page: counts, indicator scores and the ratings behind them.

    ``service`` is the person's Service row (None without one), ``mine`` the ratings of them.
    """
    sid = result.staff.staff_id
    counts = ("jobs", "first_pass", "repeat", "complaints", "scrapped")
    return {
        "staff_id": sid, "name": result.staff.name, "position": result.staff.position,
        "total": _shown(result.total_rounded), "grade": _grade(result, L),
        "rank": NA if result.rank is None else str(result.rank),
        "service": [{c: NA if service is None else str(getattr(service, c)) for c in counts}],
        "indicators": [
            {"code": s.code, "name": s.name, "value": _measured(s.value) if s.kind == "quantitative" else NA,
             "leader": _shown(s.leader_mean_rounded), "peer": _shown(s.peer_mean_rounded),
             "score": _shown(s.score_rounded), "weight": number_text(s.weight), "weighted": _shown(s.weighted_rounded)}
            for s in result.indicators
        ],
        "not_applicable": any(not s.applicable for s in result.indicators),
        # Every single rating, grouped per indicator, so the means above can be recomputed by hand.
        "ratings": [{"indicator": ind.code,
                     "leader": _ratings_text([r for r in mine if r.indicator == ind.code], "leader", language),
                     "peer": _ratings_text([r for r in mine if r.indicator == ind.code], "peer", language)}
                    for ind in data.indicators if ind.kind == "qualitative"],
    }


def _team(report: ScoreReport, L: dict[str, str]) -> list[dict[str, str]]:
    """Return the team figures as table rows: totals, first-pass rate against each target, complaints."""
    team = report.team
    rows = [{"item": L["team_jobs"], "actual": str(team.jobs), "target": NA, "result": NA},
            {"item": L["team_first_pass_count"], "actual": str(team.first_pass), "target": NA, "result": NA}]
    for name, target, met in team.targets:
        rows.append({"item": L["team_first_pass"], "actual": _measured(team.first_pass_rate),
                     "target": f"{L['target_' + name]} ≥ {_target(target)}",
                     "result": NA if team.first_pass_rate is None else L["met" if met else "not_met"]})
    rows.append({"item": L["team_complaints"], "actual": str(team.complaints), "target": "0",
                 "result": L["met" if team.complaints_met else "not_met"]})
    return rows


def formulas(data: ScoresData, config: Config, rules: ScoringRules, L: dict[str, str]) -> list[str]:
    """Return every formula behind the figures, with this workspace's weights, targets and bands."""
    language = config.language
    out = [L["formula_rates"]]
    w = config.leader_weight
    for ind in data.indicators:
        if ind.kind == "qualitative":
            out.append(L["formula_qualitative"].format(code=ind.code, name=ind.name, w=number_text(w),
                                                       v=number_text(1 - w)))
            continue
        metric = vocab.label("metric", ind.metric or "first_pass_rate", language)
        key = "formula_lower" if ind.metric in LOWER_IS_BETTER else "formula_higher"
        out.append(L[key].format(code=ind.code, name=ind.name, metric=metric, target=rate_text(ind.target),
                                 limit=rate_text(ind.limit)))
    out += [L["formula_total"], L["formula_rounding"],
            L["formula_grades"].format(**{g: number_text(v) for g, v in config.grade_bands.items()})]
    sep = "、" if language == "zh" else ", "
    out.append(L["formula_team"].format(targets=sep.join(f"{L['target_' + name]} {_target(value)}"
                                                         for name, value in rules.first_pass_targets)))
    return out


class _LastReport:
    """The report and pages of the last data scored, kept because one command asks for them often.

    ``qms new scores`` needs the same report for the document, its charts, the results workbook
    and the split documents, and the same person pages for the document and the split files;
    scoring thousands of staff in exact fractions is worth doing once. The data is immutable, so
    the same object with the same rules (and language) always has the same report (and pages),
    which templates only read: the sandbox lets no template change them.
    """

    data: ScoresData | None = None
    rules: ScoringRules | None = None
    report: ScoreReport | None = None
    pages: tuple[str, list[dict[str, Any]]] | None = None

    @classmethod
    def of(cls, data: ScoresData, rules: ScoringRules) -> ScoreReport:
        if cls.report is None or cls.data is not data or cls.rules != rules:
            cls.report = scoring.compute(data, rules)
            cls.data, cls.rules, cls.pages = data, rules, None
        return cls.report


def report_of(data: ScoresData, config: Config) -> ScoreReport:
    """Return the score report of ``data`` under the workspace's rules (computed once per data)."""
    return _LastReport.of(data, rules_of(config))


def people(data: ScoresData, config: Config, report: ScoreReport | None = None) -> list[dict[str, Any]]:
    """Return each staff member's page variables, in the Staff sheet's order (worked out once per data)."""
    if report is None:
        report = report_of(data, config)
        if _LastReport.report is report and _LastReport.pages is not None and _LastReport.pages[0] == config.language:
            return _LastReport.pages[1]
    pages = _people(data, config, report)
    if _LastReport.report is report:
        _LastReport.pages = (config.language, pages)
    return pages


def _people(data: ScoresData, config: Config, report: ScoreReport) -> list[dict[str, Any]]:
    language, L = config.language, labels(config.language)
    by_id = {r.staff.staff_id: r for r in report.results}
    services: dict[str, Service] = {}
    for row in data.service:
        services.setdefault(row.staff_id, row)
    ratings: dict[str, list[Rating]] = {}
    for rating in data.ratings:
        ratings.setdefault(rating.staff_id, []).append(rating)
    return [_person(by_id[p.staff_id], data, language, L, services.get(p.staff_id), ratings.get(p.staff_id, []))
            for p in data.staff]


def context(data: ScoresData, config: Config) -> dict[str, Any]:
    """Return the template variables of the full score document."""
    language, L, rules = config.language, labels(config.language), rules_of(config)
    report = report_of(data, config)
    averages = []
    applicable: dict[str, int] = {}
    for r in report.results:
        for s in r.indicators:
            if s.applicable:
                applicable[s.code] = applicable.get(s.code, 0) + 1
    for ind, (_mean, _count, rounded) in zip(data.indicators, report.indicator_averages):
        count = applicable.get(ind.code, 0)
        averages.append({"code": ind.code, "name": ind.name, "kind": vocab.label("kind", ind.kind, language),
                         "weight": number_text(ind.weight), "count": str(count), "average": _shown(rounded)})
    evaluated_on = data.fields.get("evaluated_on")
    return {
        "full": True,
        "scores": {"period": str(data.fields.get("period") or NA),
                   "evaluated_on": evaluated_on.isoformat() if hasattr(evaluated_on, "isoformat") else NA,
                   "staff_count": str(len(data.staff)), "leader_weight": number_text(config.leader_weight)},
        "summary": [{"rank": NA if r.rank is None else str(r.rank), "staff_id": r.staff.staff_id,
                     "name": r.staff.name, "total": _shown(r.total_rounded), "grade": _grade(r, L)}
                    for r in report.results],
        "averages": averages,
        "team": _team(report, L),
        # Pages follow the Staff sheet's order, the order the leader holds the talks in.
        "people": people(data, config),
        "formulas": formulas(data, config, rules, L),
    }


def person_contexts(data: ScoresData, config: Config) -> list[tuple[str, dict[str, Any]]]:
    """Return (staff_id, template variables) of each split document: the cover and one person's page."""
    shared = {"full": False, "scores": {"period": str(data.fields.get("period") or NA)}}
    return [(p["staff_id"], shared | {"people": [p]}) for p in people(data, config)]


def chart_media(data: ScoresData, config: Config) -> dict[str, bytes]:
    """Return the chart pictures by template part name: totals per person, team first-pass rate."""
    from qmsdocs import charts

    report = report_of(data, config)
    return dict(zip(CHART_SLOTS, charts.score_charts(data, report, labels(config.language))))


# -- extra outputs ---------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]')


def split_name(doc_no: str, staff_id: str) -> str:
    """Return the file name of a staff member's split document: ``<doc_no>_<staff_id>.docx``."""
    return f"{doc_no}_{_UNSAFE.sub('_', staff_id)}.docx"


DOCTYPE = DocType(name="scores", read=read, context=context, title_of=title_of,
                  default_title=("客户服务人员考评评分表", "Customer Service Evaluation Score Sheets"),
                  media=chart_media)

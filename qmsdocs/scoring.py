"""Scores, totals, grades and ranks of a staff evaluation (考评), computed exactly.

Formulas (all arithmetic in :class:`fractions.Fraction`; floats are never used):

* metric values per staff member, with ``jobs`` from the Service row (no row means 0 jobs):
  first_pass_rate = first_pass / jobs, repeat_rate = repeat / jobs,
  complaint_rate = complaints / jobs, scrap_rate = scrapped / jobs.
  With jobs = 0 the quantitative indicators are not applicable.
* quantitative score: first_pass_rate (higher is better) = 100 * min(1, value / target)
  (100 when target <= 0); lower-is-better metrics = 100 if value <= target, 0 if value >= limit,
  else 100 * (limit - value) / (limit - target).
* qualitative score = w * mean(leader) + (1 - w) * mean(peer), w = leader weight (default 0.6);
  when only one evaluator type rated, that type's mean.
* total = sum(weight * score) / sum(weight) over the applicable indicators; None when none apply.
* rounded values: half-up to one decimal (84.25 -> 84.3), returned as one-decimal Decimals.
* grade by rounded total against descending bands (>= 90 excellent, >= 80 good,
  >= 70 satisfactory, else needs_improvement); rank by descending rounded total, equal rounded
  totals share a rank (1, 2, 2, 4), ties keep input staff order, unrated (None) staff come last.
* team first-pass rate = sum(first_pass) / sum(jobs) against 0.90 / 0.95 / 0.99 (met iff
  rate >= target); complaints total against a target of zero.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from qmsdocs.models import LOWER_IS_BETTER, Indicator, Rating, ScoresData, Service, Staff

HUNDRED = Fraction(100)
#: Which Service count is the numerator of each metric.
_METRIC_COUNTS = {
    "first_pass_rate": "first_pass",
    "repeat_rate": "repeat",
    "complaint_rate": "complaints",
    "scrap_rate": "scrapped",
}


@dataclass(frozen=True)
class ScoringRules:
    """The configurable parts of the rules; the defaults are the product spec's."""

    leader_weight: Fraction = Fraction(3, 5)
    bands: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "excellent"), (Decimal(80), "good"), (Decimal(70), "satisfactory"))
    below: str = "needs_improvement"
    first_pass_targets: tuple[tuple[str, Fraction], ...] = (
        ("initial", Fraction(9, 10)), ("mid_term", Fraction(19, 20)),
        ("long_term", Fraction(99, 100)))

    def __post_init__(self) -> None:
        # A weight outside 0..1 would let a score leave 0..100 silently.
        if not 0 <= Fraction(self.leader_weight) <= 1:
            raise ValueError(f"leader_weight must be within 0..1, got {self.leader_weight}")


def round_half_up(value: Fraction | Decimal | int) -> Decimal:
    """Return ``value`` rounded half away from zero to exactly one decimal place."""
    exact = value if isinstance(value, Fraction) else Fraction(value)
    n, d = abs(exact.numerator), exact.denominator
    # floor(10·|x| + 1/2) in integers, on the exact fraction: 84.25 -> 84.3 but 84.249999 -> 84.2.
    digits = (20 * n + d) // (2 * d)
    return Decimal(-digits if exact.numerator < 0 else digits).scaleb(-1)


def _rounded(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's score for one staff member.

    ``weighted`` is weight * score / the person's applicable weight sum (its share of the
    total). The ``*_rounded`` properties return the one-decimal Decimal, or None for None.
    """

    code: str
    name: str
    kind: str
    weight: Decimal
    applicable: bool
    value: Fraction | None
    leader_mean: Fraction | None
    peer_mean: Fraction | None
    score: Fraction | None
    weighted: Fraction | None

    @property
    def score_rounded(self) -> Decimal | None:
        return _rounded(self.score)

    @property
    def leader_mean_rounded(self) -> Decimal | None:
        return _rounded(self.leader_mean)

    @property
    def peer_mean_rounded(self) -> Decimal | None:
        return _rounded(self.peer_mean)

    @property
    def weighted_rounded(self) -> Decimal | None:
        return _rounded(self.weighted)


@dataclass(frozen=True)
class StaffResult:
    """One staff member's indicator scores, total, grade and rank (None when unrated)."""

    staff: Staff
    indicators: tuple[IndicatorScore, ...]
    total: Fraction | None
    total_rounded: Decimal | None
    grade: str | None
    rank: int | None


@dataclass(frozen=True)
class TeamFigures:
    jobs: int
    first_pass: int
    complaints: int
    first_pass_rate: Fraction | None
    targets: tuple[tuple[str, Fraction, bool], ...]
    complaints_met: bool


@dataclass(frozen=True)
class ScoreReport:
    results: tuple[StaffResult, ...]
    indicator_averages: tuple[tuple[str, Fraction | None, Decimal | None], ...]
    team: TeamFigures


def metric_value(metric: str, service: Service | None) -> Fraction | None:
    """Return the metric's rate for one staff member, or None when there are no jobs."""
    if service is None or service.jobs <= 0:
        return None
    return Fraction(getattr(service, _METRIC_COUNTS[metric]), service.jobs)


def quantitative_score(indicator: Indicator, value: Fraction) -> Fraction:
    """Return the 0..100 score of a metric value against the indicator's target and limit."""
    target = Fraction(indicator.target or 0)
    if indicator.metric not in LOWER_IS_BETTER:
        # Validation forbids a zero target; guard anyway rather than divide by zero.
        return HUNDRED if target <= 0 else HUNDRED * min(Fraction(1), value / target)
    limit = Fraction(indicator.limit if indicator.limit is not None else target)
    if value <= target:
        return HUNDRED
    if value >= limit:
        return Fraction(0)
    return HUNDRED * (limit - value) / (limit - target)


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def score_indicator(indicator: Indicator, service: Service | None,
                    ratings: Iterable[Rating], rules: ScoringRules = ScoringRules()
                    ) -> IndicatorScore:
    """Return one staff member's score on ``indicator``, with ``weighted`` left None.

    ``ratings`` are that staff member's ratings; rows for other indicators are ignored.
    ``weighted`` needs the person's applicable weight sum, so :func:`score_staff` fills it.
    """
    value = leader = peer = score = None
    if indicator.kind == "quantitative":
        value = metric_value(indicator.metric or "", service)
        if value is not None:
            score = quantitative_score(indicator, value)
    else:
        mine = [r for r in ratings if r.indicator == indicator.code]
        leader = _mean([Fraction(r.score) for r in mine if r.evaluator_type == "leader"])
        peer = _mean([Fraction(r.score) for r in mine if r.evaluator_type == "peer"])
        if leader is not None and peer is not None:
            w = Fraction(rules.leader_weight)
            score = w * leader + (1 - w) * peer
        else:
            # One evaluator type alone stands for the whole; none at all means unrated.
            score = leader if leader is not None else peer
    return IndicatorScore(indicator.code, indicator.name, indicator.kind, indicator.weight,
                          score is not None, value, leader, peer, score, None)


def score_staff(indicators: Iterable[Indicator], service: Service | None,
                ratings: Iterable[Rating], rules: ScoringRules = ScoringRules()
                ) -> tuple[tuple[IndicatorScore, ...], Fraction | None]:
    """Return (indicator scores with their weighted shares, exact total or None)."""
    rows = list(ratings)
    scores = [score_indicator(ind, service, rows, rules) for ind in indicators]
    weight_sum = sum((Fraction(s.weight) for s in scores if s.applicable), Fraction(0))
    if weight_sum == 0:
        # Nothing applicable (or only zero weights): there is no total to rank.
        return tuple(scores), None
    scores = [replace(s, weighted=Fraction(s.weight) * s.score / weight_sum)
              if s.score is not None else s for s in scores]
    return tuple(scores), sum((s.weighted for s in scores if s.weighted is not None), Fraction(0))


def grade_for(total_rounded: Decimal | None, rules: ScoringRules = ScoringRules()) -> str | None:
    """Return the grade key of a rounded total (None for None)."""
    if total_rounded is None:
        return None
    # Highest threshold first, so bands may be configured in any order.
    for threshold, grade in sorted(rules.bands, key=lambda band: band[0], reverse=True):
        if total_rounded >= threshold:
            return grade
    return rules.below


def _merge_service(staff_id: str, rows: list[Service]) -> Service | None:
    # Validated data have one row per person; summing keeps the result row-order independent.
    if not rows:
        return None
    return Service(staff_id, *(sum(getattr(r, f) for r in rows)
                               for f in ("jobs", "first_pass", "repeat", "complaints", "scrapped")))


def team_figures(services: Iterable[Service | None],
                 rules: ScoringRules = ScoringRules()) -> TeamFigures:
    """Return the team's first-pass rate and complaints against their targets."""
    present = [s for s in services if s is not None]
    jobs = sum(s.jobs for s in present)
    first_pass = sum(s.first_pass for s in present)
    complaints = sum(s.complaints for s in present)
    rate = Fraction(first_pass, jobs) if jobs > 0 else None
    targets = tuple((name, Fraction(target), rate is not None and rate >= target)
                    for name, target in rules.first_pass_targets)
    return TeamFigures(jobs, first_pass, complaints, rate, targets, complaints == 0)


def compute(data: ScoresData, rules: ScoringRules = ScoringRules()) -> ScoreReport:
    """Return the full report: staff results in rank order, indicator averages, team figures."""
    by_staff: dict[str, list[Rating]] = {}
    for rating in data.ratings:
        by_staff.setdefault(rating.staff_id, []).append(rating)
    service_rows: dict[str, list[Service]] = {}
    for row in data.service:
        service_rows.setdefault(row.staff_id, []).append(row)
    services = {s.staff_id: _merge_service(s.staff_id, service_rows.get(s.staff_id, []))
                for s in data.staff}

    unranked: list[StaffResult] = []
    for person in data.staff:
        scores, total = score_staff(data.indicators, services[person.staff_id],
                                    by_staff.get(person.staff_id, []), rules)
        rounded = _rounded(total)
        unranked.append(StaffResult(person, scores, total, rounded,
                                    grade_for(rounded, rules), None))

    # Rank on the rounded totals users see, so equal displayed totals get equal ranks;
    # sorted() is stable, so ties keep the input staff order.
    ranked = sorted((r for r in unranked if r.total_rounded is not None),
                    key=lambda r: -r.total_rounded)  # type: ignore[operator]
    results: list[StaffResult] = []
    for position, result in enumerate(ranked, start=1):
        tied = results and results[-1].total_rounded == result.total_rounded
        results.append(replace(result, rank=results[-1].rank if tied else position))
    results.extend(r for r in unranked if r.total_rounded is None)

    averages = []
    for index, indicator in enumerate(data.indicators):
        applicable = [r.indicators[index].score for r in unranked
                      if r.indicators[index].score is not None]
        mean = _mean(applicable)  # type: ignore[arg-type]
        averages.append((indicator.code, mean, _rounded(mean)))

    return ScoreReport(tuple(results), tuple(averages),
                       team_figures(services.values(), rules))

"""Tests of qmsdocs.scoring: hand-computed cases, then hypothesis properties."""
from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsdocs.models import EVALUATOR_TYPES, METRICS, Indicator, Rating, ScoresData, Service, Staff
from qmsdocs.scoring import (
    ScoringRules,
    compute,
    round_half_up,
    score_indicator,
)

D = Decimal
F = Fraction


def quant(code: str, metric: str, target: str, limit: str | None = None,
          weight: str = "1") -> Indicator:
    return Indicator(code, f"name {code}", "quantitative", "performance", D(weight), metric,
                     D(target), None if limit is None else D(limit))


def qual(code: str, weight: str = "1") -> Indicator:
    return Indicator(code, f"name {code}", "qualitative", "capability", D(weight))


def svc(sid: str, jobs: int, first_pass: int = 0, repeat: int = 0, complaints: int = 0,
        scrapped: int = 0) -> Service:
    return Service(sid, jobs, first_pass, repeat, complaints, scrapped)


def leaders(sid: str, code: str, *scores: str) -> list[Rating]:
    return [Rating(sid, f"L{i}", "leader", code, D(s)) for i, s in enumerate(scores)]


def peers(sid: str, code: str, *scores: str) -> list[Rating]:
    return [Rating(sid, f"P{i}", "peer", code, D(s)) for i, s in enumerate(scores)]


def person(sid: str) -> Staff:
    return Staff(sid, f"name {sid}", "technician")


def data(indicators: list[Indicator], staff: list[str], ratings: list[Rating] = (),
         service: list[Service] = ()) -> ScoresData:
    return ScoresData({}, tuple(indicators), tuple(person(s) for s in staff), tuple(ratings),
                      tuple(service))


FP = quant("FP", "first_pass_rate", "0.9")
REP = quant("REP", "repeat_rate", "0.05", "0.2")
CMP = quant("CMP", "complaint_rate", "0", "0.1")
SCR = quant("SCR", "scrap_rate", "0.01", "0.05")
QL = qual("QL")
HALF = ScoringRules(leader_weight=F(1, 2))

# (indicator, service, ratings, rules, value, leader mean, peer mean, exact score, rounded score)
INDICATOR_CASES = {
    "first pass meets target exactly": (FP, svc("A", 10, 9), [], ScoringRules(),
                                        F(9, 10), None, None, F(100), D("100.0")),
    "first pass below target": (FP, svc("A", 10, 8), [], ScoringRules(),
                                F(4, 5), None, None, F(800, 9), D("88.9")),
    "first pass above target capped": (FP, svc("A", 10, 10), [], ScoringRules(),
                                       F(1), None, None, F(100), D("100.0")),
    "repeat at target": (REP, svc("A", 20, repeat=1), [], ScoringRules(),
                         F(1, 20), None, None, F(100), D("100.0")),
    "repeat at limit": (REP, svc("A", 10, repeat=2), [], ScoringRules(),
                        F(1, 5), None, None, F(0), D("0.0")),
    "repeat beyond limit": (REP, svc("A", 10, repeat=5), [], ScoringRules(),
                            F(1, 2), None, None, F(0), D("0.0")),
    "repeat between target and limit": (REP, svc("A", 10, repeat=1), [], ScoringRules(),
                                        F(1, 10), None, None, F(200, 3), D("66.7")),
    "complaints between zero target and limit": (CMP, svc("A", 40, complaints=1), [],
                                                 ScoringRules(), F(1, 40), None, None,
                                                 F(75), D("75.0")),
    "scrap between target and limit": (SCR, svc("A", 200, scrapped=3), [], ScoringRules(),
                                       F(3, 200), None, None, F(175, 2), D("87.5")),
    "only leader ratings": (QL, None, leaders("A", "QL", "80", "91"), ScoringRules(),
                            None, F(171, 2), None, F(171, 2), D("85.5")),
    "only peer ratings": (QL, None, peers("A", "QL", "70", "75", "77"), ScoringRules(),
                          None, None, F(74), F(74), D("74.0")),
    # 0.6 * 87.5 + 0.4 * 214/3 = 52.5 + 428/15 = 2431/30 = 81.0333...
    "leader and peer weighted 0.6": (QL, None, leaders("A", "QL", "85", "90")
                                     + peers("A", "QL", "70", "71", "73"), ScoringRules(),
                                     None, F(175, 2), F(214, 3), F(2431, 30), D("81.0")),
    "custom leader weight 0.5": (QL, None, leaders("A", "QL", "90") + peers("A", "QL", "79"),
                                 HALF, None, F(90), F(79), F(169, 2), D("84.5")),
}


@pytest.mark.parametrize("case", INDICATOR_CASES.values(), ids=INDICATOR_CASES.keys())
def test_indicator_scores(case: tuple) -> None:
    indicator, service, ratings, rules, value, leader, peer, score, rounded = case
    result = score_indicator(indicator, service, ratings, rules)
    assert (result.value, result.leader_mean, result.peer_mean) == (value, leader, peer)
    assert result.score == score
    assert result.score_rounded == rounded
    assert result.applicable


def test_no_jobs_makes_quantitative_indicator_not_applicable() -> None:
    for service in (None, svc("A", 0)):
        result = score_indicator(FP, service, [])
        assert not result.applicable
        assert (result.value, result.score, result.score_rounded) == (None, None, None)


def test_weighted_shares_add_up_to_total() -> None:
    indicators = [replace(FP, weight=D(30)), replace(REP, weight=D(20)), replace(QL, weight=D(50))]
    ratings = leaders("A", "QL", "85", "90") + peers("A", "QL", "70", "71", "73")
    [result] = compute(data(indicators, ["A"], ratings, [svc("A", 10, 8, repeat=1)])).results
    # (30 * 800/9 + 20 * 200/3 + 50 * 2431/30) / 100
    assert result.total == F(4831, 60)
    assert (result.total_rounded, result.grade, result.rank) == (D("80.5"), "good", 1)
    assert [s.weighted for s in result.indicators] == [F(80, 3), F(40, 3), F(2431, 60)]
    assert [s.weighted_rounded for s in result.indicators] == [D("26.7"), D("13.3"), D("40.5")]
    assert result.indicators[2].leader_mean_rounded == D("87.5")
    assert result.indicators[2].peer_mean_rounded == D("71.3")


def test_zero_jobs_leaves_the_denominator() -> None:
    indicators = [replace(FP, weight=D(30)), replace(QL, weight=D(70))]
    [result] = compute(data(indicators, ["A"], leaders("A", "QL", "80"))).results
    assert result.total == F(80)  # not 70 * 80 / 100 = 56
    assert (result.total_rounded, result.grade) == (D("80.0"), "good")
    assert [s.applicable for s in result.indicators] == [False, True]
    assert result.indicators[1].weighted == F(80)


def test_nobody_applicable_is_unranked_and_listed_last() -> None:
    report = compute(data([FP], ["X", "Y", "Z"], service=[svc("Z", 0), svc("Y", 10, 9)]))
    assert [r.staff.staff_id for r in report.results] == ["Y", "X", "Z"]
    assert [(r.total, r.total_rounded, r.grade, r.rank) for r in report.results] == [
        (F(100), D("100.0"), "excellent", 1), (None, None, None, None), (None, None, None, None)]
    assert report.indicator_averages == (("FP", F(100), D("100.0")),)


def test_ties_share_rank_in_input_order() -> None:
    totals = {"A": "85", "B": "90", "C": "70", "D": "85"}
    ratings = [r for sid, t in totals.items() for r in leaders(sid, "QL", t)]
    report = compute(data([QL], list(totals), ratings))
    assert [(r.staff.staff_id, r.rank) for r in report.results] == [
        ("B", 1), ("A", 2), ("D", 2), ("C", 4)]


def test_totals_equal_after_rounding_share_rank() -> None:
    ratings = leaders("A", "QL", "84.3") + leaders("B", "QL", "84.5", "84") + leaders("C", "QL", "84.2")
    report = compute(data([QL], ["A", "B", "C"], ratings))
    assert [(r.staff.staff_id, r.total, r.total_rounded, r.rank) for r in report.results] == [
        ("A", F(843, 10), D("84.3"), 1), ("B", F(337, 4), D("84.3"), 1),
        ("C", F(421, 5), D("84.2"), 3)]


@pytest.mark.parametrize("value, expected", [
    (F(8425, 100), D("84.3")), (F(8435, 100), D("84.4")), (F(84249999, 1000000), D("84.2")),
    (D("79.95"), D("80.0")), (F(200, 3), D("66.7")), (0, D("0.0")), (100, D("100.0")),
    (F(1, 20), D("0.1")), (F(-1, 20), D("-0.1")),
])
def test_round_half_up(value: F | D | int, expected: Decimal) -> None:
    rounded = round_half_up(value)
    assert rounded == expected
    assert rounded.as_tuple().exponent == -1


@pytest.mark.parametrize("scores, total, rounded, grade", [
    (("84.5", "84"), F(337, 4), D("84.3"), "good"),
    (("84.4", "84.3"), F(1687, 20), D("84.4"), "good"),
    (("79.9", "80"), F(1599, 20), D("80.0"), "good"),
    (("90",), F(90), D("90.0"), "excellent"),
    (("89.9", "90"), F(1799, 20), D("90.0"), "excellent"),
    (("89.9",), F(899, 10), D("89.9"), "good"),
    (("80",), F(80), D("80.0"), "good"),
    (("79.9",), F(799, 10), D("79.9"), "satisfactory"),
    (("70",), F(70), D("70.0"), "satisfactory"),
    (("69.9", "70"), F(1399, 20), D("70.0"), "satisfactory"),
    (("69.9",), F(699, 10), D("69.9"), "needs_improvement"),
    (("0",), F(0), D("0.0"), "needs_improvement"),
])
def test_total_rounding_and_grade_bands(scores: tuple[str, ...], total: F, rounded: D,
                                        grade: str) -> None:
    [result] = compute(data([QL], ["A"], leaders("A", "QL", *scores))).results
    assert (result.total, result.total_rounded, result.grade) == (total, rounded, grade)


@pytest.mark.parametrize("leader, peer, total, grade", [
    ("90", "80", F(85), "distinction"), ("60", "59", F(119, 2), "fail"), ("60", "60", F(60), "pass"),
])
def test_custom_bands_and_leader_weight(leader: str, peer: str, total: F, grade: str) -> None:
    # Bands given lowest first on purpose: the order of configuration must not matter.
    rules = ScoringRules(leader_weight=F(1, 2), bands=((D(60), "pass"), (D(85), "distinction")),
                         below="fail")
    ratings = leaders("A", "QL", leader) + peers("A", "QL", peer)
    [result] = compute(data([QL], ["A"], ratings), rules).results
    assert (result.total, result.grade) == (total, grade)


def test_leader_weight_outside_zero_to_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="leader_weight"):
        ScoringRules(leader_weight=F(3, 2))


@pytest.mark.parametrize("services, rate, met, complaints, complaints_met", [
    ([svc("A", 50, 45), svc("B", 50, 44)], F(89, 100), (False, False, False), 0, True),
    ([svc("A", 50, 45), svc("B", 50, 45)], F(9, 10), (True, False, False), 0, True),
    ([svc("A", 60, 57, complaints=1), svc("B", 40, 38)], F(19, 20), (True, True, False), 1, False),
    ([svc("A", 50, 50), svc("B", 50, 49, complaints=2)], F(99, 100), (True, True, True), 2, False),
    ([svc("A", 0)], None, (False, False, False), 0, True),
])
def test_team_first_pass_rate_and_complaints(services: list[Service], rate: F | None,
                                             met: tuple[bool, ...], complaints: int,
                                             complaints_met: bool) -> None:
    team = compute(data([FP], ["A", "B"], service=services)).team
    assert team.first_pass_rate == rate
    assert team.targets == tuple(zip(("initial", "mid_term", "long_term"),
                                     (F(9, 10), F(19, 20), F(99, 100)), met))
    assert (team.complaints, team.complaints_met) == (complaints, complaints_met)
    assert team.jobs == sum(s.jobs for s in services)


def test_indicator_averages_over_applicable_staff_only() -> None:
    ratings = leaders("A", "QL", "80") + leaders("B", "QL", "90") + leaders("C", "QL", "70")
    report = compute(data([FP, QL], ["A", "B", "C"], ratings, [svc("A", 10, 9), svc("B", 10, 8)]))
    # FP: (100 + 800/9) / 2, C has no jobs.
    assert report.indicator_averages == (("FP", F(850, 9), D("94.4")), ("QL", F(80), D("80.0")))


# ---- properties ---------------------------------------------------------------------------

SCORES = st.one_of(st.sampled_from([D("0"), D("69.9"), D("70"), D("84.25"), D("84.3"), D("100")]),
                   st.integers(0, 1000).map(lambda t: D(t).scaleb(-1)))


@st.composite
def scores_data(draw: st.DrawFn) -> ScoresData:
    indicators = []
    for i in range(draw(st.integers(0, 3))):
        metric = draw(st.sampled_from(METRICS))
        low = 1 if metric == "first_pass_rate" else 0
        target = draw(st.integers(low, 99))
        limit = None if metric == "first_pass_rate" else D(draw(st.integers(target + 1, 100))) / 100
        indicators.append(Indicator(f"Q{i}", "q", "quantitative", "performance",
                                    D(draw(st.integers(1, 500))).scaleb(-1), metric,
                                    D(target) / 100, limit))
    for j in range(draw(st.integers(0 if indicators else 1, 3))):
        indicators.append(qual(f"L{j}", str(draw(st.integers(1, 50)))))
    staff = [f"S{k}" for k in range(draw(st.integers(1, 6)))]
    ratings = [Rating(sid, f"E{e}", draw(st.sampled_from(EVALUATOR_TYPES)), ind.code, draw(SCORES))
               for sid in staff for ind in indicators if ind.kind == "qualitative"
               for e in range(draw(st.integers(1, 3)))]
    service = []
    for sid in staff:
        if draw(st.booleans()):
            jobs = draw(st.integers(0, 30))
            service.append(Service(sid, jobs, *(draw(st.integers(0, jobs)) for _ in range(4))))
    return data(indicators, staff, ratings, service)


@settings(max_examples=200, deadline=None)
@given(scores_data())
def test_totals_and_scores_stay_within_0_to_100(scores: ScoresData) -> None:
    for result in compute(scores).results:
        if result.total is not None:
            assert 0 <= result.total <= 100
            assert D(0) <= result.total_rounded <= D(100)
        for s in result.indicators:
            assert s.score is None or 0 <= s.score <= 100


@settings(max_examples=200, deadline=None)
@given(scores_data(), st.data())
def test_raising_a_rating_never_lowers_the_total(scores: ScoresData, extra: st.DataObject) -> None:
    if not scores.ratings:
        return
    index = extra.draw(st.integers(0, len(scores.ratings) - 1))
    old = scores.ratings[index]
    new_score = extra.draw(st.integers(math.ceil(old.score * 10), 1000).map(lambda t: D(t).scaleb(-1)))
    ratings = list(scores.ratings)
    ratings[index] = replace(old, score=new_score)
    before = {r.staff.staff_id: r for r in compute(scores).results}
    after = {r.staff.staff_id: r for r in compute(replace(scores, ratings=tuple(ratings))).results}
    assert after[old.staff_id].total >= before[old.staff_id].total
    assert all(after[sid].total == before[sid].total for sid in before if sid != old.staff_id)


@settings(max_examples=200, deadline=None)
@given(scores_data(), st.data())
def test_row_order_of_ratings_and_service_changes_nothing(scores: ScoresData,
                                                          extra: st.DataObject) -> None:
    shuffled = replace(scores, ratings=tuple(extra.draw(st.permutations(scores.ratings))),
                       service=tuple(extra.draw(st.permutations(scores.service))))
    assert compute(shuffled) == compute(scores)


@settings(max_examples=200, deadline=None)
@given(scores_data())
def test_rank_is_consistent_with_rounded_totals(scores: ScoresData) -> None:
    results = compute(scores).results
    order = [s.staff_id for s in scores.staff]
    ranked = [r for r in results if r.rank is not None]
    assert all(r.total is None and r.rank is None for r in results[len(ranked):])
    assert [r.staff.staff_id for r in results[len(ranked):]] == [
        sid for sid in order if sid not in {r.staff.staff_id for r in ranked}]
    for r in ranked:
        assert r.total_rounded == round_half_up(r.total)
        assert r.rank == 1 + sum(o.total_rounded > r.total_rounded for o in ranked)
    for a, b in zip(ranked, ranked[1:]):
        assert a.total_rounded >= b.total_rounded
        if a.total_rounded == b.total_rounded:
            assert a.rank == b.rank
            assert order.index(a.staff.staff_id) < order.index(b.staff.staff_id)

"""Measures and metrics: exact shares, coverage, nulls, population and eligibility."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pandas as pd

from .builders import (
    definition,
    document,
    evaluate,
    growth_cohort,
    metric,
    roster,
    scores,
    usage,
)

GROWTH_SHARE = {"share_of": "population", "where": [{"measure": "met_goal", "is": True}]}


def share_contract(**metric_fields: object):  # type: ignore[no-untyped-def]
    return definition(metrics={"growth_rate": {**GROWTH_SHARE, **metric_fields}})


def test_three_of_four_is_exactly_three_quarters() -> None:
    students, assessments = growth_cohort(met=3, missed=1)
    result = evaluate(share_contract(), students, assessments)
    assert result.metrics["growth_rate"].value == Fraction(3, 4)
    assert metric(result, "growth_rate") == {
        "value": "0.750000",
        "numerator": 3,
        "denominator": 4,
        "coverage": "1.000000",
        "insufficient": False,
        "interval": ["0.300636", "0.954414"],
    }


def test_two_thirds_is_shown_rounded_half_up_to_six_places() -> None:
    students, assessments = growth_cohort(met=2, missed=1)
    assert (
        metric(evaluate(share_contract(), students, assessments), "growth_rate")["value"]
        == "0.666667"
    )


def test_students_without_both_scores_are_left_out_of_a_share_but_lower_its_coverage() -> None:
    students, assessments = growth_cohort(met=84, missed=36, missing=6)
    shown = metric(evaluate(share_contract(), students, assessments), "growth_rate")
    # 84 of the 120 with both scores met; coverage 120 / 126 = 0.952380952… → 0.952381
    assert shown == {
        "value": "0.700000",
        "numerator": 84,
        "denominator": 120,
        "coverage": "0.952381",
        "insufficient": False,
        "interval": ["0.612847", "0.774745"],
    }


def test_coverage_exactly_at_min_coverage_suffices() -> None:
    students, assessments = growth_cohort(met=4, missed=4, missing=2)  # coverage 8/10
    shown = metric(
        evaluate(share_contract(min_coverage="0.80"), students, assessments), "growth_rate"
    )
    assert shown["coverage"] == "0.800000" and shown["insufficient"] is False
    assert shown["value"] == "0.500000"


def test_coverage_just_below_min_coverage_is_insufficient_but_keeps_its_counts() -> None:
    students, assessments = growth_cohort(met=4, missed=3, missing=2)  # coverage 7/9 = 0.777…
    shown = metric(
        evaluate(share_contract(min_coverage="0.78"), students, assessments), "growth_rate"
    )
    assert shown == {
        "value": None,
        "numerator": 4,
        "denominator": 7,
        "coverage": "0.777778",
        "insufficient": True,
        "interval": None,
    }


def test_all_scores_missing_makes_a_share_insufficient() -> None:
    students, assessments = growth_cohort(met=0, missing=5)
    shown = metric(evaluate(share_contract(), students, assessments), "growth_rate")
    assert shown == {
        "value": None,
        "numerator": 0,
        "denominator": 0,
        "coverage": "0.000000",
        "insufficient": True,
        "interval": None,
    }


def test_empty_population_is_insufficient_with_null_coverage() -> None:
    shown = metric(evaluate(share_contract(), roster([])), "growth_rate")
    assert shown == {
        "value": None,
        "numerator": 0,
        "denominator": 0,
        "coverage": None,
        "insufficient": True,
        "interval": None,
    }


def test_count_of_an_empty_base_is_insufficient() -> None:
    # SPEC v2: nobody to count usually means missing data, not a real 0.
    contract = definition(
        metrics={
            "growers": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
        }
    )
    shown = metric(evaluate(contract, roster([])), "growers")
    assert shown["value"] is None and shown["insufficient"] is True
    assert (shown["numerator"], shown["denominator"], shown["coverage"]) == (0, 0, None)
    assert shown["interval"] is None


def test_count_of_zero_of_a_non_empty_base_is_a_real_count() -> None:
    students, assessments = growth_cohort(met=0, missed=2)
    contract = definition(
        metrics={
            "growers": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
        }
    )
    shown = metric(evaluate(contract, students, assessments), "growers")
    assert (shown["value"], shown["insufficient"], shown["interval"]) == ("0.000000", False, None)


def test_count_of_counts_against_the_whole_base_and_null_is_not_met() -> None:
    students, assessments = growth_cohort(met=3, missed=2, missing=5)
    contract = definition(
        metrics={
            "growers": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
        }
    )
    shown = metric(evaluate(contract, students, assessments), "growers")
    assert (shown["value"], shown["numerator"], shown["denominator"]) == ("3.000000", 3, 10)


def test_met_target_is_false_when_growth_falls_short_and_true_when_exactly_at_target() -> None:
    rows = [
        ("at", "map_reading", "fall-2026", "200.5", "5.25"),
        ("at", "map_reading", "spring-2027", "205.75", None),  # growth 5.25 = target: met
        ("short", "map_reading", "fall-2026", "200.5", "5.25"),
        ("short", "map_reading", "spring-2027", "205.749", None),  # growth 5.249: not met
    ]
    result = evaluate(share_contract(), roster(["at", "short"]), scores(rows))
    flags = result.students.set_index("student_id")["met_goal"]
    assert bool(flags["at"]) is True
    assert bool(flags["short"]) is False


def test_missing_growth_target_makes_met_target_null_not_false() -> None:
    rows = [
        ("a", "map_reading", "fall-2026", 200, None),
        ("a", "map_reading", "spring-2027", 230, None),
    ]
    result = evaluate(share_contract(), roster(["a"]), scores(rows))
    assert metric(result, "growth_rate")["denominator"] == 0
    assert result.students["met_goal"].isna().all()


def test_a_target_in_the_measure_overrides_the_growth_target_column() -> None:
    doc = document()
    doc["measures"]["met_goal"]["target"] = "3"
    students, assessments = growth_cohort(met=2, missed=2)  # growths 6, 6, 3, 3; column target 5
    shown = metric(
        evaluate(definition(**{"measures": doc["measures"]}), students, assessments), "growth_rate"
    )
    assert shown["value"] == "1.000000"


def test_mean_is_exact_and_has_no_numerator_or_denominator() -> None:
    rows = [
        ("a", "map_reading", "fall-2026", 200, None),
        ("a", "map_reading", "spring-2027", 201, None),
        ("b", "map_reading", "fall-2026", 200, None),
        ("b", "map_reading", "spring-2027", 200, None),
        ("c", "map_reading", "fall-2026", 200, None),
        ("c", "map_reading", "spring-2027", 200, None),
    ]
    contract = definition(metrics={"avg": {"mean_of": "growth", "over": "population"}})
    result = evaluate(contract, roster(["a", "b", "c", "d"]), scores(rows))
    assert result.metrics["avg"].value == Fraction(1, 3)
    assert metric(result, "avg") == {
        "value": "0.333333",
        "numerator": None,
        "denominator": None,
        "coverage": "0.750000",
        "insufficient": False,
        "interval": ["-0.320000", "0.986667"],
    }


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    growths = {"a": 1, "b": 4, "c": 10, "d": -2}
    rows = [
        r
        for s, g in growths.items()
        for r in (
            (s, "map_reading", "fall-2026", 200, None),
            (s, "map_reading", "spring-2027", 200 + g, None),
        )
    ]
    contract = definition(metrics={"mid": {"median_of": "growth", "over": "population"}})
    # sorted growths -2, 1, 4, 10 → (1 + 4) / 2 = 2.5
    assert (
        metric(evaluate(contract, roster(list(growths)), scores(rows)), "mid")["value"]
        == "2.500000"
    )
    odd = {k: v for k, v in growths.items() if k != "c"}  # -2, 1, 4 → 1
    assert metric(evaluate(contract, roster(list(odd)), scores(rows)), "mid")["value"] == "1.000000"


def test_mean_with_no_values_is_insufficient() -> None:
    contract = definition(metrics={"avg": {"mean_of": "growth", "over": "population"}})
    shown = metric(evaluate(contract, roster(["a"])), "avg")
    assert (
        shown["insufficient"] is True and shown["value"] is None and shown["coverage"] == "0.000000"
    )


def test_usage_window_includes_both_end_days_and_defaults_to_the_term() -> None:
    measures = {
        "window": {"usage": "minutes", "from": "2026-09-01", "to": "2026-09-30"},
        "term": {"usage": "minutes"},
        "sessions": {"usage": "sessions", "from": "2026-09-01", "to": "2026-09-30"},
    }
    rows = [
        ("a", "2026-08-31", 10, 1),
        ("a", "2026-09-01", "20.5", 1),
        ("a", "2026-09-30", 30, 2),
        ("a", "2026-10-01", 40, 1),
        ("a", "2027-07-31", 50, 1),
    ]
    metrics = {"m": {"share_of": "population", "where": [{"measure": "term", "at_least": 0}]}}
    result = evaluate(
        definition(measures=measures, metrics=metrics), roster(["a"]), usage_rows=usage(rows)
    )
    student = result.students.iloc[0]
    assert (student["window"], student["term"], student["sessions"]) == ("50.5", "150.5", "3")


def test_a_student_without_usage_rows_has_zero_minutes_and_counts() -> None:
    measures = {"minutes": {"usage": "minutes"}}
    metrics = {
        "dosage": {"share_of": "population", "where": [{"measure": "minutes", "at_least": 900}]}
    }
    rows = [("a", "2026-09-01", 900, 1), ("b", "2026-09-01", "899.999", 1)]
    result = evaluate(
        definition(measures=measures, metrics=metrics),
        roster(["a", "b", "c"]),
        usage_rows=usage(rows),
    )
    # a meets 900 exactly; b is a thousandth short; c has no rows: 0 minutes, still counted
    assert (
        metric(result, "dosage")["numerator"] == 1 and metric(result, "dosage")["denominator"] == 3
    )
    assert list(result.students["minutes"]) == ["900", "899.999", "0"]


def test_at_most_condition_includes_the_bound() -> None:
    measures = {"spring": {"assessment": "star_reading", "window": "spring-2027", "value": "score"}}
    metrics = {
        "below": {"share_of": "population", "where": [{"measure": "spring", "at_most": "400.5"}]}
    }
    rows = [
        ("a", "star_reading", "spring-2027", "400.5", None),
        ("b", "star_reading", "spring-2027", "400.501", None),
    ]
    shown = metric(
        evaluate(definition(measures=measures, metrics=metrics), roster(["a", "b"]), scores(rows)),
        "below",
    )
    assert (shown["numerator"], shown["denominator"]) == (1, 2)


def test_population_filters_grades_including_kindergarten_and_schools() -> None:
    measures = {"minutes": {"usage": "minutes"}}
    metrics = {
        "everyone": {"count_of": "population", "where": [{"measure": "minutes", "at_least": 0}]}
    }
    students = roster(
        ["k", "g1", "g2", "other-school"], grades=[0, 1, 2, 1], schools=["001", "001", "001", "002"]
    )
    contract = definition(
        measures=measures, metrics=metrics, population={"grades": ["K", 1], "schools": ["001"]}
    )
    result = evaluate(contract, students)
    assert metric(result, "everyone")["denominator"] == 2
    assert list(result.students["student_id"]) == ["g1", "k"]


def test_no_eligibility_makes_every_population_student_eligible() -> None:
    students, assessments = growth_cohort(met=1, missed=1)
    contract = definition(metrics={"rate": {**GROWTH_SHARE, "share_of": "eligible"}})
    result = evaluate(contract, students, assessments)
    assert result.students["eligible"].all()
    assert metric(result, "rate")["denominator"] == 2


def test_eligibility_gates_who_counts_toward_eligible_metrics() -> None:
    students, assessments = growth_cohort(met=2, missed=2)
    ids = list(students["student_id"])  # met-0, met-1, missed-0, missed-1
    minutes = usage(
        [
            (ids[0], "2026-10-01", 900, 1),
            (ids[2], "2026-10-01", 950, 1),
            (ids[1], "2026-10-01", 10, 1),
        ]
    )
    contract = definition(
        eligibility=[{"measure": "minutes", "at_least": 900}],
        metrics={"rate": {**GROWTH_SHARE, "share_of": "eligible"}, "all": GROWTH_SHARE},
    )
    result = evaluate(contract, students, assessments, minutes)
    assert (metric(result, "rate")["numerator"], metric(result, "rate")["denominator"]) == (1, 2)
    assert (metric(result, "all")["numerator"], metric(result, "all")["denominator"]) == (2, 4)


def test_student_detail_shows_measures_eligibility_and_what_each_counted_toward() -> None:
    students, assessments = growth_cohort(met=1, missing=1)
    result = evaluate(share_contract(), students, assessments, as_of=date(2027, 6, 30))
    detail = result.students.set_index("student_id")
    met, missing = detail.loc["s-met-0000"], detail.loc["s-missing-0000"]
    assert (met["growth"], bool(met["met_goal"]), bool(met["eligible"])) == ("6", True, True)
    assert pd.isna(missing["growth"]) and pd.isna(missing["met_goal"])
    assert bool(met["growth_rate.counted"]) and bool(met["growth_rate.met"])
    assert bool(missing["growth_rate.base"]) and not bool(missing["growth_rate.counted"])


def test_min_count_met_exactly_suffices_and_one_fewer_is_insufficient() -> None:
    students, assessments = growth_cohort(met=2, missed=1)
    shares = {"share_of": "population", "where": [{"measure": "met_goal", "is": True}]}
    counts = {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
    enough = definition(
        metrics={"rate": {**shares, "min_count": 3}, "n": {**counts, "min_count": 3}}
    )
    shown = evaluate(enough, students, assessments)
    assert (metric(shown, "rate")["value"], metric(shown, "n")["value"]) == ("0.666667", "2.000000")
    short = definition(
        metrics={"rate": {**shares, "min_count": 4}, "n": {**counts, "min_count": 4}}
    )
    shown = evaluate(short, students, assessments)
    assert metric(shown, "rate")["insufficient"] and metric(shown, "n")["insufficient"]
    assert (metric(shown, "rate")["numerator"], metric(shown, "rate")["denominator"]) == (2, 3)
    assert metric(shown, "rate")["interval"] is None

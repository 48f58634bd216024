"""SPEC v2 measures, rate cards and the per-student detail, computed by hand."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import pandas as pd

from .builders import (
    assessment_rows,
    definition,
    evaluate,
    line,
    metric,
    roster,
    schedule,
    usage,
)

TWO_WINDOWS = {"assessment": "map_reading", "from_window": "fall-2026", "to_window": "spring-2027"}
PCT_TYP = {"pct_typ": {**TWO_WINDOWS, "value": "percent_of_typical"}}


def rows(*students: tuple[str, int, int | None, int | None, int | None]) -> pd.DataFrame:
    """(student, fall score, fall typical growth, spring score, spring growth percentile)."""
    result: list[dict[str, Any]] = []
    for student, fall, typical, spring, percentile in students:
        fall_row = {"student_id": student, "assessment": "map_reading", "window": "fall-2026"}
        result.append({**fall_row, "score": fall, "typical_growth": typical})
        if spring is not None:
            spring_row = {**fall_row, "window": "spring-2027", "score": spring}
            result.append({**spring_row, "growth_percentile": percentile})
    return assessment_rows(result)


def test_lessons_sum_with_blank_lessons_counting_zero_and_blank_sessions_one() -> None:
    frame = usage([("a", "2026-10-01", 30, 1), ("a", "2026-10-02", 30, 1)])
    frame["lessons"] = pd.array([3, None], dtype="Int64")
    frame["sessions"] = pd.array([2, None], dtype="Int64")
    contract = definition(
        measures={"lessons": {"usage": "lessons"}, "sessions": {"usage": "sessions"}},
        metrics={"busy": {"mean_of": "lessons", "over": "population"}},
        eligibility=[{"measure": "sessions", "at_least": 3}],
    )
    result = evaluate(contract, roster(["a"]), usage_rows=frame)
    assert result.students.loc[0, "lessons"] == "3"
    assert result.students.loc[0, "sessions"] == "3"  # 2 + a blank that counts 1
    assert bool(result.students.loc[0, "eligible"]) is True


def test_schedule_minutes_offered_sum_within_the_window() -> None:
    contract = definition(
        measures={"offered": {"schedule": "minutes", "to": "2026-12-31"}},
        metrics={"offered_mean": {"mean_of": "offered", "over": "population"}},
    )
    offered = schedule([("a", "2026-10-01", 1, "30.5"), ("a", "2027-01-01", 1, 60)])
    result = evaluate(contract, roster(["a", "b"]), schedule_rows=offered)
    assert list(result.students["offered"]) == ["30.5", "0"]  # no rows: 0, never null
    assert result.metrics["offered_mean"].value == Fraction(61, 4)


def test_growth_percentile_is_the_second_windows_and_needs_both_rows() -> None:
    contract = definition(
        measures={"sgp": {**TWO_WINDOWS, "value": "growth_percentile"}},
        metrics={"median_sgp": {"median_of": "sgp", "over": "population"}},
    )
    data = rows(("a", 200, None, 210, 62), ("b", 200, None, 205, None), ("c", 200, None, 211, 40))
    lone_spring = assessment_rows(
        [
            {
                "student_id": "d",
                "assessment": "map_reading",
                "window": "spring-2027",
                "score": 230,
                "growth_percentile": 99,
            }
        ]
    )
    result = evaluate(
        contract, roster(["a", "b", "c", "d"]), pd.concat([data, lone_spring], ignore_index=True)
    )
    assert list(result.students["sgp"]) == ["62", None, "40", None]
    assert metric(result, "median_sgp")["value"] == "51.000000"


def test_percent_of_typical_is_an_exact_ratio_and_null_without_a_positive_typical() -> None:
    contract = definition(
        measures=PCT_TYP,
        metrics={
            "mean_pct": {"mean_of": "pct_typ", "over": "population"},
            "median_pct": {"median_of": "pct_typ", "over": "population"},
            "on_track": {
                "share_of": "population",
                "where": [{"measure": "pct_typ", "at_least": "1"}],
            },
        },
    )
    data = rows(
        ("a", 200, 10, 215, None),  # 1.5
        ("b", 200, 9, 203, None),  # 1/3
        ("c", 200, -4, 210, None),  # typical ≤ 0: null
        ("d", 200, None, 210, None),  # no typical growth: null
        ("e", 200, 3, 201, None),  # 1/3
    )
    result = evaluate(contract, roster(["a", "b", "c", "d", "e"]), data)
    assert list(result.students["pct_typ"]) == ["1.5", "0.333333", None, None, "0.333333"]
    # (3/2 + 1/3 + 1/3) / 3 = 13/18; median of 1/3, 1/3, 3/2 = 1/3
    assert result.metrics["mean_pct"].value == Fraction(13, 18)
    assert result.metrics["median_pct"].value == Fraction(1, 3)
    assert result.metrics["on_track"].value == Fraction(1, 3)
    # s² = ((3/2)² + 2·(1/3)² − 3·(13/18)²)/2 = 49/108; half width 1.96·√(49/324) = 0.762222
    assert metric(result, "mean_pct")["interval"] == ["-0.040000", "1.484444"]
    assert metric(result, "median_pct")["interval"] is None


def test_a_rate_card_below_its_min_count_is_indeterminate_and_says_why() -> None:
    contract = definition(
        measures=PCT_TYP,
        metrics={},
        tranches=[
            {
                "key": "card",
                "type": "rate_card",
                "measure": "pct_typ",
                "over": "population",
                "levels": [{"at_least": "1", "pay": "100.00"}],
                "min_count": 3,
                "due": "2027-06-30",
            }
        ],
    )
    result = evaluate(contract, roster(["a", "b"]), rows(("a", 200, 10, 215, None)))
    shown = line(result, "card")
    assert (shown["status"], shown["earned"]) == ("indeterminate", "0.00")
    assert "fewer than the required 3 students with values" in shown["explanation"]
    assert "indeterminate: earns $0.00 until reviewed" in shown["explanation"]


def test_the_student_detail_shows_excused_eligible_and_the_level_each_was_paid() -> None:
    contract = definition(
        measures={**PCT_TYP, "offered": {"schedule": "sessions"}},
        accountability={"served": [{"measure": "offered", "at_least": 1}]},
        metrics={},
        tranches=[
            {
                "key": "card",
                "type": "rate_card",
                "measure": "pct_typ",
                "over": "eligible",
                "levels": [{"at_least": "0.5", "pay": "1.00"}, {"at_least": "1.5", "pay": "2.00"}],
                "due": "2027-06-30",
            }
        ],
    )
    data = rows(("a", 200, 10, 215, None), ("b", 200, 10, 206, None), ("c", 200, 10, 230, None))
    offered = schedule([("a", "2026-10-01", 1, 30), ("b", "2026-10-01", 1, 30)])
    result = evaluate(contract, roster(["a", "b", "c"]), data, schedule_rows=offered)
    students = result.students
    assert list(students["excused"]) == [False, False, True]
    assert list(students["eligible"]) == [True, True, False]
    assert list(students["card.counted"]) == [True, True, False]
    assert list(students["card.level"]) == ["1.5", "0.5", None]
    assert result.to_json()["population"] == {"students": 3, "excused": 1, "eligible": 2}
    assert line(result, "card")["earned"] == "3.00"
    assert "(1 excused student not counted)" in line(result, "card")["explanation"]


def test_a_score_measure_reads_one_window() -> None:
    contract = definition(
        measures={"fall": {"assessment": "map_reading", "window": "fall-2026", "value": "score"}},
        metrics={
            "high": {"count_of": "population", "where": [{"measure": "fall", "at_least": 200}]}
        },
    )
    result = evaluate(
        contract,
        roster(["a", "b"]),
        rows(("a", 200, None, None, None), ("b", 199, None, 300, None)),
    )
    assert metric(result, "high")["numerator"] == 1
    assert result.as_of == date(2027, 7, 31)

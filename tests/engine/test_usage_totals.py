"""Usage totals: what the service may compute in SQL instead, and the fast path's exactness."""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.engine import SumWindow, evaluate_from_totals, sum_windows, usage_totals

from .builders import definition, evaluate, growth_cohort, usage

MEASURES = {
    "minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2026-12-31"},
    "all_minutes": {"usage": "minutes"},
    "sessions": {"usage": "sessions", "from": "2026-09-01", "to": "2026-12-31"},
    "met_goal": {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": "met_target",
    },
}


def test_sum_windows_name_the_feed_column_and_inclusive_dates_defaulting_to_the_term() -> None:
    measures = {
        **MEASURES,
        "lessons": {"usage": "lessons"},
        "offered": {"schedule": "sessions", "from": "2026-09-01"},
        "offered_minutes": {"schedule": "minutes"},
    }
    windows = sum_windows(definition(measures=measures))
    assert windows == {
        "minutes": SumWindow("usage", "minutes", date(2026, 9, 1), date(2026, 12, 31)),
        "all_minutes": SumWindow("usage", "minutes", date(2026, 8, 1), date(2027, 7, 31)),
        "sessions": SumWindow("usage", "sessions", date(2026, 9, 1), date(2026, 12, 31)),
        "lessons": SumWindow("usage", "lessons", date(2026, 8, 1), date(2027, 7, 31)),
        "offered": SumWindow("schedule", "sessions_offered", date(2026, 9, 1), date(2027, 7, 31)),
        "offered_minutes": SumWindow(
            "schedule", "minutes_offered", date(2026, 8, 1), date(2027, 7, 31)
        ),
    }


def test_totals_match_a_plain_group_by_whatever_the_row_order() -> None:
    rows = [
        ("b", "2026-09-01", "10.5", 1),
        ("a", "2026-09-02", 20, 2),
        ("b", "2026-12-31", 30, 1),
        ("a", "2027-01-01", 40, 1),
        ("c", "2026-08-31", 50, 1),
        ("a", "2026-09-03", "0.001", 1),
        ("b", "2026-09-04", 5, 3),
    ]
    frame = usage(rows)
    totals = usage_totals(definition(measures=MEASURES), frame)
    in_window = frame[(frame["date"] >= "2026-09-01") & (frame["date"] <= "2026-12-31")]
    expected = in_window.groupby("student_id")["minutes"].sum()
    assert totals["minutes"][expected.index].tolist() == expected.tolist() == [20_001, 45_500]
    assert totals["minutes"]["c"] == 0
    assert totals["all_minutes"].to_dict() == {"b": 45_500, "a": 60_001, "c": 50_000}
    assert totals["sessions"].to_dict() == {"b": 5, "a": 3, "c": 0}


def test_evaluating_from_totals_gives_the_same_result_as_from_rows() -> None:
    students, assessments = growth_cohort(met=2, missed=1)
    ids = list(students["student_id"])
    frame = usage(
        [
            (ids[0], "2026-10-01", 900, 1),
            (ids[1], "2026-10-02", 300, 1),
            ("not-on-roster", "2026-10-02", 9, 1),
        ]
    )
    contract = definition(
        measures=MEASURES,
        eligibility=[{"measure": "minutes", "at_least": 300}],
        metrics={"rate": {"share_of": "eligible", "where": [{"measure": "met_goal", "is": True}]}},
    )
    from_rows = evaluate(contract, students, assessments, frame, as_of=date(2027, 6, 30))
    # As the service would pass SQL sums: one Series per measure, its own index each.
    sums = {
        name: pd.Series(series.to_dict(), dtype="int64")
        for name, series in usage_totals(contract, frame).items()
    }
    from_totals = evaluate_from_totals(contract, students, assessments, sums, date(2027, 6, 30))
    assert from_totals.to_json() == from_rows.to_json()
    assert from_rows.to_json()["metrics"]["rate"]["denominator"] == 2

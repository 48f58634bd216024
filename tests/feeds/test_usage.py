"""The usage feed."""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.engine.frames import empty_usage
from app.feeds import RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}


def usage(*rows: str) -> bytes:
    return csv_bytes("student_id,date,minutes,sessions,lessons", *rows)


def test_frame_has_the_engine_shape_plus_lessons():
    frame = parse_feed("usage", usage("S1,2026-09-01,30,2,4", "S1,2026-09-02,15,,")).frame
    engine = empty_usage().dtypes.to_dict()
    assert {name: frame.dtypes[name] for name in engine} == engine
    assert list(frame["lessons"]) == [4, pd.NA]
    assert frame["date"].iloc[0] == pd.Timestamp("2026-09-01")


def test_sessions_default_to_one():
    frame = parse_feed("usage", usage("S1,2026-09-01,30,,", "S1,2026-09-02,30,3,")).frame
    assert list(frame["sessions"]) == [1, 3]


def test_sessions_default_to_one_when_the_column_is_absent():
    frame = parse_feed("usage", csv_bytes("student_id,date,minutes", "S1,2026-09-01,30")).frame
    assert list(frame["sessions"]) == [1]


def test_decimal_minutes_are_exact_thousandths():
    frame = parse_feed(
        "usage", usage("S1,2026-09-01,0.1,,", "S1,2026-09-02,12.345,,", "S1,2026-09-03,7.50,,")
    ).frame
    assert list(frame["minutes"]) == [100, 12345, 7500]


def test_minutes_with_more_than_three_places_are_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,0.0005,,"))
    assert problem == RowProblem(
        2,
        "minutes",
        "0.0005",
        "has more than 3 decimal places: round at the source (Tranche never rounds data)",
    )


def test_unparseable_minutes_are_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,1e3,,"))
    assert problem == RowProblem(2, "minutes", "1e3", "is not a number")


def test_negative_minutes_are_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,-5,,"))
    assert problem == RowProblem(2, "minutes", "-5", "minutes cannot be negative")


def test_more_than_a_day_of_minutes_in_one_row_is_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,1440.001,,"))
    assert problem == RowProblem(
        2, "minutes", "1440.001", "more than 1440 minutes (a whole day) in one row"
    )


def test_a_whole_day_of_minutes_is_accepted():
    assert parse_feed("usage", usage("S1,2026-09-01,1440,,")).rows == 1


def usage_sessions(*rows: str) -> bytes:
    return csv_bytes("student_id,date,minutes,session_id", *rows)


def test_more_than_a_day_summed_over_a_students_sessions_for_one_date_is_refused():
    refused = rejection(
        "usage",
        usage_sessions("S1,2026-09-01,700,a", "S2,2026-09-01,700,a", "S1,2026-09-01,740.5,b"),
    )
    reason = "the student's rows for this date add up to 1440.5 minutes, more than 1440"
    assert refused.problems == [
        RowProblem(2, "minutes", "700", reason),
        RowProblem(4, "minutes", "740.5", reason),
    ]


def test_several_sessions_for_one_student_and_date_are_allowed():
    frame = parse_feed("usage", usage_sessions("S1,2026-09-01,30,a", "S1,2026-09-01,20,b")).frame
    assert frame["minutes"].sum() == 50000
    assert list(frame["session_id"]) == ["a", "b"]


def test_two_day_totals_for_one_student_and_date_say_what_to_do():
    refused = rejection("usage", usage("S1,2026-09-01,30,1,", "S1,2026-09-01,20,1,"))
    assert refused.problems == [
        RowProblem(
            3,
            None,
            "S1, 2026-09-01",
            "two rows for one student and day: give `session_id`, or one total per day "
            "(the first is row 2)",
        )
    ]


def test_a_session_given_twice_is_a_duplicate_key():
    refused = rejection("usage", usage_sessions("S1,2026-09-01,30,a", "S1,2026-09-01,20,a"))
    assert refused.problems == [
        RowProblem(
            3,
            None,
            "S1, 2026-09-01, a",
            "duplicate of row 2 (same student_id, date and session_id)",
        )
    ]


def test_unparseable_date_is_refused():
    problem = only_problem("usage", usage("S1,09/01/2026,30,,"))
    assert problem == RowProblem(2, "date", "09/01/2026", "is not a date (YYYY-MM-DD)")


def test_impossible_date_is_refused():
    problem = only_problem("usage", usage("S1,2026-02-30,30,,"))
    assert problem == RowProblem(2, "date", "2026-02-30", "is not a date (YYYY-MM-DD)")


def test_date_outside_the_term_is_refused():
    problem = only_problem("usage", usage("S1,2027-08-01,30,,"), **TERM)
    assert problem == RowProblem(
        2, "date", "2027-08-01", "is outside the contract term (2026-08-01 to 2027-07-31)"
    )


def test_student_not_on_the_roster_is_refused():
    problem = only_problem(
        "usage", usage("S1,2026-09-01,30,,", "S01,2026-09-01,30,,"), roster_ids={"S1"}
    )
    assert problem == RowProblem(3, "student_id", "S01", "student is not on the contract's roster")


def test_fractional_sessions_are_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,30,1.5,"))
    assert problem == RowProblem(2, "sessions", "1.5", "must be a whole number of 0 or more")


def test_negative_lessons_are_refused():
    problem = only_problem("usage", usage("S1,2026-09-01,30,1,-2"))
    assert problem == RowProblem(2, "lessons", "-2", "must be a whole number of 0 or more")

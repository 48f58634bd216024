"""The assessments feed."""

from __future__ import annotations

from datetime import date

import pandas as pd

from app.engine.frames import empty_assessments
from app.feeds import RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection

HEADER = "student_id,assessment,window,score,growth_target,proficiency_level,test_date"
TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}


def test_frame_has_the_engine_shape_plus_optional_columns():
    frame = parse_feed(
        "assessments",
        csv_bytes(
            HEADER,
            "S1,map_reading,fall-2026,201.5,8,meets,2026-09-10",
            "S1,map_reading,spring-2027,210,,,",
        ),
    ).frame
    engine = empty_assessments().dtypes.to_dict()
    assert {name: frame.dtypes[name] for name in engine} == engine
    assert list(frame["score"]) == [201500, 210000]
    assert list(frame["growth_target"]) == [8000, pd.NA]
    assert list(frame["proficiency_level"]) == ["meets", None]
    assert frame["test_date"].dtype == "datetime64[ns]"
    assert frame["test_date"].iloc[0] == pd.Timestamp("2026-09-10")
    assert pd.isna(frame["test_date"].iloc[1])


def test_non_finite_score_is_refused():
    refused = rejection(
        "assessments",
        csv_bytes(
            "student_id,assessment,window,score", "S1,m,w1,nan", "S1,m,w2,inf", "S1,m,w3,-Infinity"
        ),
    )
    assert [(p.row, p.column, p.value, p.reason) for p in refused.problems] == [
        (2, "score", "nan", "is not a finite number"),
        (3, "score", "inf", "is not a finite number"),
        (4, "score", "-Infinity", "is not a finite number"),
    ]


def test_score_with_more_than_three_places_is_refused_not_rounded():
    problem = only_problem(
        "assessments", csv_bytes("student_id,assessment,window,score", "S1,m,w,200.0001")
    )
    assert problem == RowProblem(
        2,
        "score",
        "200.0001",
        "has more than 3 decimal places: round at the source (Tranche never rounds data)",
    )


def test_unparseable_growth_target_is_refused():
    problem = only_problem(
        "assessments",
        csv_bytes("student_id,assessment,window,score,growth_target", "S1,m,w,200,eight"),
    )
    assert problem == RowProblem(2, "growth_target", "eight", "is not a number")


def test_empty_score_is_refused():
    problem = only_problem(
        "assessments", csv_bytes("student_id,assessment,window,score", "S1,m,w,")
    )
    assert problem == RowProblem(2, "score", "", "required value is empty")


def test_duplicate_student_assessment_and_window_is_refused():
    refused = rejection(
        "assessments",
        csv_bytes(
            "student_id,assessment,window,score",
            "S1,m,fall,200",
            "S1,m,spring,210",
            "S1,m,fall,201",
        ),
    )
    assert refused.problems == [
        RowProblem(
            4, None, "S1, m, fall", "duplicate of row 2 (same student_id, assessment and window)"
        )
    ]


def test_student_not_on_the_roster_is_refused():
    problem = only_problem(
        "assessments",
        csv_bytes("student_id,assessment,window,score", "S1,m,w,200", "S2,m,w,200"),
        roster_ids={"S1"},
    )
    assert problem == RowProblem(3, "student_id", "S2", "student is not on the contract's roster")


def test_test_date_outside_the_term_is_refused():
    problem = only_problem(
        "assessments",
        csv_bytes("student_id,assessment,window,score,test_date", "S1,m,w,200,2026-07-31"),
        **TERM,
    )
    assert problem == RowProblem(
        2, "test_date", "2026-07-31", "is outside the contract term (2026-08-01 to 2027-07-31)"
    )


def test_test_date_on_the_last_day_of_the_term_is_accepted():
    content = csv_bytes("student_id,assessment,window,score,test_date", "S1,m,w,200,2027-07-31")
    assert parse_feed("assessments", content, **TERM).rows == 1

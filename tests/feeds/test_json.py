"""JSON arrays of objects: the same rules, rows numbered by position in the array."""

from __future__ import annotations

import json

import pandas.testing as pdt

from app.feeds import RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection


def as_json(rows: list[dict]) -> bytes:
    return json.dumps(rows).encode()


def test_json_array_gives_the_same_frame_as_the_equivalent_csv():
    from_csv = parse_feed(
        "usage",
        csv_bytes(
            "student_id,date,minutes,sessions,lessons",
            "007,2026-09-01,12.5,,3",
            "NA,2026-09-02,30,2,",
        ),
    ).frame
    content = b"""[{"student_id": "007", "date": "2026-09-01", "minutes": 12.5, "lessons": 3},
                   {"student_id": "NA", "date": "2026-09-02", "minutes": "30", "sessions": 2,
                    "lessons": null}]"""
    from_json = parse_feed("usage", content, content_type="application/json").frame
    pdt.assert_frame_equal(from_json, from_csv)


def test_json_roster_booleans_and_numbers_are_accepted():
    content = as_json(
        [{"student_id": "S1", "grade": 3, "ell": True, "sped": False, "econ_disadv": None}]
    )
    frame = parse_feed("roster", content, content_type="application/json").frame
    assert frame["grade"].tolist() == [3]
    assert frame["school_id"].tolist() == [None]
    assert frame[["ell", "sped"]].iloc[0].tolist() == [True, False]
    assert frame["econ_disadv"].isna().all()


def test_json_numbers_are_read_exactly():
    content = b'[{"student_id": "S1", "date": "2026-09-01", "minutes": 0.1}]'
    frame = parse_feed("usage", content, content_type="application/json").frame
    assert list(frame["minutes"]) == [100]


def test_json_number_with_more_than_three_places_is_refused():
    content = b'[{"student_id": "S1", "date": "2026-09-01", "minutes": 0.1234}]'
    problem = only_problem("usage", content, content_type="application/json")
    assert problem == RowProblem(
        1,
        "minutes",
        "0.1234",
        "has more than 3 decimal places: round at the source (Tranche never rounds data)",
    )


def test_json_nan_is_refused_as_not_finite():
    content = b'[{"student_id": "S1", "assessment": "m", "window": "w", "score": NaN}]'
    problem = only_problem("assessments", content, content_type="application/json")
    assert problem == RowProblem(1, "score", "NaN", "is not a finite number")


def test_json_rows_are_numbered_from_one():
    content = as_json([{"student_id": "S1", "grade": 3}, {"student_id": "S2", "grade": 14}])
    problem = only_problem("roster", content, content_type="application/json")
    assert (problem.row, problem.column, problem.value) == (2, "grade", "14")


def test_json_that_is_not_an_array_is_refused():
    problem = only_problem("roster", b'{"student_id": "S1"}', content_type="application/json")
    assert problem.reason == "the body must be a JSON array of objects"


def test_empty_json_array_is_refused():
    assert only_problem("roster", b"[]", content_type="application/json").reason == (
        "the array has no rows"
    )


def test_invalid_json_is_refused():
    problem = only_problem("roster", b'[{"student_id": ', content_type="application/json")
    assert problem.reason.startswith("not valid JSON")


def test_array_element_that_is_not_an_object_is_refused():
    content = b'[{"student_id": "S1", "grade": 3}, ["S2", 4]]'
    refused = rejection("roster", content, content_type="application/json")
    assert (
        RowProblem(2, None, '["S2", 4]', "the array element is not an object") in refused.problems
    )


def test_nested_value_is_refused():
    content = b'[{"student_id": "S1", "grade": 3, "school_id": {"id": 1}}]'
    problem = only_problem("roster", content, content_type="application/json")
    assert problem == RowProblem(
        1, "school_id", '{"id": 1}', "must be a string, a number, true/false or null"
    )


def test_personal_data_key_is_refused():
    content = as_json([{"student_id": "S1", "grade": 3, "birthdate": "2015-01-01"}])
    problem = only_problem("roster", content, content_type="application/json")
    assert (problem.row, problem.column, problem.value) == (None, "birthdate", None)

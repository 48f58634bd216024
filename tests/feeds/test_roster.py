"""The roster feed."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from app.engine.frames import empty_roster
from app.feeds import RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection


def test_frame_has_the_engine_shape():
    frame = parse_feed(
        "roster", csv_bytes("student_id,grade,school_id,ell,sped,econ_disadv", "S1,3,A,true,,no")
    ).frame
    expected = empty_roster().dtypes
    assert frame.dtypes.to_dict() == expected.to_dict()
    assert list(frame.index) == [0]


def test_k_grade_is_zero():
    frame = parse_feed("roster", csv_bytes("student_id,grade", "S1,K", "S2,k", "S3,0")).frame
    assert list(frame["grade"]) == [0, 0, 0]


def test_grade_outside_0_to_12_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade", "S1,3", "S2,13"))
    assert problem == RowProblem(3, "grade", "13", "grade is outside 0–12 (K = 0)")


def test_grade_that_is_not_a_number_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade", "S1,third"))
    assert problem == RowProblem(
        2, "grade", "third", "grade must be K or a whole number from 0 to 12"
    )


def test_flags_accept_true_false_one_zero_yes_no_in_any_case_and_empty_is_unknown():
    frame = parse_feed(
        "roster",
        csv_bytes("student_id,grade,ell", "S1,3,TRUE", "S2,3,0", "S3,3,Yes", "S4,3,no", "S5,3,"),
    ).frame
    expected = pd.Series([True, False, True, False, None], dtype="boolean", name="ell")
    pdt.assert_series_equal(frame["ell"], expected)


def test_flag_that_is_not_true_or_false_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade,sped", "S1,3,maybe"))
    assert problem == RowProblem(
        2, "sped", "maybe", "must be true or false (also 1/0, yes/no) or empty"
    )


def test_empty_student_id_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade", " ,3"))
    assert problem == RowProblem(2, "student_id", " ", "required value is empty")


def test_empty_grade_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade", "S1,"))
    assert problem == RowProblem(2, "grade", "", "required value is empty")


def test_duplicate_student_is_refused_naming_the_first_row():
    refused = rejection("roster", csv_bytes("student_id,grade", "S1,3", "S2,3", "S1,4", "S1,5"))
    assert refused.problems == [
        RowProblem(4, "student_id", "S1", "duplicate of row 2 (same student_id)"),
        RowProblem(5, "student_id", "S1", "duplicate of row 2 (same student_id)"),
    ]


def test_ids_differing_only_in_leading_zeros_are_different_students():
    assert parse_feed("roster", csv_bytes("student_id,grade", "0123,3", "123,3")).rows == 2


def test_roster_ids_are_not_checked_against_the_roster():
    assert parse_feed("roster", csv_bytes("student_id,grade", "S9,3"), roster_ids={"S1"}).rows == 1

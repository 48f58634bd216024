"""Header checks: required, unknown, repeated and personal-data columns (row is None)."""

from __future__ import annotations

import pytest

from app.feeds import FEED_COLUMNS, RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection


def test_missing_required_column_is_named():
    problem = only_problem("usage", csv_bytes("student_id,date", "S1,2026-09-01"))
    assert problem == RowProblem(None, "minutes", None, "required column is missing")


def test_unknown_column_is_named():
    problem = only_problem("roster", csv_bytes("student_id,grade,homeroom", "S1,3,A"))
    assert (problem.row, problem.column, problem.value) == (None, "homeroom", None)
    assert problem.reason.startswith("unknown column for the roster feed")


def test_repeated_column_is_refused():
    problem = only_problem("roster", csv_bytes("student_id,grade,grade", "S1,3,3"))
    assert problem == RowProblem(None, "grade", None, "the column appears more than once")


@pytest.mark.parametrize(
    "header",
    [
        "first_name",
        "Last Name",
        "student_name",
        "dob",
        "birth_date",
        "email",
        "home_address",
        "phone",
        "ssn",
    ],
)
def test_personal_data_column_is_refused_without_echoing_values(header):
    problem = only_problem("roster", csv_bytes(f"student_id,grade,{header}", "S1,3,Alice"))
    assert problem.row is None
    assert problem.column == header.strip().lower()
    assert problem.value is None
    assert "personal data" in problem.reason


def test_rows_are_still_checked_when_a_column_is_refused():
    refused = rejection("roster", csv_bytes("student_id,grade,name", "S1,x,Alice"))
    assert [(p.row, p.column) for p in refused.problems] == [(None, "name"), (2, "grade")]


def test_every_optional_column_is_in_the_frame_even_when_not_sent():
    frame = parse_feed("usage", csv_bytes("student_id,date,minutes", "S1,2026-09-01,5")).frame
    assert tuple(frame.columns) == FEED_COLUMNS["usage"]

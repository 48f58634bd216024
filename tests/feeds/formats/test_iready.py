"""iready-diagnostic: i-Ready Diagnostic Results → assessment rows in the contract's windows."""

from __future__ import annotations

from datetime import date

import pytest

from app.feeds import FeedRejected, RowProblem
from app.feeds.formats import map_export, parse_export
from tests.feeds.formats.samples import IREADY_FILE, plain_csv

WINDOWS = {
    "fall-2026": (date(2026, 8, 15), date(2026, 10, 15)),
    "spring-2027": (date(2027, 4, 15), date(2027, 6, 10)),
}
HEADER = "Student ID,Student First Name,Subject,Completion Date,Overall Scale Score,Rush Flag"


def test_each_diagnostic_lands_in_the_declared_window_containing_its_completion_date():
    mapped = map_export(
        "iready-diagnostic", "assessments", IREADY_FILE, windows=WINDOWS, subject="math"
    )
    assert mapped.columns == {
        "student_id": ["S1", "S2", "S1", "S2"],
        "assessment": ["iready_math"] * 4,
        "window": ["fall-2026", "fall-2026", "spring-2027", "spring-2027"],
        "score": ["400", "410", "425", "418"],
        "typical_growth": ["20", "", "20", ""],
        "rapid_guessing": ["", "1", "", ""],
        "test_date": ["2026-09-14", "2026-09-16", "2027-04-20", "2027-04-21"],
    }


def test_without_declared_windows_the_format_is_refused():
    with pytest.raises(FeedRejected) as refused:
        map_export("iready-diagnostic", "assessments", IREADY_FILE, windows={}, subject="math")
    assert "declares no assessment_rules.windows" in refused.value.message


def test_without_a_subject_column_the_subject_must_be_given():
    with pytest.raises(FeedRejected) as refused:
        map_export("iready-diagnostic", "assessments", IREADY_FILE, windows=WINDOWS)
    assert "?subject=reading or ?subject=math" in refused.value.message


def test_the_subject_column_names_the_assessment():
    content = plain_csv(HEADER, "S1,Jan,Reading,9/14/2026,400,Green")
    mapped = map_export("iready-diagnostic", "assessments", content, windows=WINDOWS)
    assert mapped.columns["assessment"] == ["iready_reading"]
    assert mapped.columns["rapid_guessing"] == [""]


def test_a_bad_file_lists_every_bad_row_by_its_own_line_and_column():
    content = plain_csv(
        HEADER,
        "S1,Jan,Math,12/1/2026,400,",
        "S1,Jan,Math,9/14/2026,400,Purple",
        "S2,Ann,Math,2026-09-31,410,",
        "S2,Ann,Reading,9/20/2026,410,",
        "S2,Ann,Math,9/21/2026,415,red",
        "S2,Ann,Math,9/22/2026,416,",
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("iready-diagnostic", "assessments", content, windows=WINDOWS, subject="math")
    assert refused.value.problems == [
        RowProblem(
            2,
            "Completion Date",
            "12/1/2026",
            "is in no window the contract declares (fall-2026 (2026-08-15 to 2026-10-15), "
            "spring-2027 (2027-04-15 to 2027-06-10))",
        ),
        RowProblem(3, "Rush Flag", "Purple", "must be red, yellow, green or empty"),
        RowProblem(
            4,
            "Completion Date",
            "2026-09-31",
            "is not a date (M/D/YYYY or YYYY-MM-DD, with a four-digit year)",
        ),
        RowProblem(5, "Subject", "Reading", "differs from ?subject=math of the request"),
        # Two diagnostics in one window: Tranche does not choose which one counts.
        RowProblem(
            7,
            None,
            "S2, iready_math, fall-2026",
            "duplicate of row 6 (same student_id, assessment and window)",
        ),
    ]


def test_overlapping_windows_make_a_bad_row_not_a_choice():
    overlapping = {**WINDOWS, "early-fall": (date(2026, 9, 1), date(2026, 9, 30))}
    content = plain_csv(HEADER, "S1,Jan,Math,9/14/2026,400,")
    with pytest.raises(FeedRejected) as refused:
        parse_export("iready-diagnostic", "assessments", content, windows=overlapping)
    assert refused.value.problems[0].reason == (
        "is in several of the contract's windows (fall-2026, early-fall); windows must not overlap"
    )

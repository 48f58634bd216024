"""renaissance-star: a Renaissance Star data export → assessment rows (SPEC §2b)."""

from __future__ import annotations

from datetime import date

import pytest

from app.feeds import FeedRejected, RowProblem
from app.feeds.formats import map_export, parse_export
from tests.feeds.formats.samples import MAP_FILE, STAR_FILE, plain_csv

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}
HEADER = "StudentIdentifier,StudentLastName,AssessmentType,CompletedDateLocal,ScaledScore,ScreeningPeriodWindowName"


def test_screening_tests_map_to_tranche_rows():
    mapped = map_export("renaissance-star", "assessments", STAR_FILE)
    assert mapped.columns == {
        "student_id": ["S1", "S2", "S1", "S2"],
        "assessment": ["star_reading"] * 4,
        "window": ["fall-2026", "fall-2026", "spring-2027", "spring-2027"],
        "score": ["400", "450", "470", "460"],
        "growth_percentile": ["", "", "65", ""],
        "test_date": ["2026-09-10", "2026-09-11", "2027-04-27", "2027-04-21"],
    }


def test_the_last_test_in_a_screening_period_counts_and_progress_monitoring_is_skipped():
    mapped = map_export("renaissance-star", "assessments", STAR_FILE)
    assert mapped.lines == [2, 3, 6, 7]  # line 5 (earlier spring test), line 4 (no period)
    assert mapped.skipped_rows == {
        "not taken in a screening period (no ScreeningPeriodWindowName)": 1,
        "an earlier test in the same screening period (Renaissance reports the last)": 1,
    }


def test_two_tests_completed_at_the_same_moment_are_refused_not_chosen():
    content = plain_csv(
        HEADER,
        "S1,Doe,Star Math,9/10/2026 10:00,400,Fall",
        "S1,Doe,Star Math,9/10/2026 10:00,410,Fall",
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("renaissance-star", "assessments", content)
    assert refused.value.problems == [
        RowProblem(
            3,
            None,
            "S1, star_math, fall",
            "duplicate of row 2 (same student_id, assessment and window)",
        )
    ]


def test_the_product_comes_from_the_file_name_or_subject_when_assessment_type_says_enterprise():
    content = plain_csv(HEADER, "S1,Doe,Enterprise,9/10/2026 10:00,400,Fall 2026")
    by_name = map_export("renaissance-star", "assessments", content, file_name="Star_Math_2026.csv")
    by_subject = map_export("renaissance-star", "assessments", content, subject="early literacy")
    assert by_name.columns["assessment"] == ["star_math"]
    assert by_subject.columns["assessment"] == ["star_early_literacy"]


def test_a_bad_file_lists_every_bad_row_by_its_own_line_and_column():
    content = plain_csv(
        HEADER,
        "S1,Doe,Enterprise,9/10/2026 10:00,400,Fall 2026",
        "S1,Doe,Star Reading,9/10/26 10:00,400,Fall 2026",
        "S2,Roe,Star Reading,9/11/2026 10:00,4x0,Fall 2026",
        "S9,Poe,Star Reading,9/11/2026 10:00,300,Fall 2026",
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("renaissance-star", "assessments", content, roster_ids={"S1", "S2"}, **TERM)
    assert refused.value.problems == [
        RowProblem(
            2,
            "AssessmentType",
            "Enterprise",
            "AssessmentType 'Enterprise' does not name a Star product (Reading, Math, Early "
            "Literacy), and neither ?subject= nor the file name does",
        ),
        RowProblem(
            3,
            "CompletedDateLocal",
            "9/10/26 10:00",
            "is not a date and time (M/D/YYYY h:mm or YYYY-MM-DD hh:mm, four-digit year)",
        ),
        RowProblem(4, "ScaledScore", "4x0", "is not a number"),
        RowProblem(5, "StudentIdentifier", "S9", "student is not on the contract's roster"),
    ]


def test_a_map_file_posted_as_star_is_refused_naming_both():
    with pytest.raises(FeedRejected) as refused:
        map_export("renaissance-star", "assessments", MAP_FILE)
    message = refused.value.message
    assert "expected a Renaissance Star data export" in message
    assert "this looks like an NWEA MAP Growth Comprehensive Data File" in message


def test_names_and_birth_dates_are_dropped_and_listed():
    mapped = map_export("renaissance-star", "assessments", STAR_FILE)
    assert {"StudentFirstName", "StudentLastName", "BirthDate", "Gender"} <= set(
        mapped.dropped_columns
    )

"""nwea-map-cdf: NWEA MAP Growth's AssessmentResults.csv → assessment rows (SPEC §2b)."""

from __future__ import annotations

from datetime import date

import pytest

from app.feeds import FeedRejected, RowProblem
from app.feeds.formats import map_export, parse_export
from app.feeds.formats.nwea_map import window_of_term
from tests.feeds.formats.samples import MAP_FILE, STAR_FILE, plain_csv

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}


def test_growth_events_map_to_tranche_rows_with_their_optional_columns():
    mapped = map_export("nwea-map-cdf", "assessments", MAP_FILE)
    rows = list(
        zip(*(mapped.columns[name] for name in ("student_id", "window", "score")), strict=True)
    )
    assert rows == [
        ("S1", "fall-2026", "180"),
        ("S2", "fall-2026", "190"),
        ("S3", "fall-2026", "200"),
        ("S1", "spring-2027", "192"),
        ("S2", "spring-2027", "194"),
        ("S3", "spring-2027", "207"),
    ]
    assert set(mapped.columns["assessment"]) == {"map_reading"}
    # Typical growth on fall rows only; the CGP of the spring rows (S2's is blank).
    assert mapped.columns["typical_growth"] == ["9", "8", "7", "", "", ""]
    assert mapped.columns["growth_percentile"] == ["", "", "", "61", "", "50"]
    assert mapped.columns["rapid_guessing"] == ["0", "0.125", "", "0", "0.03", "0"]
    assert mapped.columns["test_date"][0] == "2026-09-14"
    assert mapped.lines == [2, 3, 4, 5, 6, 8]


def test_only_the_growth_test_event_of_a_term_counts():
    mapped = map_export("nwea-map-cdf", "assessments", MAP_FILE)
    assert mapped.skipped_rows == {
        "GrowthMeasureYN is false: not the growth test event of its term": 1
    }
    assert 7 not in mapped.lines


def test_names_birth_dates_and_unmapped_columns_are_dropped_and_listed():
    mapped = map_export("nwea-map-cdf", "assessments", MAP_FILE)
    assert {"StudentLastName", "StudentFirstName", "StudentDateOfBirth", "TestPercentile"} <= set(
        mapped.dropped_columns
    )
    read = {origin.name for origin in mapped.origins.values() if isinstance(origin.name, str)}
    assert not read & {"StudentLastName", "StudentFirstName", "StudentDateOfBirth"}
    cells = {cell for column in mapped.columns.values() for cell in column}
    assert not cells & {"Doe", "Jan", "01/02/2017"}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Fall 2026-2027", ("fall", "fall-2026")),
        ("Winter 2026-2027", ("winter", "winter-2027")),
        ("spring 2026 - 2027", ("spring", "spring-2027")),
        ("Summer 2026-2027", None),
        ("Fall 2026-2028", None),
    ],
)
def test_term_names_become_windows(term, expected):
    assert window_of_term(term) == expected


def test_header_names_match_case_and_whitespace_insensitively():
    content = plain_csv(
        " studentid ,TERMNAME,Test RIT Score,discipline,growthmeasureyn",
        "S1,Fall 2026-2027,180,Mathematics,Y",
        "S2,Fall 2026-2027,181,Language Usage,Y",
    )
    mapped = map_export("nwea-map-cdf", "assessments", content)
    assert mapped.columns["assessment"] == ["map_math", "map_language"]


def test_a_bad_file_lists_every_bad_row_by_its_own_line_and_column():
    content = plain_csv(
        "StudentID,StudentFirstName,TermName,Discipline,GrowthMeasureYN,TestStartDate,"
        "TestRITScore,RapidGuessingPercentage",
        "S1,Jan,Summer 2027,Reading,TRUE,6/1/2027,180,0",
        "S1,Jan,Fall 2026-2027,Reading,TRUE,9/14/2026,abc,0",
        "S2,Ann,Fall 2026-2027,Reading,TRUE,13/1/2026,190,0",
        "S2,Ann,Spring 2026-2027,Reading,maybe,4/1/2027,190,0",
        "S2,Ann,Spring 2026-2027,Reading,TRUE,4/1/2027,195,150",
        "S9,Bo,Fall 2026-2027,Reading,TRUE,9/14/2026,170,0",
        "S1,Jan,Fall 2026-2027,Reading,TRUE,9/20/2026,182,0",
        "S1,Jan,Fall 2026-2027,Science,TRUE,7/1/2026,182,0",
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("nwea-map-cdf", "assessments", content, roster_ids={"S1", "S2"}, **TERM)
    assert refused.value.problems == [
        RowProblem(
            2,
            "TermName",
            "Summer 2027",
            "must be a term such as 'Fall 2026-2027', 'Winter 2026-2027' or 'Spring 2026-2027'",
        ),
        RowProblem(3, "TestRITScore", "abc", "is not a number"),
        RowProblem(
            4,
            "TestStartDate",
            "13/1/2026",
            "is not a date (M/D/YYYY or YYYY-MM-DD, with a four-digit year)",
        ),
        RowProblem(5, "GrowthMeasureYN", "maybe", "must be TRUE or FALSE (or Y/N)"),
        RowProblem(6, "RapidGuessingPercentage", "150", "must be a percentage from 0 to 100"),
        RowProblem(7, "StudentID", "S9", "student is not on the contract's roster"),
        RowProblem(
            8,
            None,
            "S1, map_reading, fall-2026",
            "duplicate of row 3 (same student_id, assessment and window)",
        ),
        RowProblem(
            9,
            "TestStartDate",
            "7/1/2026",
            "is outside the contract term (2026-08-01 to 2027-07-31)",
        ),
    ]


def test_a_star_file_posted_as_map_is_refused_naming_both():
    with pytest.raises(FeedRejected) as refused:
        map_export("nwea-map-cdf", "assessments", STAR_FILE)
    assert refused.value.message == (
        "assessments feed refused: expected an NWEA MAP Growth Comprehensive Data File "
        "(AssessmentResults.csv), but the file has no StudentID, TermName, TestRITScore, "
        "GrowthMeasureYN column, and this looks like a Renaissance Star data export (post it "
        "with ?format=renaissance-star)."
    )


def test_the_tranche_columns_posted_as_map_are_refused_with_the_hint_to_drop_the_format():
    content = plain_csv("student_id,assessment,window,score", "S1,map_reading,fall-2026,180")
    with pytest.raises(FeedRejected) as refused:
        map_export("nwea-map-cdf", "assessments", content)
    assert "Tranche's own assessments columns (post it without ?format=)" in refused.value.message


def test_map_is_only_for_the_assessments_feed():
    with pytest.raises(FeedRejected) as refused:
        map_export("nwea-map-cdf", "roster", MAP_FILE)
    assert "is for the assessments feed, not roster" in refused.value.message


def test_the_batch_hash_is_of_the_uploaded_bytes():
    import hashlib

    parsed = parse_export("nwea-map-cdf", "assessments", MAP_FILE, **TERM).parsed
    assert parsed.sha256 == hashlib.sha256(MAP_FILE).hexdigest()

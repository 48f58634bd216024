"""The file as a whole: encoding, size, emptiness, CSV dialect, row numbering."""

from __future__ import annotations

import hashlib

from app.feeds import RowProblem, parse_feed
from tests.feeds.support import csv_bytes, only_problem, rejection

ROSTER = csv_bytes("student_id,grade", "S1,3", "S2,4")


def test_sha256_is_of_the_bytes_as_received():
    content = b"\xef\xbb\xbf" + ROSTER
    parsed = parse_feed("roster", content)
    assert parsed.sha256 == hashlib.sha256(content).hexdigest()
    assert parsed.rows == 2


def test_utf8_bom_is_accepted_transparently():
    parsed = parse_feed("roster", b"\xef\xbb\xbf" + ROSTER)
    assert list(parsed.frame["student_id"]) == ["S1", "S2"]


def test_excel_quoting_with_crlf_line_ends_is_accepted():
    content = b'student_id,grade,school_id\r\n"S,1",3,"North ""Main"" Elementary"\r\nS2,4,\r\n'
    frame = parse_feed("roster", content).frame
    assert list(frame["student_id"]) == ["S,1", "S2"]
    assert list(frame["school_id"]) == ['North "Main" Elementary', None]


def test_ids_keep_leading_zeros_and_the_text_na():
    frame = parse_feed("roster", csv_bytes("student_id,grade", "00123,3", "NA,4", "null,5")).frame
    assert list(frame["student_id"]) == ["00123", "NA", "null"]


def test_headers_match_ignoring_case_and_surrounding_spaces():
    frame = parse_feed("roster", csv_bytes(" Student_ID ,GRADE", "S1,3")).frame
    assert list(frame.columns[:2]) == ["student_id", "grade"]


def test_empty_file_is_refused():
    assert only_problem("roster", b"") == RowProblem(None, None, None, "the file is empty")


def test_whitespace_only_file_is_refused():
    assert only_problem("roster", b"\r\n \n").reason == "the file is empty"


def test_header_without_rows_is_refused():
    problem = only_problem("roster", b"student_id,grade\r\n")
    assert problem.reason == "the file has a header but no data rows"


def test_content_over_the_size_limit_is_refused():
    problem = only_problem("roster", ROSTER, max_bytes=10)
    assert problem.row is None
    assert "more than the limit of 10" in problem.reason


def test_non_utf8_content_is_refused_naming_the_line():
    problem = only_problem(
        "roster", csv_bytes("student_id,grade", "S1,3", "Andr\xe9,4").replace("é".encode(), b"\xe9")
    )
    assert problem.row == 3
    assert problem.reason.startswith("the file is not valid UTF-8 (byte 0xE9 on line 3)")


def test_utf16_content_is_refused_as_not_utf8():
    problem = only_problem("roster", "student_id,grade\nS1,3\n".encode("utf-16"))
    assert "UTF-16" in problem.reason


def test_blank_lines_are_skipped_and_row_numbers_stay_those_of_the_file():
    content = csv_bytes("student_id,grade", "S1,3", "", "S2,13", "", "")
    problem = only_problem("roster", content)
    assert (problem.row, problem.column, problem.value) == (4, "grade", "13")


def test_row_numbers_count_lines_of_quoted_values_spanning_lines():
    content = b'student_id,grade,school_id\nS1,3,"two\nlines"\nS2,x,A\n'
    refused = rejection("roster", content)
    # A line break inside an identifier is a control character; the next row is line 4.
    assert [(p.row, p.column) for p in refused.problems] == [(2, "school_id"), (4, "grade")]


def test_a_row_with_the_wrong_number_of_fields_is_refused():
    content = csv_bytes("student_id,grade,school_id", "S1,3,A", "S2,4,A,extra")
    problem = only_problem("roster", content)
    assert problem == RowProblem(3, None, None, "the row has 4 fields, the header has 3")


def test_trailing_empty_unnamed_columns_from_excel_are_ignored():
    content = csv_bytes("student_id,grade,,", "S1,3,,", "S2,4,,")
    assert list(parse_feed("roster", content).frame["grade"]) == [3, 4]


def test_unsupported_content_type_is_refused():
    problem = only_problem("roster", ROSTER, content_type="application/xml")
    assert "unsupported content type" in problem.reason


def test_content_type_parameters_are_ignored():
    parsed = parse_feed("roster", ROSTER, content_type="text/csv; charset=utf-8")
    assert parsed.rows == 2


def test_message_is_one_sentence_naming_the_count_and_first_problem():
    refused = rejection("roster", csv_bytes("student_id,grade", "S1,x", "S2,y"))
    assert refused.message == (
        "roster feed refused: 2 problems "
        "(first: row 2, grade: grade must be K or a whole number from 0 to 12)."
    )
    assert str(refused) == refused.message

"""A batch is all or nothing (SPEC §2): every refusal lists what is wrong and stores nothing."""

from __future__ import annotations

import json

import pytest

from tests.ingestion.conftest import SMALL_UPLOAD_LIMIT

NOTHING_BUT_THE_ROSTER = {
    "batches": 1,
    "roster_rows": 3,
    "assessment_rows": 0,
    "usage_rows": 0,
    "schedule_rows": 0,
}


def assert_refused(response, stored, expected=NOTHING_BUT_THE_ROSTER, status=422):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert stored() == expected


@pytest.mark.parametrize(
    ("content", "row", "column", "value", "reason"),
    [
        (b"student_id,date\nS2,2026-09-02\n", None, "minutes", None, "required column is missing"),
        (
            b"student_id,date,minutes,device\nS2,2026-09-02,5,ipad\n",
            None,
            "device",
            None,
            "unknown",
        ),
        (b"student_id,date,minutes\nS2,2026-09-02,lots\n", 2, "minutes", "lots", "not a number"),
        (b"student_id,date,minutes\nS2,2026-13-02,5\n", 2, "date", "2026-13-02", "not a date"),
        (b"student_id,date,minutes\nS2,2026-09-02,-5\n", 2, "minutes", "-5", "negative"),
        (b"student_id,date,minutes\nS2,2026-09-02,1441\n", 2, "minutes", "1441", "1440"),
        (b"student_id,date,minutes\nS2,2026-09-02,NaN\n", 2, "minutes", "NaN", "finite"),
        (b"student_id,date,minutes\nS2,2025-09-02,5\n", 2, "date", "2025-09-02", "term"),
        (b"student_id,date,minutes\nS9,2026-09-02,5\n", 2, "student_id", "S9", "roster"),
        (
            b"student_id,date,minutes\nS2,2026-09-02,5\nS2,2026-09-02,5\n",
            3,
            None,
            None,
            "give `session_id`, or one total per day",
        ),
        (
            b"student_id,date,minutes,student_name\nS2,2026-09-02,5,Ann\n",
            None,
            "student_name",
            None,
            "personal data",
        ),
    ],
)
def test_bad_usage_is_refused_with_the_problem_and_nothing_is_stored(
    roster_batch, post, stored, content, row, column, value, reason
):
    response = post("usage", content)
    assert_refused(response, stored)
    problem = response.json()["problems"][0]
    assert problem["row"] == row
    assert problem["column"] == column
    if value is not None:
        assert problem["value"] == value
    assert reason in problem["reason"]


def test_every_bad_row_is_listed_with_its_line_and_a_total(roster_batch, post, stored):
    content = (
        b"student_id,date,minutes\nS2,2026-09-02,5\nS2,x,5\n00123,2026-09-03,y\nS9,2026-09-04,1\n"
    )
    response = post("usage", content)
    assert_refused(response, stored)
    body = response.json()
    assert [(p["row"], p["column"]) for p in body["problems"]] == [
        (3, "date"),
        (4, "minutes"),
        (5, "student_id"),
    ]
    assert body["total"] == 3


def test_a_bad_row_at_the_end_of_a_long_file_stores_nothing(roster_batch, post, stored):
    rows = [f"S2,2026-{month:02d}-{day:02d},1" for month in (9, 10, 11) for day in range(1, 29)]
    content = ("student_id,date,minutes\n" + "\n".join(rows) + "\nS2,2026-12-01,oops\n").encode()
    response = post("usage", content)
    assert_refused(response, stored)
    assert response.json()["problems"][0]["row"] == len(rows) + 2


def test_the_problem_list_is_capped_but_the_total_counts_all(roster_batch, post, stored, settings):
    settings.max_listed_problems = 5
    content = ("student_id,date,minutes\n" + "S2,bad,1\n" * 40).encode()
    response = post("usage", content)
    assert_refused(response, stored)
    assert len(response.json()["problems"]) == 5
    assert response.json()["total"] == 40


def test_bad_roster_grade_is_refused(active_contract, post, stored):
    response = post("roster", b"student_id,grade\nA1,13\n")
    assert_refused(response, stored, expected=dict.fromkeys(NOTHING_BUT_THE_ROSTER, 0))
    assert response.json()["problems"][0]["column"] == "grade"


def test_roster_with_a_birth_date_column_is_refused(active_contract, post, stored):
    response = post("roster", b"student_id,grade,date_of_birth\nA1,3,2015-01-01\n")
    assert_refused(response, stored, expected=dict.fromkeys(NOTHING_BUT_THE_ROSTER, 0))
    assert response.json()["problems"][0]["value"] is None  # personal data is not echoed


def test_assessment_for_a_student_not_on_the_roster_is_refused(roster_batch, post, stored):
    content = b"student_id,assessment,window,score\nS9,map_reading,fall-2026,180\n"
    assert_refused(post("assessments", content), stored)


def test_assessment_score_must_be_finite(roster_batch, post, stored):
    content = b"student_id,assessment,window,score\nS2,map_reading,fall-2026,inf\n"
    response = post("assessments", content)
    assert_refused(response, stored)
    assert "finite" in response.json()["problems"][0]["reason"]


def test_duplicate_assessment_key_is_refused(roster_batch, post, stored):
    content = (
        b"student_id,assessment,window,score\n"
        b"S2,map_reading,fall-2026,180\nS2,map_reading,fall-2026,181\n"
    )
    assert_refused(post("assessments", content), stored)


def test_usage_before_any_roster_is_refused(active_contract, post, stored):
    response = post("usage", b"student_id,date,minutes\nS2,2026-09-02,5\n")
    assert_refused(response, stored, expected=dict.fromkeys(NOTHING_BUT_THE_ROSTER, 0))


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", b"\xef\xbb\xbf", b"student_id,date,minutes\n"],
    ids=["empty", "blank-lines", "bom-only", "header-only"],
)
def test_empty_file_is_refused(roster_batch, post, stored, content):
    assert_refused(post("usage", content), stored)


def test_empty_json_array_is_refused(roster_batch, post, stored):
    assert_refused(post("usage", b"[]", content_type="application/json"), stored)


def test_json_that_is_not_an_array_is_refused(roster_batch, post, stored):
    body = json.dumps({"student_id": "S2", "date": "2026-09-02", "minutes": 5}).encode()
    assert_refused(post("usage", body, content_type="application/json"), stored)


def test_non_utf8_file_is_refused_with_its_line(roster_batch, post, stored):
    content = "student_id,date,minutes\nS2,2026-09-02,5\nSé,2026-09-02,5\n".encode("latin-1")
    response = post("usage", content)
    assert_refused(response, stored)
    assert "UTF-8" in response.json()["problems"][0]["reason"]
    assert response.json()["problems"][0]["row"] == 3


def test_utf16_file_is_refused(roster_batch, post, stored):
    content = "student_id,date,minutes\nS2,2026-09-02,5\n".encode("utf-16")
    assert_refused(post("usage", content), stored)


def test_too_large_a_file_is_refused_with_413(roster_batch, post, stored):
    line = b"S2,2026-09-02,0\n"
    content = b"student_id,date,minutes\n" + line * (SMALL_UPLOAD_LIMIT // len(line) + 1)
    assert_refused(post("usage", content), stored, status=413)


def test_too_large_a_multipart_file_is_refused_with_413(roster_batch, client, world, stored):
    content = b"student_id,date,minutes\n" + b"S2,2026-09-02,0\n" * 4100
    assert len(content) > SMALL_UPLOAD_LIMIT
    response = client.post(
        "/v1/contracts/ector-hdt-2026/usage",
        files={"file": ("usage.csv", content, "text/csv")},
        headers=world.headers["bright-tutors"],
    )
    assert_refused(response, stored, status=413)


def test_unsupported_content_type_is_refused(roster_batch, post, stored):
    response = post("usage", b"<usage/>", content_type="application/xml")
    assert_refused(response, stored)


def test_a_failure_while_storing_rows_stores_nothing(
    roster_batch, post, stored, monkeypatch, db_session
):
    from app.ingestion import service

    original = service.insert_rows

    def fail_half_way(session, *, feed, batch_id, frame, meanwhile):  # type: ignore[no-untyped-def]
        original(session, feed=feed, batch_id=batch_id, frame=frame[:1], meanwhile=meanwhile)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "insert_rows", fail_half_way)
    response = post("usage", b"student_id,date,minutes\nS2,2026-09-02,5\nS2,2026-09-03,5\n")
    assert response.status_code == 500
    db_session.rollback()  # what closing the request's session does: drop what was not committed
    assert stored() == NOTHING_BUT_THE_ROSTER

"""Latest value wins in every feed; repeats are recognised by their rows (SPEC §2, issue 12)."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.engine import SumWindow
from app.engine.feed_schema import FEED_SCHEMAS
from app.evaluation import repository
from app.ingestion.models import Batch, BatchStatus

TERM = SumWindow("usage", "minutes", date(2026, 8, 1), date(2027, 7, 31))
OFFERED = SumWindow("schedule", "minutes_offered", date(2026, 8, 1), date(2027, 7, 31))


def batch_ids(db_session: Session, feed: str, *, accepted_only: bool = True) -> list[int]:
    query = (
        select(Batch.id)
        .join(Contract, Contract.id == Batch.contract_id)
        .where(Contract.key == "ector-hdt-2026", Batch.feed == feed)
        .order_by(Batch.id)
    )
    if accepted_only:
        query = query.where(Batch.status == BatchStatus.accepted)
    return list(db_session.execute(query).scalars())


def totals(db_session: Session, window: SumWindow = TERM) -> dict[str, int]:
    """Each student's sum in whole units, read both ways latest-wins is computed (the
    maintained flags, and the rule worked out among the accepted batches): they must agree."""
    ids = batch_ids(db_session, window.feed)
    scale = FEED_SCHEMAS[window.feed].column(window.field).scale
    flagged = repository.window_sums(db_session, window.feed, ids, [window], current=True)
    worked_out = repository.window_sums(db_session, window.feed, ids, [window], current=False)
    assert flagged[window].to_dict() == worked_out[window].to_dict()
    return {student: Fraction(total, scale) for student, total in flagged[window].items()}


def test_the_same_days_usage_as_csv_json_and_crlf_counts_once(roster_batch, post, db_session):
    csv = b"student_id,date,minutes\nS2,2026-09-02,100\n"
    as_json = json.dumps([{"student_id": "S2", "date": "2026-09-02", "minutes": 100}]).encode()
    crlf = b"student_id,date,minutes,sessions\r\nS2,2026-09-02,100.0,1\r\n"
    first = post("usage", csv)
    second = post("usage", as_json, content_type="application/json")
    third = post("usage", crlf)
    assert first.status_code == 201
    assert (second.status_code, third.status_code) == (200, 200)
    assert second.json()["repeat_of"] == third.json()["repeat_of"] == first.json()["id"]
    assert totals(db_session) == {"S2": 100}


def test_a_later_total_for_a_day_replaces_the_earlier_one(roster_batch, post, db_session):
    post("usage", b"student_id,date,minutes\nS2,2026-09-02,100\nS3,2026-09-02,10\n")
    restated = post("usage", b"student_id,date,minutes\nS2,2026-09-02,60\n")
    assert restated.status_code == 201
    assert totals(db_session) == {"S2": 60, "S3": 10}


def test_sessions_of_one_day_add_up_and_a_resent_session_replaces_itself(
    roster_batch, post, db_session
):
    post("usage", b"student_id,date,minutes,session_id\nS2,2026-09-02,30,a\nS2,2026-09-02,20,b\n")
    post("usage", b"student_id,date,minutes,session_id\nS2,2026-09-02,25,b\n")
    assert totals(db_session) == {"S2": 55}


def test_replace_then_repost_the_replaced_bytes_does_not_bring_them_back(
    roster_batch, post, db_session, stored
):
    original = b"student_id,date,minutes\nS2,2026-09-02,100\nS2,2026-09-03,50\n"
    first = post("usage", original).json()
    post("usage", b"student_id,date,minutes\nS2,2026-09-02,40\n", params={"replaces": first["id"]})
    assert totals(db_session) == {"S2": 40}
    again = post("usage", original)
    assert again.status_code == 200
    assert again.json()["repeat_of"] == first["id"]
    assert totals(db_session) == {"S2": 40}
    assert stored()["usage_rows"] == 3


def test_a_replaced_batchs_keys_fall_back_to_the_latest_other_batch(roster_batch, post, db_session):
    post("usage", b"student_id,date,minutes\nS2,2026-09-02,10\n")
    middle = post("usage", b"student_id,date,minutes\nS2,2026-09-02,20\nS3,2026-09-02,5\n").json()
    post("usage", b"student_id,date,minutes\nS3,2026-09-03,1\n", params={"replaces": middle["id"]})
    # S2's day falls back to the first batch; S3's day of the middle batch no longer counts.
    assert totals(db_session) == {"S2": 10, "S3": 1}


def test_a_replacement_with_the_same_rows_is_not_a_repeat(roster_batch, post, db_session):
    content = b"student_id,date,minutes\nS2,2026-09-02,10\n"
    first = post("usage", content).json()
    again = post("usage", content, params={"replaces": first["id"]})
    assert again.status_code == 201
    assert again.json()["replaces"] == first["id"] and again.json()["repeat_of"] is None
    assert totals(db_session) == {"S2": 10}


def test_minutes_over_a_day_across_batches_are_refused_and_nothing_is_stored(
    roster_batch, post, db_session, stored
):
    post("usage", b"student_id,date,minutes,session_id\nS2,2026-09-02,1000,a\n")
    before = stored()
    response = post(
        "usage", b"student_id,date,minutes,session_id\nS3,2026-09-02,5,a\nS2,2026-09-02,1010,b\n"
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    assert (problem["row"], problem["column"]) == (3, "minutes")
    assert "over every batch that counts add up to 2010, more than 1440" in problem["reason"]
    assert stored() == before
    assert totals(db_session) == {"S2": 1000}


def test_a_restated_day_is_not_added_to_the_day_it_replaces(roster_batch, post, db_session):
    post("usage", b"student_id,date,minutes\nS2,2026-09-02,1000\n")
    assert post("usage", b"student_id,date,minutes\nS2,2026-09-02,1010\n").status_code == 201
    assert totals(db_session) == {"S2": 1010}


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("00123 ", "leading or trailing spaces"),
        (" 00123", "leading or trailing spaces"),
        ("S\t2", "control characters"),
        ("S" * 65, "longer than 64 characters"),
    ],
)
def test_identifiers_that_would_look_like_another_are_refused(
    roster_batch, post, stored, student, reason
):
    content = json.dumps([{"student_id": student, "grade": 3}]).encode()
    response = post("roster", content, content_type="application/json")
    assert response.status_code == 422
    assert reason in response.json()["problems"][0]["reason"]
    assert stored()["roster_rows"] == 3


def test_the_schedule_round_trips(roster_batch, post, client, world, db_session):
    content = (
        b"student_id,date,sessions_offered,minutes_offered,session_id\n"
        b"S2,2026-09-02,1,30,m1\n"
        b"S2,2026-09-02,,45.5,m2\n"
        b"00123,2026-09-03,2,,\n"
    )
    posted = post("schedule", content)
    assert posted.status_code == 201, posted.text
    batch = posted.json()
    assert (batch["feed"], batch["rows"], batch["posted_by"]) == ("schedule", 3, "ector-isd")
    listed = client.get(
        "/v1/contracts/ector-hdt-2026/batches?feed=schedule", headers=world.headers["ector-isd"]
    )
    assert [b["id"] for b in listed.json()] == [batch["id"]]
    rows = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{batch['id']}/rows",
        headers=world.headers["ector-isd"],
    )
    assert rows.text.replace('"', "") == (
        "student_id,date,sessions_offered,minutes_offered,session_id\n"
        "S2,2026-09-02,1,30.000,m1\n"
        "S2,2026-09-02,1,45.500,m2\n"
        "00123,2026-09-03,2,,\n"
    )
    assert post("schedule", rows.content).json()["repeat_of"] == batch["id"]
    sessions = SumWindow("schedule", "sessions_offered", date(2026, 8, 1), date(2027, 7, 31))
    assert totals(db_session, OFFERED) == {"S2": Fraction(755, 10), "00123": 0}
    assert totals(db_session, sessions) == {"S2": 2, "00123": 2}  # a blank counts 1


def test_the_vendor_cannot_post_a_schedule(roster_batch, post):
    content = b"student_id,date\nS2,2026-09-02\n"
    assert post("schedule", content, as_="bright-tutors").status_code == 403


def test_assessment_columns_of_v2_are_stored_and_exported(roster_batch, post, client, world):
    content = (
        b"student_id,assessment,window,score,typical_growth,growth_percentile,standard_error,"
        b"rapid_guessing,test_date\n"
        b"00123,map_reading,fall-2026,180,9.5,55,3.1,0.25,2026-09-20\n"
    )
    posted = post("assessments", content)
    assert posted.status_code == 201, posted.text
    rows = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{posted.json()['id']}/rows",
        headers=world.headers["ector-isd"],
    )
    assert rows.text.replace('"', "").splitlines()[1] == (
        "00123,map_reading,fall-2026,180,9.500,55,3.100,0.250,2026-09-20"
    )


@pytest.mark.parametrize(
    ("cell", "reason"), [("0", "between 1 and 99"), ("100", "between 1 and 99")]
)
def test_growth_percentiles_outside_1_to_99_are_refused(roster_batch, post, cell, reason):
    content = (
        "student_id,assessment,window,score,growth_percentile\n"
        f"00123,map_reading,fall-2026,180,{cell}\n"
    ).encode()
    response = post("assessments", content)
    assert response.status_code == 422
    assert reason in response.json()["problems"][0]["reason"]

"""Posting the same batch again stores nothing new and returns the original (SPEC §2)."""

from __future__ import annotations

from tests.ingestion.conftest import USAGE_CSV

KEY = {"Idempotency-Key": "usage-2026-09-week-1"}


def test_same_key_and_same_body_returns_the_original_batch(roster_batch, post, stored):
    first = post("usage", USAGE_CSV, headers=KEY)
    again = post("usage", USAGE_CSV, headers=KEY)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["idempotency_key"] == KEY["Idempotency-Key"]
    assert stored()["batches"] == 2 and stored()["usage_rows"] == 3


def test_same_key_with_a_different_body_is_a_conflict(roster_batch, post, stored):
    post("usage", USAGE_CSV, headers=KEY)
    changed = USAGE_CSV.replace(b"45,1", b"46,1")
    response = post("usage", changed, headers=KEY)
    assert response.status_code == 409
    assert stored()["batches"] == 2 and stored()["usage_rows"] == 3


def test_same_key_on_another_feed_is_a_conflict(roster_batch, post):
    content = b"student_id,grade\nS4,3\n"
    assert post("roster", content, headers=KEY).status_code == 201
    response = post("assessments", content, headers=KEY)
    assert response.status_code == 409


def test_keys_of_different_organisations_do_not_collide(roster_batch, post):
    assert post("roster", b"student_id,grade\nS4,3\n", headers=KEY).status_code == 201
    assert post("usage", USAGE_CSV, headers=KEY).status_code == 201


def test_byte_identical_content_returns_the_original_batch(roster_batch, post, stored):
    first = post("usage", USAGE_CSV)
    again = post("usage", USAGE_CSV)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["repeat_of"] is None
    assert again.json()["repeat_of"] == first.json()["id"]
    assert stored()["usage_rows"] == 3


def test_identical_content_in_a_multipart_upload_is_the_same_batch(
    roster_batch, post, client, world, stored
):
    first = post("usage", USAGE_CSV)
    again = client.post(
        "/v1/contracts/ector-hdt-2026/usage",
        files={"file": ("usage.csv", USAGE_CSV, "text/csv")},
        headers=world.headers["bright-tutors"],
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert stored()["usage_rows"] == 3


def test_a_refused_body_does_not_use_up_the_key(roster_batch, post, stored):
    bad = post("usage", b"student_id,date,minutes\nS2,2026-09-02,oops\n", headers=KEY)
    assert bad.status_code == 422
    good = post("usage", USAGE_CSV, headers=KEY)
    assert good.status_code == 201
    assert stored()["usage_rows"] == 3


def test_content_of_a_superseded_batch_posted_again_is_a_repeat_and_does_not_come_back(
    roster_batch, post, stored
):
    first = post("usage", USAGE_CSV).json()
    post("usage", b"student_id,date,minutes\nS2,2026-09-02,1\n", params={"replaces": first["id"]})
    again = post("usage", USAGE_CSV)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["repeat_of"] == first["id"]
    assert again.json()["status"] == "superseded"
    assert stored()["usage_rows"] == 3 + 1


def test_replaying_a_replacement_with_its_key_returns_it(roster_batch, post):
    first = post("usage", USAGE_CSV).json()
    correction = b"student_id,date,minutes\nS2,2026-09-02,1\n"
    key = {"Idempotency-Key": "correction-1"}
    replaced = post("usage", correction, params={"replaces": first["id"]}, headers=key)
    again = post("usage", correction, params={"replaces": first["id"]}, headers=key)
    assert again.status_code == 200
    assert again.json() == replaced.json()


def test_replaying_a_replacement_without_a_key_is_refused_not_applied_twice(roster_batch, post):
    first = post("usage", USAGE_CSV).json()
    correction = b"student_id,date,minutes\nS2,2026-09-02,1\n"
    post("usage", correction, params={"replaces": first["id"]})
    again = post("usage", correction, params={"replaces": first["id"]})
    assert again.status_code == 409
    assert "already replaced" in again.json()["detail"]


def test_an_overlong_idempotency_key_is_refused(roster_batch, post, stored):
    response = post("usage", USAGE_CSV, headers={"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert stored()["usage_rows"] == 0

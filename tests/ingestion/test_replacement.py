"""Corrections (SPEC §2): a batch may replace an earlier one of the same feed; history stays."""

from __future__ import annotations

import csv
import io

from tests.ingestion.conftest import USAGE_CSV

CORRECTED = b"student_id,date,minutes,sessions\n00123,2026-09-02,40,1\n"


def test_replacement_supersedes_the_old_batch_and_keeps_its_rows(
    roster_batch, post, client, world, stored
):
    old = post("usage", USAGE_CSV).json()
    response = post("usage", CORRECTED, params={"replaces": old["id"]})
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["replaces"] == old["id"]
    assert new["status"] == "accepted"

    old_now = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{old['id']}", headers=world.headers["ector-isd"]
    ).json()
    assert old_now["status"] == "superseded"
    assert old_now["superseded_by"] == new["id"]
    assert stored()["usage_rows"] == 3 + 1  # history is never deleted
    rows = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{old['id']}/rows",
        headers=world.headers["bright-tutors"],
    )
    assert len(list(csv.reader(io.StringIO(rows.text)))) == 1 + 3


def test_replaced_rows_stop_counting_in_the_evaluation(roster_batch, post, client, world):
    def minutes_of_00123() -> str:
        students = client.get(
            "/v1/contracts/ector-hdt-2026/evaluation/students",
            params={"as_of": "2027-06-30"},
            headers=world.headers["ector-isd"],
        )
        rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO(students.text))}
        return rows["00123"]["minutes"]

    old = post("usage", USAGE_CSV).json()
    assert minutes_of_00123() == "75.5"
    post("usage", CORRECTED, params={"replaces": old["id"]})
    assert minutes_of_00123() == "40"


def test_a_superseded_batch_cannot_be_replaced_again(roster_batch, post, stored):
    old = post("usage", USAGE_CSV).json()
    post("usage", CORRECTED, params={"replaces": old["id"]})
    response = post(
        "usage", b"student_id,date,minutes\nS2,2026-09-09,1\n", params={"replaces": old["id"]}
    )
    assert response.status_code == 409
    assert stored()["batches"] == 3


def test_a_batch_of_another_feed_cannot_be_replaced(roster_batch, post, stored):
    response = post("usage", USAGE_CSV, params={"replaces": roster_batch["id"]})
    assert response.status_code == 409
    assert stored()["usage_rows"] == 0


def test_replacing_an_unknown_batch_is_not_found(roster_batch, post, stored):
    response = post("usage", USAGE_CSV, params={"replaces": "no-such-batch"})
    assert response.status_code == 404
    assert stored()["usage_rows"] == 0


def test_a_batch_of_another_contract_cannot_be_replaced(
    roster_batch, post, client, world, definition, stored
):
    other = definition(key="other-contract", district="other-isd", vendor="bright-tutors")
    client.post("/v1/contracts", json=other, headers=world.headers["other-isd"])
    client.post("/v1/contracts/other-contract/accept", headers=world.headers["bright-tutors"])
    foreign = post(
        "roster", b"student_id,grade\nS2,3\n", as_="other-isd", contract="other-contract"
    )
    assert foreign.status_code == 201, foreign.text
    before = stored()
    response = post(
        "roster", b"student_id,grade\nS2,4\n", params={"replaces": foreign.json()["id"]}
    )
    assert response.status_code == 404
    assert stored() == before


def test_replacing_the_roster_rechecks_nothing_already_stored(roster_batch, post, client, world):
    fixed = b"student_id,grade\n00123,3\nS2,4\nS3,5\nS4,3\n"
    response = post("roster", fixed, params={"replaces": roster_batch["id"]})
    assert response.status_code == 201
    batches = client.get(
        "/v1/contracts/ector-hdt-2026/batches",
        params={"feed": "roster"},
        headers=world.headers["ector-isd"],
    ).json()
    assert [b["status"] for b in batches] == ["superseded", "accepted"]

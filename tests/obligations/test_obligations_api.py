"""POST /v1/contracts/{key}/obligations/{okey} and GET …/obligations (SPEC §1, §3)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.obligations.models import MAX_NOTE


def test_district_attests_an_obligation_as_the_district(active_contract, record):
    response = record("ector-isd", "devices", "met", "All 412 Chromebooks delivered 2026-09-10")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["obligation"], body["party"], body["status"]) == ("devices", "district", "met")
    assert body["note"] == "All 412 Chromebooks delivered 2026-09-10"
    assert body["recorded_by"] == "ector-isd"


def test_vendor_contests_an_obligation_as_the_vendor(active_contract, record):
    response = record("bright-tutors", "devices", "missed", "Room 12 had no headsets")
    assert response.status_code == 201, response.text
    assert (response.json()["party"], response.json()["status"]) == ("vendor", "missed")


def test_listing_shows_each_obligation_of_the_version_in_force_with_its_records(
    active_contract, record, listing
):
    record("ector-isd", "devices", "met")
    record("bright-tutors", "devices", "missed", "no headsets")
    body = listing("tx-state-audit")  # auditors read it too
    assert body["contract"] == "ector-hdt-2026" and body["version"] == 1
    assert [o["key"] for o in body["obligations"]] == ["devices", "schedule"]
    devices, schedule = body["obligations"]
    assert devices["due"] == "2026-09-15" and devices["covers"] == ["fidelity"]
    assert devices["text"] == "A device and headset for every scheduled student"
    assert [(r["party"], r["status"]) for r in devices["records"]] == [
        ("district", "met"),
        ("vendor", "missed"),
    ]
    assert schedule["records"] == []


def test_records_are_appended_never_replaced(active_contract, record, listing):
    first = record("ector-isd", "devices", "missed", "delivery late").json()
    record("ector-isd", "devices", "met", "delivered after all")
    records = listing("ector-isd")["obligations"][0]["records"]
    assert [(r["status"], r["note"]) for r in records] == [
        ("missed", "delivery late"),
        ("met", "delivered after all"),
    ]
    assert records[0]["id"] == first["id"]


@pytest.mark.parametrize(
    "statement", ["UPDATE obligation_records SET status = 'met'", "DELETE FROM obligation_records"]
)
def test_the_database_refuses_to_rewrite_a_record(active_contract, record, db_session, statement):
    assert record("ector-isd", "devices", "missed").status_code == 201
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text(statement))


def test_unknown_obligation_is_not_found(active_contract, record):
    response = record("ector-isd", "laptops", "met")
    assert response.status_code == 404
    assert "laptops" in response.json()["detail"]


@pytest.mark.parametrize("stranger", ["other-isd", "other-vendor", "other-audit"])
def test_a_stranger_cannot_learn_the_contract_exists(
    active_contract, record, client, world, stranger
):
    assert record(stranger, "devices", "met").status_code == 404
    response = client.get(
        "/v1/contracts/ector-hdt-2026/obligations", headers=world.headers[stranger]
    )
    assert response.status_code == 404


def test_an_auditor_may_not_record(active_contract, record, listing):
    assert record("tx-state-audit", "devices", "met").status_code == 403
    assert listing("ector-isd")["obligations"][0]["records"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"status": "met"},
        {"status": "met", "note": ""},
        {"status": "met", "note": "x" * (MAX_NOTE + 1)},
        {"status": "partly", "note": "half the devices"},
        {"note": "no status"},
        {"status": "met", "note": 7},
    ],
)
def test_a_bad_record_is_refused_and_nothing_is_stored(
    active_contract, client, world, listing, body
):
    response = client.post(
        "/v1/contracts/ector-hdt-2026/obligations/devices",
        json=body,
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert listing("ector-isd")["obligations"][0]["records"] == []


def test_a_note_at_the_limit_is_kept(active_contract, record):
    response = record("ector-isd", "devices", "met", "x" * MAX_NOTE)
    assert response.status_code == 201
    assert len(response.json()["note"]) == MAX_NOTE


def test_nothing_is_recorded_on_a_contract_not_yet_accepted(client, world, definition, record):
    created = client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    assert created.status_code == 201, created.text
    assert record("ector-isd", "devices", "met").status_code == 409


def test_every_record_is_in_the_audit_log(active_contract, record, client, world):
    record("bright-tutors", "schedule", "missed", "Tuesday periods cancelled")
    entries = client.get(
        "/v1/audit-log",
        params={"action": "obligation.recorded"},
        headers=world.headers["ector-isd"],
    ).json()["entries"]
    assert len(entries) == 1
    assert entries[0]["contract"] == "ector-hdt-2026"
    assert entries[0]["details"] == {
        "obligation": "schedule",
        "party": "vendor",
        "status": "missed",
        "note": "Tuesday periods cancelled",
    }


def test_a_new_record_makes_a_drafted_statement_stale(active_contract, record, client, world):
    district = world.headers["ector-isd"]
    draft = client.post(
        "/v1/contracts/ector-hdt-2026/statements", json={"as_of": "2026-10-01"}, headers=district
    )
    assert draft.status_code == 201, draft.text
    record("bright-tutors", "devices", "missed", "no headsets")
    refused = client.post(
        f"/v1/statements/{draft.json()['id']}/approve", headers=world.headers["ector-isd:approver"]
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["hint"] == "redraft"


def test_a_statement_verifies_against_the_records_its_draft_saw(
    active_contract, record, client, world
):
    district = world.headers["ector-isd"]
    record("ector-isd", "devices", "met")
    draft = client.post(
        "/v1/contracts/ector-hdt-2026/statements", json={"as_of": "2026-10-01"}, headers=district
    ).json()
    # Another approver than the one who drafted (SPEC §3).
    approved = client.post(
        f"/v1/statements/{draft['id']}/approve", headers=world.headers["ector-isd:approver"]
    )
    assert approved.status_code == 200, approved.text
    record("bright-tutors", "devices", "missed", "later objection")
    verified = client.post(f"/v1/statements/{draft['id']}/verify", headers=district)
    assert verified.json()["fingerprint"]["matches"] is True


def test_listing_gives_each_obligation_its_status_from_both_parties_records(
    active_contract, record, listing
):
    assert [o["status"] for o in listing("ector-isd")["obligations"]] == ["unknown", "unknown"]
    record("ector-isd", "devices", "met")
    record("bright-tutors", "schedule", "met")  # only the vendor saying met: still unknown
    assert [o["status"] for o in listing("bright-tutors")["obligations"]] == ["met", "unknown"]
    record("bright-tutors", "devices", "missed", "no headsets in room 12")
    record("ector-isd", "schedule", "missed", "periods start in October")
    assert [o["status"] for o in listing("ector-isd")["obligations"]] == ["disputed", "missed"]

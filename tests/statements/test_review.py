"""Reviewing statements: read, list, approve, void (SPEC §3, issue #5 §2)."""

from __future__ import annotations

from tests.statements.conftest import audited

PARTIES_AND_AUDITOR = ("ector-isd", "bright-tutors", "tx-state-audit")
STRANGERS = ("other-isd", "other-vendor", "other-audit")


def test_parties_and_the_granted_auditor_read_a_statement_with_its_etag(client, world, desk, feeds):
    draft = desk.draft("2027-02-01")
    for org in PARTIES_AND_AUDITOR:
        response = client.get(f"/v1/statements/{draft['id']}", headers=world.headers[org])
        assert response.status_code == 200, org
        assert response.json()["lines"] == draft["lines"]
        assert response.headers["ETag"]


def test_strangers_are_told_the_statement_does_not_exist(client, world, desk, feeds):
    draft = desk.draft("2027-02-01")
    for org in STRANGERS:
        response = client.get(f"/v1/statements/{draft['id']}", headers=world.headers[org])
        assert response.status_code == 404, org
    assert (
        client.get("/v1/statements/no-such-id", headers=world.headers["ector-isd"]).status_code
        == 404
    )


def test_the_contract_lists_its_statements(client, world, desk, feeds):
    first = desk.approve(desk.draft("2027-02-01")["id"])
    second = desk.draft("2027-03-01")
    for org in PARTIES_AND_AUDITOR:
        listed = desk.call("GET", "/v1/contracts/ector-hdt-2026/statements", org, 200)
        assert [(s["id"], s["status"]) for s in listed] == [
            (first["id"], "approved"),
            (second["id"], "draft"),
        ]
        assert listed[0]["total_due"] == "1450.00"
    for org in STRANGERS:
        response = client.get("/v1/contracts/ector-hdt-2026/statements", headers=world.headers[org])
        assert response.status_code == 404, org


def test_approval_makes_the_statement_approved_and_numbers_it(desk, feeds, db_session):
    draft = desk.draft("2027-02-01")
    approved = desk.approve(draft["id"])
    assert approved["status"] == "approved"
    assert approved["approval_number"] == 1
    assert approved["approved_at"] is not None
    assert [(h["status"], h["by"]) for h in approved["history"]] == [
        ("draft", "ector-isd"),
        ("approved", "ector-isd"),
    ]
    assert approved["lines"] == draft["lines"]
    assert [e.object_id for e in audited(db_session, "statement.approved")] == [draft["id"]]


def test_approving_twice_is_refused(desk, approved_statement):
    desk.call(
        "POST", f"/v1/statements/{approved_statement['id']}/approve", "ector-isd:approver", 409
    )


def test_only_the_district_approves(client, world, desk, feeds):
    draft = desk.draft("2027-02-01")
    for org in ("bright-tutors", "tx-state-audit"):
        response = client.post(f"/v1/statements/{draft['id']}/approve", headers=world.headers[org])
        assert response.status_code == 403, org
    for org in STRANGERS:
        response = client.post(f"/v1/statements/{draft['id']}/approve", headers=world.headers[org])
        assert response.status_code == 404, org
    assert desk.call("GET", f"/v1/statements/{draft['id']}", "ector-isd", 200)["status"] == "draft"


def test_approving_a_stale_draft_is_refused_with_a_hint_to_redraft(desk, feeds):
    draft = desk.draft("2027-02-01")
    feeds.correct_usage()  # the data changed after drafting
    refused = desk.call("POST", f"/v1/statements/{draft['id']}/approve", "ector-isd:approver", 409)
    assert refused["hint"] == "redraft"
    assert refused["fingerprint"] == draft["fingerprint"]
    assert refused["current_fingerprint"] != draft["fingerprint"]
    # The fresh draft, made on the corrected data, can be approved.
    assert desk.approve(desk.draft("2027-02-01")["id"])["status"] == "approved"


def test_a_contract_amendment_makes_earlier_drafts_stale(client, world, desk, feeds, definition):
    draft = desk.draft("2027-02-01")
    # In force from before the draft's as_of: the draft no longer says what is owed.
    client.put(
        "/v1/contracts/ector-hdt-2026",
        json=definition(title="v2") | {"effective": "2027-01-01"},
        headers=world.headers["ector-isd"],
    )
    client.post("/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"])
    refused = desk.call("POST", f"/v1/statements/{draft['id']}/approve", "ector-isd:approver", 409)
    assert refused["hint"] == "redraft"
    assert desk.draft("2027-02-01")["version"] == 2


def test_a_draft_made_before_another_approval_cannot_be_approved(desk, feeds):
    # Both drafts bill base 1000.00 + fidelity 450.00 as if nothing were billed before;
    # approving both would bill 2900.00 for 1450.00 of work.
    first = desk.draft("2027-02-01")
    second = desk.draft("2027-02-01")
    desk.approve(first["id"])
    refused = desk.call("POST", f"/v1/statements/{second['id']}/approve", "ector-isd:approver", 409)
    assert refused["hint"] == "redraft"
    # Redrafted, it bills nothing new: 1000 − 1000 = 0 and 450 − 450 = 0.
    redrafted = desk.draft("2027-02-01")
    assert [line["due"] for line in redrafted["lines"]] == ["0.00", "0.00"]
    assert [line["previously_billed"] for line in redrafted["lines"]] == ["1000.00", "450.00"]


def test_approve_with_a_matching_if_match_succeeds_and_a_stale_one_is_refused(
    client, world, desk, feeds
):
    draft = desk.draft("2027-02-01")
    etag = client.get(f"/v1/statements/{draft['id']}", headers=world.headers["ector-isd"]).headers[
        "ETag"
    ]
    wrong = client.post(
        f"/v1/statements/{draft['id']}/approve",
        headers={**world.headers["ector-isd:approver"], "If-Match": '"not-the-etag"'},
    )
    assert wrong.status_code == 412
    assert wrong.json()["etag"] == etag
    right = client.post(
        f"/v1/statements/{draft['id']}/approve",
        headers={**world.headers["ector-isd:approver"], "If-Match": etag},
    )
    assert right.status_code == 200
    assert right.headers["ETag"] != etag


def test_a_draft_can_be_voided_and_then_neither_approved_nor_voided_again(desk, feeds, db_session):
    draft = desk.draft("2027-02-01")
    voided = desk.call("POST", f"/v1/statements/{draft['id']}/void", "ector-isd", 200)
    assert voided["status"] == "voided"
    assert [h["status"] for h in voided["history"]] == ["draft", "voided"]
    desk.call("POST", f"/v1/statements/{draft['id']}/approve", "ector-isd:approver", 409)
    desk.call("POST", f"/v1/statements/{draft['id']}/void", "ector-isd", 409)
    assert [e.object_id for e in audited(db_session, "statement.voided")] == [draft["id"]]


def test_an_approved_statement_cannot_be_voided(desk, approved_statement):
    refused = desk.call("POST", f"/v1/statements/{approved_statement['id']}/void", "ector-isd", 409)
    assert "never changes" in refused["detail"]


def test_only_the_district_voids(client, world, desk, feeds):
    draft = desk.draft("2027-02-01")
    for org in ("bright-tutors", "tx-state-audit"):
        response = client.post(f"/v1/statements/{draft['id']}/void", headers=world.headers[org])
        assert response.status_code == 403, org
    for org in STRANGERS:
        response = client.post(f"/v1/statements/{draft['id']}/void", headers=world.headers[org])
        assert response.status_code == 404, org

"""Approving a statement (SPEC §3): the approver is never whoever drafted it; an open dispute
blocks approval unless an override reason is given; an upheld dispute sends the draft back;
an indeterminate line is held for review and never claws back what was billed."""

from __future__ import annotations

from app.organisations.models import Role
from tests.statements.conftest import audited

DRAFT = "/v1/contracts/ector-hdt-2026/statements"


def approve(client, statement_id, headers, **body):
    return client.post(f"/v1/statements/{statement_id}/approve", json=body or None, headers=headers)


def dispute(client, world, statement_id, line="fidelity"):
    response = client.post(
        f"/v1/statements/{statement_id}/disputes",
        json={"line": line, "reason": "Our logs show 9 of 12 students above 900 minutes."},
        headers=world.headers["bright-tutors:preparer"],
    )
    assert response.status_code == 201, response.text
    return response.json()


def resolve(client, world, dispute_id, outcome, expect=200):
    response = client.post(
        f"/v1/disputes/{dispute_id}/resolve",
        json={"outcome": outcome, "note": "Checked against the SIS."},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_a_draft_names_who_drafted_it_and_the_audit_head(client, world, feeds, db_session):
    drafted = client.post(
        DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd:preparer"]
    ).json()
    assert drafted["drafted_by"] == (
        "Preparer Preparer of ector-isd <preparer.preparer@ector-isd.test>"
    )
    (entry,) = audited(db_session, "statement.drafted")
    assert drafted["audit_head"] == entry.previous_hash
    assert drafted["history"][0]["actor"] == drafted["drafted_by"]


def test_the_person_who_drafted_a_statement_cannot_approve_it(client, world, feeds):
    drafted = client.post(DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd"])
    refused = approve(client, drafted.json()["id"], world.headers["ector-isd"])
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "drafted this statement, so cannot approve it" in refused.json()["detail"]
    assert refused.json()["drafted_by"] == drafted.json()["drafted_by"]
    approved = approve(client, drafted.json()["id"], world.headers["ector-isd:approver"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == (
        "Approver Approver of ector-isd <approver.approver@ector-isd.test>"
    )


def test_a_system_cannot_approve_what_it_drafted_even_with_another_key(client, world, feeds):
    first = world.system("ector-isd", "finance-bot", Role.approver)
    second = world.system("ector-isd", "finance-bot", Role.approver)
    drafted = client.post(DRAFT, json={"as_of": "2027-02-01"}, headers=first).json()
    assert drafted["drafted_by"] == "system finance-bot"
    assert approve(client, drafted["id"], second).status_code == 403
    assert approve(client, drafted["id"], world.headers["ector-isd"]).status_code == 200


def test_an_open_dispute_blocks_approval_until_it_is_resolved(client, world, feeds, db_session):
    drafted = client.post(
        DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd:preparer"]
    ).json()
    opened = dispute(client, world, drafted["id"])
    assert opened["opened_by"].startswith("Preparer Preparer of bright-tutors")
    blocked = approve(client, drafted["id"], world.headers["ector-isd"])
    assert blocked.status_code == 409
    assert "open" in blocked.json()["detail"] and "fidelity" in blocked.json()["detail"]
    assert blocked.json()["open_disputes"] == [opened["id"]]

    resolved = resolve(client, world, opened["id"], "rejected")
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "rejected")
    assert resolved["resolved_by"].startswith("First Approver of ector-isd")
    shown = client.get(
        f"/v1/statements/{drafted['id']}", headers=world.headers["bright-tutors"]
    ).json()
    assert shown["disputes"][0]["outcome"] == "rejected"
    assert [line["disputed"] for line in shown["lines"]] == [False, False]

    approved = approve(client, drafted["id"], world.headers["ector-isd"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["override_reason"] is None
    (entry,) = audited(db_session, "dispute.resolved")
    assert '"outcome":"rejected"' in entry.details


def test_an_override_reason_approves_over_an_open_dispute_and_is_recorded(
    client, world, feeds, db_session
):
    drafted = client.post(
        DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd:preparer"]
    ).json()
    opened = dispute(client, world, drafted["id"])
    blank = approve(client, drafted["id"], world.headers["ector-isd"], override_reason="  ")
    assert blank.status_code == 409
    reason = "Board deadline; the dispute is reviewed with the next statement."
    approved = approve(client, drafted["id"], world.headers["ector-isd"], override_reason=reason)
    assert approved.status_code == 200, approved.text
    assert approved.json()["override_reason"] == reason
    assert approved.json()["disputes"][0]["status"] == "open"  # still to be resolved
    (entry,) = audited(db_session, "statement.approved")
    assert reason in entry.details and opened["id"] in entry.details


def test_an_upheld_dispute_sends_the_draft_back_to_be_redrafted(client, world, feeds):
    drafted = client.post(
        DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd:preparer"]
    ).json()
    opened = dispute(client, world, drafted["id"])
    resolve(client, world, opened["id"], "upheld")
    refused = approve(client, drafted["id"], world.headers["ector-isd"], override_reason="x")
    assert refused.status_code == 409
    assert refused.json()["hint"] == "redraft"
    assert "upheld" in refused.json()["detail"]


def test_a_dispute_is_resolved_once_by_the_districts_approver_only(client, world, feeds):
    drafted = client.post(
        DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd:preparer"]
    ).json()
    opened = dispute(client, world, drafted["id"])
    url = f"/v1/disputes/{opened['id']}/resolve"
    body = {"outcome": "rejected", "note": "n"}
    assert client.post(url, json=body, headers=world.headers["other-isd"]).status_code == 404
    assert client.post(url, json=body, headers=world.headers["bright-tutors"]).status_code == 403
    assert (
        client.post(url, json=body, headers=world.headers["ector-isd:preparer"]).status_code == 403
    )
    bad = client.post(
        url, json={"outcome": "maybe", "note": "n"}, headers=world.headers["ector-isd"]
    )
    assert bad.status_code == 422
    resolve(client, world, opened["id"], "rejected")
    resolve(client, world, opened["id"], "upheld", expect=409)
    resolve(client, world, "no-such-dispute", "upheld", expect=404)


def test_a_line_that_turns_indeterminate_is_held_for_review_not_clawed_back(
    client, world, feeds, desk
):
    first = desk.approve(desk.draft("2027-02-01")["id"])
    fidelity = next(line for line in first["lines"] if line["tranche"] == "fidelity")
    assert fidelity["due"] == "450.00"
    # The roster is corrected to one grade-6 student: the population is empty, so the
    # dosage rate is insufficient and fidelity cannot be decided any more.
    feeds.post("roster", "student_id,grade\nS01,6\n", replaces=feeds.ids["roster"])
    second = desk.draft("2027-03-01")
    held = next(line for line in second["lines"] if line["tranche"] == "fidelity")
    assert (held["status"], held["held_for_review"]) == ("indeterminate", True)
    assert (held["previously_billed"], held["due"]) == ("450.00", "0.00")
    assert "Held for review" in held["explanation"]
    assert "stays billed" in held["explanation"]
    assert second["total_due"] == "0.00"


def test_a_service_that_cannot_sign_refuses_to_approve_and_changes_nothing(
    client, world, feeds, db_session
):
    drafted = client.post(DRAFT, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd"])
    keyring = db_session.info.pop("tranche.keyring")  # as if started without a signing key
    refused = approve(client, drafted.json()["id"], world.headers["ector-isd:approver"])
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("No statement can be approved here.")
    assert "TRANCHE_SIGNING_KEY_FILE" in refused.json()["detail"]
    read = client.get(f"/v1/statements/{drafted.json()['id']}", headers=world.headers["ector-isd"])
    assert read.json()["status"] == "draft"
    assert audited(db_session, "statement.approved") == []
    db_session.info["tranche.keyring"] = keyring
    approved = approve(client, drafted.json()["id"], world.headers["ector-isd:approver"])
    assert approved.status_code == 200, approved.text

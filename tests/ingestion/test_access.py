"""Who may post and read batches (SPEC §3): districts post roster and assessments, vendors
post usage, parties and granted auditors read the history; nobody else sees anything."""

from __future__ import annotations

import pytest

from tests.ingestion.conftest import ASSESSMENTS_CSV, ROSTER_CSV, USAGE_CSV

CONTENT = {"roster": ROSTER_CSV, "assessments": ASSESSMENTS_CSV, "usage": USAGE_CSV}


def test_posting_to_a_proposed_contract_is_a_conflict(client, world, definition, post, stored):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    response = post("roster", ROSTER_CSV)
    assert response.status_code == 409
    assert "proposed" in response.json()["detail"]
    assert stored()["batches"] == 0


@pytest.mark.parametrize(
    ("feed", "stranger"),
    [("roster", "other-isd"), ("assessments", "other-isd"), ("usage", "other-vendor")],
)
def test_posting_to_someone_elses_contract_is_not_found(roster_batch, post, stored, feed, stranger):
    response = post(feed, CONTENT[feed], as_=stranger)
    assert response.status_code == 404
    assert stored()["batches"] == 1


@pytest.mark.parametrize(
    ("feed", "wrong_role"),
    [
        ("roster", "bright-tutors"),
        ("assessments", "bright-tutors"),
        ("usage", "ector-isd"),
        ("roster", "tx-state-audit"),
        ("assessments", "tx-state-audit"),
        ("usage", "tx-state-audit"),
    ],
)
def test_posting_in_the_wrong_role_is_forbidden(roster_batch, post, stored, feed, wrong_role):
    response = post(feed, CONTENT[feed], as_=wrong_role)
    assert response.status_code == 403
    assert stored()["batches"] == 1


def test_posting_without_a_key_is_unauthenticated(active_contract, client, stored):
    response = client.post(
        f"/v1/contracts/{active_contract}/roster",
        content=ROSTER_CSV,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 401
    assert stored()["batches"] == 0


@pytest.mark.parametrize("reader", ["ector-isd", "bright-tutors", "tx-state-audit"])
def test_parties_and_the_granted_auditor_read_the_history(
    roster_batch, post, client, world, reader
):
    usage = post("usage", USAGE_CSV).json()
    listing = client.get("/v1/contracts/ector-hdt-2026/batches", headers=world.headers[reader])
    assert listing.status_code == 200
    assert [b["id"] for b in listing.json()] == [roster_batch["id"], usage["id"]]
    one = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{usage['id']}", headers=world.headers[reader]
    )
    assert one.json() == usage
    rows = client.get(
        f"/v1/contracts/ector-hdt-2026/batches/{usage['id']}/rows", headers=world.headers[reader]
    )
    assert rows.status_code == 200
    assert rows.text.splitlines()[0].replace('"', "") == "student_id,date,minutes,sessions"


@pytest.mark.parametrize("stranger", ["other-isd", "other-vendor", "other-audit"])
def test_strangers_see_no_history(roster_batch, client, world, stranger):
    base = "/v1/contracts/ector-hdt-2026/batches"
    for path in (base, f"{base}/{roster_batch['id']}", f"{base}/{roster_batch['id']}/rows"):
        assert client.get(path, headers=world.headers[stranger]).status_code == 404


def test_a_batch_is_found_only_under_its_own_contract(roster_batch, client, world, definition):
    other = definition(key="ector-math-2026")
    client.post("/v1/contracts", json=other, headers=world.headers["ector-isd"])
    response = client.get(
        f"/v1/contracts/ector-math-2026/batches/{roster_batch['id']}",
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 404


def test_history_can_be_filtered_by_feed(roster_batch, post, client, world):
    post("usage", USAGE_CSV)
    listing = client.get(
        "/v1/contracts/ector-hdt-2026/batches",
        params={"feed": "usage"},
        headers=world.headers["ector-isd"],
    )
    assert [b["feed"] for b in listing.json()] == ["usage"]


def test_exported_rows_cannot_run_as_spreadsheet_formulas(active_contract, post, client, world):
    content = b'student_id,grade,school_id\n"=HYPERLINK(""http://x"")",3,@SUM(A1)\nS2,4,-1+2\n'
    batch = post("roster", content).json()
    rows = client.get(
        f"/v1/contracts/{active_contract}/batches/{batch['id']}/rows",
        headers=world.headers["ector-isd"],
    )
    text = rows.text
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'-1+2" in text

"""Contract lifecycle over HTTP (SPEC §1 "Lifecycle", §3)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta


def test_district_creates_a_proposed_contract(client, world, definition):
    response = client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "proposed"
    assert body["version_in_force"] is None
    assert body["latest_version"] == 1
    assert body["versions"][0]["definition"]["tranches"][1]["at_least"] == "0.75"


def test_vendor_acceptance_puts_version_one_in_force(client, world, definition):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    response = client.post(
        "/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"]
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["version_in_force"] == 1


def test_amendment_stays_proposed_while_previous_version_stays_in_force(
    client, world, active_contract, definition
):
    amended = definition(title="Amended title", max_total="1500.00")
    response = client.put(
        f"/v1/contracts/{active_contract}", json=amended, headers=world.headers["ector-isd"]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version_in_force"] == 1
    assert body["latest_version"] == 2
    assert [v["status"] for v in body["versions"]] == ["active", "proposed"]

    accepted = client.post(
        f"/v1/contracts/{active_contract}/accept",
        json={"version": 2},
        headers=world.headers["bright-tutors"],
    )
    assert accepted.json()["version_in_force"] == 2
    assert [v["status"] for v in accepted.json()["versions"]] == ["superseded", "active"]
    assert accepted.json()["title"] == "Amended title"


def test_accepting_a_version_that_is_no_longer_the_proposal_is_refused(
    client, world, active_contract, definition
):
    client.put(
        f"/v1/contracts/{active_contract}",
        json=definition(title="v2"),
        headers=world.headers["ector-isd"],
    )
    client.put(
        f"/v1/contracts/{active_contract}",
        json=definition(title="v3"),
        headers=world.headers["ector-isd"],
    )
    response = client.post(
        f"/v1/contracts/{active_contract}/accept",
        json={"version": 2},
        headers=world.headers["bright-tutors"],
    )
    assert response.status_code == 409
    versions = client.get(
        f"/v1/contracts/{active_contract}", headers=world.headers["ector-isd"]
    ).json()["versions"]
    assert [v["status"] for v in versions] == ["active", "withdrawn", "proposed"]


def test_accepting_twice_is_a_conflict(client, world, active_contract):
    response = client.post(
        f"/v1/contracts/{active_contract}/accept", headers=world.headers["bright-tutors"]
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_definition_errors_are_listed_with_their_paths(client, world, definition):
    bad = definition()
    bad["tranches"][1]["metric"] = "dosage_rat"
    bad["tranches"][2]["due"] = "2030-01-01"
    response = client.post("/v1/contracts", json=bad, headers=world.headers["ector-isd"])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    paths = {p["path"] for p in response.json()["problems"]}
    assert {"tranches[1].metric", "tranches[2].due"} <= paths


def test_json_numbers_in_a_definition_stay_exact(client, world, definition):
    raw = json.dumps(definition()).replace('"at_least": "0.75"', '"at_least": 0.1')
    response = client.post(
        "/v1/contracts",
        content=raw,
        headers={**world.headers["ector-isd"], "content-type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["versions"][0]["definition"]["tranches"][1]["at_least"] == "0.1"


def test_a_district_cannot_propose_in_another_districts_name(client, world, definition):
    response = client.post(
        "/v1/contracts", json=definition(district="other-isd"), headers=world.headers["ector-isd"]
    )
    assert response.status_code == 422


def test_unknown_organisations_in_a_definition_are_refused(client, world, definition):
    response = client.post(
        "/v1/contracts",
        json=definition(vendor="nobody", auditors=["ector-isd"]),
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 422
    messages = {p["path"]: p["message"] for p in response.json()["problems"]}
    assert "unknown organisation 'nobody'" in messages["vendor"]
    assert "not a auditor" in messages["auditors[0]"] or "not an auditor" in messages["auditors[0]"]


def test_duplicate_contract_key_is_a_conflict(client, world, active_contract, definition):
    response = client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    assert response.status_code == 409


def test_list_shows_only_what_the_caller_may_see(client, world, active_contract):
    for org, expected in [
        ("ector-isd", ["ector-hdt-2026"]),
        ("bright-tutors", ["ector-hdt-2026"]),
        ("tx-state-audit", ["ector-hdt-2026"]),
        ("other-isd", []),
        ("other-vendor", []),
        ("other-audit", []),
    ]:
        listed = client.get("/v1/contracts", headers=world.headers[org])
        assert listed.status_code == 200
        assert [c["key"] for c in listed.json()] == expected, org


def test_timestamps_carry_their_utc_zone_on_every_database(client, world, active_contract):
    version = client.get(
        f"/v1/contracts/{active_contract}", headers=world.headers["ector-isd"]
    ).json()["versions"][0]
    for moment in (version["proposed_at"], version["accepted_at"]):
        parsed = datetime.fromisoformat(moment)
        assert parsed.utcoffset() == timedelta(0), moment

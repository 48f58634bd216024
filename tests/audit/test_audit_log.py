"""GET /v1/audit-log: who sees which entries, filters, cursor pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _entries(client, headers, **params):  # type: ignore[no-untyped-def]
    response = client.get("/v1/audit-log", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def test_district_sees_its_contract_entries_in_chain_order(client, world, active_contract):
    entries = _entries(client, world.headers["ector-isd"])
    assert [e["action"] for e in entries] == ["contract.proposed", "contract.accepted"]
    proposed, accepted = entries
    assert proposed["organisation"] == "ector-isd"
    assert accepted["organisation"] == "bright-tutors"
    assert accepted["contract"] == active_contract
    assert accepted["details"]["version"] == 1
    assert accepted["previous_hash"] == proposed["entry_hash"]
    assert accepted["api_key_id"] is not None
    assert accepted["recorded_at"].endswith("Z") or accepted["recorded_at"].endswith("+00:00")


def test_district_does_not_see_another_districts_entries(
    client, world, active_contract, foreign_contract
):
    contracts = {e["contract"] for e in _entries(client, world.headers["ector-isd"])}
    assert contracts == {active_contract}
    foreign = {e["contract"] for e in _entries(client, world.headers["other-isd"])}
    assert foreign == {foreign_contract}


def test_operator_entries_without_a_contract_are_not_shown(client, world):
    # world's organisations and keys were created by the operator: no contract, no organisation.
    assert _entries(client, world.headers["ector-isd"]) == []
    assert _entries(client, world.headers["tx-state-audit"]) == []


def test_auditor_sees_entries_of_contracts_naming_it(
    client, world, active_contract, foreign_contract
):
    contracts = {e["contract"] for e in _entries(client, world.headers["tx-state-audit"])}
    assert contracts == {active_contract}


def test_auditor_not_named_sees_nothing_of_the_contract(client, world, active_contract):
    assert _entries(client, world.headers["other-audit"]) == []


def test_vendor_may_not_read_the_audit_log(client, world, active_contract):
    response = client.get("/v1/audit-log", headers=world.headers["bright-tutors"])
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_unauthenticated_caller_is_refused(client, world):
    assert client.get("/v1/audit-log").status_code == 401
    assert client.get("/v1/audit-log/verify").status_code == 401


def test_filter_by_contract(client, world, active_contract, foreign_contract):
    entries = _entries(client, world.headers["ector-isd"], contract=active_contract)
    assert entries and {e["contract"] for e in entries} == {active_contract}


def test_filter_by_a_foreign_contract_answers_not_found(
    client, world, active_contract, foreign_contract
):
    for org in ("ector-isd", "tx-state-audit"):
        response = client.get(
            "/v1/audit-log", params={"contract": foreign_contract}, headers=world.headers[org]
        )
        assert response.status_code == 404, org
    unknown = client.get(
        "/v1/audit-log", params={"contract": "no-such"}, headers=world.headers["ector-isd"]
    )
    assert unknown.status_code == 404


def test_filter_by_action(client, world, amended_contract):
    entries = _entries(client, world.headers["tx-state-audit"], action="contract.amended")
    assert [e["details"]["version"] for e in entries] == [2, 3, 4]


def test_filter_by_time(client, world, active_contract):
    everything = _entries(client, world.headers["ector-isd"])
    first_moment = datetime.fromisoformat(everything[0]["recorded_at"].replace("Z", "+00:00"))
    later = (first_moment + timedelta(hours=1)).isoformat()
    earlier = (first_moment - timedelta(hours=1)).isoformat()
    assert _entries(client, world.headers["ector-isd"], since=later) == []
    assert len(_entries(client, world.headers["ector-isd"], since=earlier)) == len(everything)
    assert _entries(client, world.headers["ector-isd"], until=earlier) == []
    assert len(_entries(client, world.headers["ector-isd"], until=later)) == len(everything)


def test_naive_times_are_read_as_utc(client, world, active_contract):
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    assert _entries(client, world.headers["ector-isd"], since=tomorrow) == []


def test_pagination_never_skips_or_repeats_an_entry(client, world, amended_contract):
    headers = world.headers["ector-isd"]
    everything = [e["id"] for e in _entries(client, headers, limit=1000)]
    assert len(everything) == 5  # proposed, accepted, three amendments
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = client.get("/v1/audit-log", params=params, headers=headers).json()
        assert len(body["entries"]) <= 2
        seen.extend(e["id"] for e in body["entries"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert pages == 3


def test_an_entry_recorded_while_paging_appears_on_a_later_page(
    client, world, active_contract, definition
):
    headers = world.headers["ector-isd"]
    first = client.get("/v1/audit-log", params={"limit": 1}, headers=headers).json()
    client.put(f"/v1/contracts/{active_contract}", json=definition(title="v2"), headers=headers)
    rest = client.get(
        "/v1/audit-log", params={"limit": 100, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    actions = [e["action"] for e in first["entries"] + rest["entries"]]
    assert actions == ["contract.proposed", "contract.accepted", "contract.amended"]


def test_a_bad_cursor_is_invalid_input(client, world, active_contract):
    for bad in ("nonsense", "eyJhZnRlciI6ICJ4In0", "!!!"):
        response = client.get(
            "/v1/audit-log", params={"cursor": bad}, headers=world.headers["ector-isd"]
        )
        assert response.status_code == 422, bad


def test_limit_outside_bounds_is_invalid_input(client, world):
    for limit in (0, 1001):
        response = client.get(
            "/v1/audit-log", params={"limit": limit}, headers=world.headers["ector-isd"]
        )
        assert response.status_code == 422

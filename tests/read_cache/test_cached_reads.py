"""Repeated reads come from memory, and never once the ledger or the day has changed.

The suite's `app` reads the ledger version through the test's own transaction, so these run
the middleware exactly as production does, on uncommitted test data.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock
from app.contracts import service as contracts
from app.organisations import service as organisations


@pytest.fixture
def contract_reads(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts how often the contract route really runs."""
    calls: list[str] = []
    real = contracts.get_contract

    def counted(session, *, principal, key):  # type: ignore[no-untyped-def]
        calls.append(key)
        return real(session, principal=principal, key=key)

    monkeypatch.setattr(contracts, "get_contract", counted)
    return calls


def test_a_repeated_read_is_answered_without_running_the_route(
    active_contract, client, world, contract_reads
):
    first = client.get(f"/v1/contracts/{active_contract}", headers=world.headers["ector-isd"])
    again = client.get(f"/v1/contracts/{active_contract}", headers=world.headers["ector-isd"])
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert contract_reads == [active_contract]


def test_any_change_to_the_ledger_is_seen_by_the_next_read(
    active_contract, client, world, definition, contract_reads
):
    path = f"/v1/contracts/{active_contract}"
    assert client.get(path, headers=world.headers["ector-isd"]).json()["latest_version"] == 1
    amended = client.put(path, json=definition(title="Amended"), headers=world.headers["ector-isd"])
    assert amended.status_code == 200, amended.text
    assert client.get(path, headers=world.headers["ector-isd"]).json()["latest_version"] == 2
    assert len(contract_reads) == 2


def test_another_organisation_never_gets_a_kept_answer(active_contract, client, world):
    path = f"/v1/contracts/{active_contract}"
    assert client.get(path, headers=world.headers["ector-isd"]).status_code == 200
    assert client.get(path, headers=world.headers["other-isd"]).status_code == 404
    assert client.get(path, headers=world.headers["other-vendor"]).status_code == 404


def test_a_revoked_key_is_refused_even_after_its_reads_were_kept(
    active_contract, client, world, db_session
):
    path = f"/v1/contracts/{active_contract}"
    headers = world.headers["ector-isd"]
    assert client.get(path, headers=headers).status_code == 200
    prefix = headers["Authorization"].removeprefix("Bearer ").split("_")[1]
    organisations.revoke_api_key(db_session, prefix=prefix)
    refused = client.get(path, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_refusal_is_not_kept(client, world, definition):
    headers = world.headers["ector-isd"]
    assert client.get("/v1/contracts/ector-hdt-2026", headers=headers).status_code == 404
    client.post("/v1/contracts", json=definition(), headers=headers)
    assert client.get("/v1/contracts/ector-hdt-2026", headers=headers).status_code == 200


def test_a_read_that_is_logged_is_never_answered_from_memory(active_contract, client, world):
    headers = world.headers["tx-state-audit"]
    for _ in range(2):
        assert client.get(f"/v1/contracts/{active_contract}/report", headers=headers).is_success
    log = client.get(f"/v1/contracts/{active_contract}/report/reads", headers=headers)
    assert log.status_code == 200, log.text
    assert len(log.json()) == 2


def test_a_new_day_is_a_new_answer(active_contract, client, world, monkeypatch):
    """The evaluation's default as_of is today: yesterday's answer must not be served."""
    path = f"/v1/contracts/{active_contract}/evaluation"
    headers = world.headers["ector-isd"]
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2027, 1, 30, 23, 59, tzinfo=UTC))
    assert client.get(path, headers=headers).json()["as_of"] == "2027-01-30"
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2027, 1, 31, 0, 1, tzinfo=UTC))
    assert client.get(path, headers=headers).json()["as_of"] == "2027-01-31"


def test_conditional_requests_go_to_the_route(active_contract, client, world, contract_reads):
    path = f"/v1/contracts/{active_contract}"
    headers = world.headers["ector-isd"]
    client.get(path, headers=headers)
    client.get(path, headers={**headers, "If-None-Match": '"x"'})
    assert contract_reads == [active_contract, active_contract]

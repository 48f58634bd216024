"""A key that authenticated is not looked up again until a key, a person or an organisation
changes — and then at once, however the change was made (app/admission/known_keys.py, the
access epoch of migration 20261202_access_epoch).

These run in the suite's transaction (the app reads the access epoch through it), on SQLite
or PostgreSQL; tests/read_cache/test_ledger_version.py proves the same on committed data
changed from another connection.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.admission import middleware
from app.organisations import people
from app.organisations import service as organisations
from app.organisations.models import Role
from app.principal import Principal


@pytest.fixture
def lookups(monkeypatch):  # type: ignore[no-untyped-def]
    """The callers admission looked up in the database, in order."""
    found: list[Principal | None] = []
    real = middleware.resolve_principal

    def counted(session, headers, authenticators):  # type: ignore[no-untyped-def]
        principal = real(session, headers, authenticators)
        found.append(principal)
        return principal

    monkeypatch.setattr(middleware, "resolve_principal", counted)
    return found


def prefix_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ").split("_")[1]


def test_a_known_key_is_not_looked_up_again_while_nothing_about_callers_changed(
    client, world, lookups, definition
):
    headers = world.headers["ector-isd"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    # A ledger change that is not about callers (a contract proposed) keeps the key known.
    assert client.post("/v1/contracts", json=definition(), headers=headers).status_code == 201
    assert client.get("/v1/contracts", headers=headers).json()[0]["key"] == "ector-hdt-2026"
    assert [principal.organisation_key for principal in lookups] == ["ector-isd"]


def test_a_key_revoked_by_hand_in_sql_is_refused_on_its_next_request(
    client, world, db_session, lookups
):
    """No service, no audit entry: the trigger moves the epoch all the same."""
    headers = world.headers["ector-isd"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    db_session.execute(
        text("UPDATE api_keys SET revoked_at = created_at WHERE prefix = :prefix"),
        {"prefix": prefix_of(headers)},
    )
    assert client.get("/v1/contracts", headers=headers).status_code == 401
    assert len(lookups) == 2 and lookups[-1] is None


def test_a_disabled_person_is_refused_on_the_next_request(client, world, db_session):
    headers = world.headers["ector-isd:viewer"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    people.disable_person(db_session, email="viewer.viewer@ector-isd.test")
    assert client.get("/v1/contracts", headers=headers).status_code == 401


def test_a_revoked_key_is_refused_while_other_keys_of_its_organisation_still_work(
    client, world, db_session
):
    revoked, other = world.headers["ector-isd"], world.headers["ector-isd:viewer"]
    for headers in (revoked, other):
        assert client.get("/v1/contracts", headers=headers).status_code == 200
    organisations.revoke_api_key(db_session, prefix=prefix_of(revoked))
    assert client.get("/v1/contracts", headers=revoked).status_code == 401
    assert client.get("/v1/contracts", headers=other).status_code == 200


def test_a_role_changed_in_sql_applies_to_the_next_request(client, world, db_session, definition):
    """The principal kept carries the role; a change to it must not be served stale."""
    headers = world.system("ector-isd", "sis", Role.approver)
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    db_session.execute(
        text("UPDATE api_keys SET role = 'viewer' WHERE prefix = :prefix"),
        {"prefix": prefix_of(headers)},
    )
    proposed = client.post("/v1/contracts", json=definition(), headers=headers)
    assert proposed.status_code == 403, proposed.text


def test_a_key_is_known_only_by_its_whole_secret(client, world):
    headers = world.headers["ector-isd"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    forged = {"Authorization": headers["Authorization"][:-1] + "x"}
    assert client.get("/v1/contracts", headers=forged).status_code == 401

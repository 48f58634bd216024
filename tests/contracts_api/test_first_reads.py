"""A contract's first read (after any change to the ledger, or with the read cache off) is
one query, however many versions and auditors it has: each query more is a round trip and the
ORM's per-query overhead on every first read (issue #17, goal 4)."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.read_cache.ledger import SNAPSHOT
from tests.statements_run import statements_run

HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"read_cache_bytes": 0})  # every read a first read


def test_a_contract_read_costs_one_query_however_many_versions_and_auditors(
    client, world, definition, active_contract, db_session
):
    district, vendor = world.headers["ector-isd"], world.headers["bright-tutors"]
    url = f"/v1/contracts/{active_contract}"

    def queries_for_read() -> tuple[int, dict]:  # type: ignore[type-arg]
        db_session.expire_all()  # as a request's own session would: nothing loaded yet
        seen.clear()
        response = client.get(url, headers=district)
        assert response.status_code == 200, response.text
        # Besides the ledger snapshot admission reads (one shared by the requests waiting),
        # and the savepoints of the tests' own session (tests/conftest.py `app`).
        queries = [s for s in seen if s != SNAPSHOT and not s.startswith(HARNESS)]
        return len(queries), response.json()

    with statements_run() as seen:
        bare, first = queries_for_read()
        auditors = ["tx-state-audit", "other-audit"]
        for title in ("Amended once", "Amended twice"):
            amended = definition(title=title, auditors=auditors)
            assert client.put(url, json=amended, headers=district).status_code == 200
            assert client.post(f"{url}/accept", headers=vendor).status_code == 200
        busy, amended_read = queries_for_read()
    assert [v["version"] for v in first["versions"]] == [1]
    assert [v["version"] for v in amended_read["versions"]] == [1, 2, 3]
    assert [v["status"] for v in amended_read["versions"]] == ["superseded", "superseded", "active"]
    assert amended_read["title"] == "Amended twice"
    assert sorted(amended_read["auditors"]) == sorted(auditors)
    assert bare == busy == 1

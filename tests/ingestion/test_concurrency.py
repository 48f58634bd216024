"""The same batch posted twice at the same moment is stored once (SPEC §2), and one batch
can be replaced only once, even by simultaneous corrections.

Real concurrent requests on PostgreSQL: each thread has its own app and engine and commits for
real (not the rollback fixture), so the contract's row lock is what decides. Organisations and
contract get keys no other test uses; the throwaway test database keeps them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.ingestion.models import Batch, usage_rows
from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from tests.ingestion.conftest import ROSTER_CSV, USAGE_CSV
from tests.races import race

pytestmark = pytest.mark.postgres_only


@dataclass
class Live:
    settings: Any
    engine: Any
    contract: str
    headers: dict[str, dict[str, str]]

    def post(self, feed: str, content: bytes, org: str, **params: str) -> Any:
        return self.race([(feed, content, org, params)])[0]

    def race(self, posts: list[tuple[str, bytes, str, dict[str, str]]]) -> list[Any]:
        """Send every post at the same moment, each from its own app; their responses."""

        def send(client: TestClient, post: tuple[str, bytes, str, dict[str, str]]) -> Any:
            feed, content, org, params = post
            return client.post(
                f"/v1/contracts/{self.contract}/{feed}",
                content=content,
                params=params,
                headers={**self.headers[org], "Content-Type": "text/csv"},
            )

        return race(self.settings, send, posts)

    def counts(self) -> tuple[int, int]:
        with Session(self.engine) as session:
            ours = (
                select(Batch.id)
                .join(Contract, Contract.id == Batch.contract_id)
                .where(Contract.key == self.contract)
            )
            batches = session.execute(select(func.count()).select_from(ours.subquery()))
            rows = session.execute(
                select(func.count()).select_from(usage_rows).where(usage_rows.c.batch_id.in_(ours))
            )
            return batches.scalar_one(), rows.scalar_one()


@pytest.fixture
def live(settings, migrated_engine, definition) -> Live:  # type: ignore[no-untyped-def]
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer anyway")
    suffix = uuid.uuid4().hex[:8]
    district, vendor = f"race-isd-{suffix}", f"race-vendor-{suffix}"
    headers = {}
    with Session(migrated_engine) as session:
        for key, kind in ((district, OrganisationKind.district), (vendor, OrganisationKind.vendor)):
            organisations.create_organisation(session, key=key, kind=kind)
            _, secret = organisations.create_api_key(
                session, organisation_key=key, system_name="tests", role=Role.approver
            )
            headers[key] = {"Authorization": f"Bearer {secret}"}
    contract = f"race-{suffix}"
    document = definition(key=contract, district=district, vendor=vendor, auditors=[])
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.post("/v1/contracts", json=document, headers=headers[district]).is_success
        accepted = client.post(f"/v1/contracts/{contract}/accept", headers=headers[vendor])
        assert accepted.status_code == 200, accepted.text
    app.state.engine.dispose()
    world = Live(
        settings,
        migrated_engine,
        contract,
        {"district": headers[district], "vendor": headers[vendor]},
    )
    assert world.post("roster", ROSTER_CSV, "district").status_code == 201
    return world


def test_identical_content_posted_at_once_is_stored_once(live):
    responses = live.race([("usage", USAGE_CSV, "vendor", {})] * 2)
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert live.counts() == (2, 3)


def test_one_batch_replaced_by_two_corrections_at_once_is_replaced_once(live):
    old = live.post("usage", USAGE_CSV, "vendor").json()
    corrections = [
        ("usage", b"student_id,date,minutes\nS2,2026-09-02,1\n", "vendor", {"replaces": old["id"]}),
        ("usage", b"student_id,date,minutes\nS2,2026-09-02,2\n", "vendor", {"replaces": old["id"]}),
    ]
    responses = live.race(corrections)
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert live.counts() == (3, 4)

"""Two simultaneous approvals or payments on one statement cannot both succeed (issue #5 §5).

Real concurrent requests on PostgreSQL: each thread has its own app, engine and sessions and
commits for real (not the rollback fixture), so the row locks are what decides. The
organisations and the contract get keys no other test uses; the throwaway database keeps them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from tests.races import race

pytestmark = pytest.mark.postgres_only


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None


@dataclass
class Live:
    """A contract between freshly made organisations, committed for real."""

    settings: Any
    district: dict[str, str]
    approver: dict[str, str]  # another system than the district's drafter (SPEC §3)
    contract: str

    def request(self, call: Call) -> Any:
        app = create_app(self.settings)
        try:
            with TestClient(app, raise_server_exceptions=False) as client:
                return client.request(call.method, call.url, headers=call.headers, json=call.json)
        finally:
            app.state.engine.dispose()

    def race(self, calls: list[Call]) -> list[int]:
        """Send every call at the same moment, each from its own app; their status codes."""

        def send(client: TestClient, call: Call) -> int:
            response = client.request(call.method, call.url, headers=call.headers, json=call.json)
            return response.status_code

        return race(self.settings, send, calls)

    def draft(self) -> dict[str, Any]:
        # As of 2026-12-01 only base (fixed 1000.00, due 2026-10-01) is due: 1000.00, no data.
        url = f"/v1/contracts/{self.contract}/statements"
        response = self.request(Call("POST", url, self.district, {"as_of": "2026-12-01"}))
        assert response.status_code == 201, response.text
        assert response.json()["total_due"] == "1000.00"
        return response.json()  # type: ignore[no-any-return]

    def get(self, statement_id: str) -> Any:
        return self.request(Call("GET", f"/v1/statements/{statement_id}", self.district))


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
        _, secret = organisations.create_api_key(
            session, organisation_key=district, system_name="approver", role=Role.approver
        )
    contract = f"race-{suffix}"
    world = Live(
        settings=settings,
        district=headers[district],
        approver={"Authorization": f"Bearer {secret}"},
        contract=contract,
    )
    document = definition(key=contract, district=district, vendor=vendor, auditors=[])
    created = world.request(Call("POST", "/v1/contracts", headers[district], document))
    assert created.status_code == 201, created.text
    accepted = world.request(Call("POST", f"/v1/contracts/{contract}/accept", headers[vendor]))
    assert accepted.status_code == 200, accepted.text
    return world


def payment(amount: str) -> dict[str, str]:
    return {"amount": amount, "paid_on": "2026-11-15", "reference": f"CHK-{amount}"}


def approve(live: Live, statement_id: str, **headers: str) -> Call:
    return Call("POST", f"/v1/statements/{statement_id}/approve", live.approver | headers)


def test_two_simultaneous_approvals_of_one_draft_approve_it_once(live):
    draft = live.draft()
    statuses = live.race([approve(live, draft["id"]), approve(live, draft["id"])])
    assert sorted(statuses) == [200, 409]
    assert live.get(draft["id"]).json()["approval_number"] == 1


def test_two_drafts_approved_at_once_cannot_both_bill_the_same_work(live):
    first, second = live.draft(), live.draft()
    statuses = live.race([approve(live, first["id"]), approve(live, second["id"])])
    assert sorted(statuses) == [200, 409]
    states = {live.get(s["id"]).json()["status"] for s in (first, second)}
    assert states == {"approved", "draft"}


def test_two_simultaneous_payments_cannot_overpay(live):
    # 1000.00 outstanding; 600.00 + 600.00 = 1200.00 would overpay by 200.00.
    draft = live.draft()
    assert live.request(approve(live, draft["id"])).status_code == 200
    url = f"/v1/statements/{draft['id']}/payments"
    pay = Call("POST", url, live.district, payment("600.00"))
    statuses = live.race([pay, pay])
    assert sorted(statuses) == [201, 409]
    after = live.get(draft["id"]).json()
    assert (after["paid"], after["outstanding"]) == ("600.00", "400.00")


def test_two_payments_made_against_the_same_etag_record_only_one(live):
    # 300.00 + 300.00 would fit in 1000.00: only If-Match tells the second it is a duplicate.
    draft = live.draft()
    assert live.request(approve(live, draft["id"])).status_code == 200
    etag = live.get(draft["id"]).headers["ETag"]
    url = f"/v1/statements/{draft['id']}/payments"
    pay = Call("POST", url, live.district | {"If-Match": etag}, payment("300.00"))
    statuses = live.race([pay, pay])
    assert sorted(statuses) == [201, 412]
    assert live.get(draft["id"]).json()["paid"] == "300.00"

"""Every /v1 endpoint × every kind of caller × own or foreign (issue #3).

The callers: the contract's own district, vendor and granted auditor, and a stranger of each
kind. A stranger never learns that the contract or statement exists (404); a party acting
outside its role is refused (403); no key is 401. The last test fails if an endpoint is added
without a row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

OWN = {"district": "ector-isd", "vendor": "bright-tutors", "auditor": "tx-state-audit"}
STRANGERS = {"district": "other-isd", "vendor": "other-vendor", "auditor": "other-audit"}
KEY = "ector-hdt-2026"

ROSTER = "student_id,grade\nS1,3\nS2,4\n"
ASSESSMENTS = "student_id,assessment,window,score,growth_target\nS1,map_reading,fall-2026,200,5\n"
USAGE = "student_id,date,minutes\nS1,2026-09-02,30\n"
SCHEDULE = "student_id,date,sessions_offered,minutes_offered\nS1,2026-09-02,1,30\n"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {key}, {batch}, {statement}, {dispute} are filled from the fixture
    allowed: frozenset[str]  # kinds of the contract's own parties that may call it
    body: Any = None
    content_type: str = "application/json"
    stranger: int | None = 404  # what a stranger gets (None: decided by `strangers` below)
    strangers: tuple[tuple[str, int], ...] = ()
    at_least: str = "viewer"  # the person's role the allowed parties need (SPEC §6)


ALL = frozenset({"district", "vendor", "auditor"})
PARTIES = frozenset({"district", "vendor"})
DISTRICT = frozenset({"district"})
VENDOR = frozenset({"vendor"})
PAYMENT = {"amount": "1.00", "paid_on": "2026-10-15", "reference": "CHK-1"}

ENDPOINTS = [
    Endpoint(
        "POST",
        "/v1/contracts",
        DISTRICT,
        at_least="approver",
        body="new-contract",
        stranger=None,
        strangers=(("district", 422), ("vendor", 403), ("auditor", 403)),
    ),
    Endpoint("GET", "/v1/contracts", ALL, stranger=200),
    Endpoint("GET", "/v1/contracts/{key}", ALL),
    Endpoint("PUT", "/v1/contracts/{key}", DISTRICT, body="amendment", at_least="approver"),
    Endpoint("POST", "/v1/contracts/{key}/accept", VENDOR, at_least="approver"),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/roster",
        DISTRICT,
        body=ROSTER,
        content_type="text/csv",
        at_least="preparer",
    ),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/assessments",
        DISTRICT,
        body=ASSESSMENTS,
        content_type="text/csv",
        at_least="preparer",
    ),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/usage",
        VENDOR,
        body=USAGE,
        content_type="text/csv",
        at_least="preparer",
    ),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/schedule",
        DISTRICT,
        body=SCHEDULE,
        content_type="text/csv",
        at_least="preparer",
    ),
    Endpoint("GET", "/v1/contracts/{key}/batches", ALL),
    Endpoint("GET", "/v1/contracts/{key}/batches/{batch}", ALL),
    # {batch} is the district's roster batch: a vendor reads back only the rows it posted.
    Endpoint(
        "GET",
        "/v1/contracts/{key}/batches/{batch}/rows",
        frozenset({"district", "auditor"}),
    ),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/obligations/{obligation}",
        PARTIES,
        body={"status": "met", "note": "delivered"},
        at_least="preparer",
    ),
    Endpoint("GET", "/v1/contracts/{key}/obligations", ALL),
    Endpoint("GET", "/v1/contracts/{key}/evaluation?as_of=2027-06-30", ALL),
    Endpoint("GET", "/v1/contracts/{key}/evaluation/students?as_of=2027-06-30", ALL),
    Endpoint(
        "POST",
        "/v1/contracts/{key}/statements",
        DISTRICT,
        body={"as_of": "2026-10-01"},
        at_least="preparer",
    ),
    Endpoint("GET", "/v1/contracts/{key}/statements", ALL),
    Endpoint("GET", "/v1/statements/{statement}", ALL),
    Endpoint("POST", "/v1/statements/{statement}/approve", DISTRICT, at_least="approver"),
    Endpoint("POST", "/v1/statements/{statement}/void", DISTRICT, at_least="approver"),
    Endpoint(
        "POST",
        "/v1/statements/{statement}/payments",
        DISTRICT,
        body=PAYMENT,
        at_least="approver",
    ),
    Endpoint("POST", "/v1/contracts/{key}/payments", DISTRICT, body=PAYMENT, at_least="approver"),
    Endpoint(
        "POST",
        "/v1/statements/{statement}/disputes",
        VENDOR,
        body={"line": "base", "reason": "why?"},
        at_least="preparer",
    ),
    Endpoint(
        "POST",
        "/v1/disputes/{dispute}/resolve",
        DISTRICT,
        body={"outcome": "rejected", "note": "ok"},
        at_least="approver",
    ),
    Endpoint("POST", "/v1/statements/{statement}/verify", ALL),
    Endpoint(
        "GET",
        "/v1/vendors/bright-tutors/balance",
        PARTIES,
        stranger=None,
        strangers=(("district", 404), ("vendor", 404), ("auditor", 403)),
    ),
    Endpoint("GET", "/v1/contracts/{key}/report?as_of=2027-06-30&format=json", ALL),
    Endpoint("GET", "/v1/contracts/{key}/report/reads", frozenset({"district", "auditor"})),
    Endpoint("GET", "/v1/contracts/{key}/audit-bundle?as_of=2027-06-30", ALL),
    Endpoint(
        "GET",
        "/v1/audit-log",
        frozenset({"district", "auditor"}),
        stranger=None,
        strangers=(("district", 200), ("vendor", 403), ("auditor", 200)),
    ),
    Endpoint(
        "GET",
        "/v1/audit-log/verify",
        frozenset({"district", "auditor"}),
        stranger=None,
        strangers=(("district", 200), ("vendor", 403), ("auditor", 200)),
    ),
]


@pytest.fixture
def definition(definition):  # type: ignore[no-untyped-def]
    """The shared contract plus one district obligation, so its endpoints have one to act on."""

    def build(**overrides: Any) -> dict[str, Any]:
        devices = {"key": "devices", "text": "A device per student", "due": "2026-09-15"}
        return definition(**({"obligations": [devices]} | overrides))

    return build


@pytest.fixture
def ids(client, world, active_contract):
    """A contract with one batch of each feed, a draft statement and an open dispute on it."""
    district, vendor = world.headers["ector-isd"], world.headers["bright-tutors"]
    csv = {"content-type": "text/csv"}
    batch = client.post(f"/v1/contracts/{KEY}/roster", content=ROSTER, headers={**district, **csv})
    assert batch.status_code == 201, batch.text
    client.post(
        f"/v1/contracts/{KEY}/assessments", content=ASSESSMENTS, headers={**district, **csv}
    )
    client.post(f"/v1/contracts/{KEY}/usage", content=USAGE, headers={**vendor, **csv})
    # Drafted by a preparer, so the district's approvers may approve it.
    statement = client.post(
        f"/v1/contracts/{KEY}/statements",
        json={"as_of": "2026-10-01"},
        headers=world.headers["ector-isd:preparer"],
    )
    assert statement.status_code == 201, statement.text
    dispute = client.post(
        f"/v1/statements/{statement.json()['id']}/disputes",
        json={"line": "base", "reason": "check"},
        headers=vendor,
    )
    assert dispute.status_code == 201, dispute.text
    return {
        "key": KEY,
        "batch": batch.json()["id"],
        "statement": statement.json()["id"],
        "dispute": dispute.json()["id"],
        "obligation": "devices",
    }


def call(client, endpoint: Endpoint, ids: dict[str, str], headers: dict[str, str], definition):
    path = endpoint.path.format(**ids)
    if endpoint.body == "new-contract":
        kwargs: dict[str, Any] = {"json": definition(key="matrix-new")}
    elif endpoint.body == "amendment":
        kwargs = {"json": definition(title="Amended")}
    elif isinstance(endpoint.body, str):
        kwargs = {
            "content": endpoint.body,
            "headers": {**headers, "content-type": endpoint.content_type},
        }
    elif endpoint.body is not None:
        kwargs = {"json": endpoint.body}
    else:
        kwargs = {}
    kwargs.setdefault("headers", headers)
    return client.request(endpoint.method, path, **kwargs)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path.split('?')[0]}")
def test_endpoint_refuses_strangers_and_wrong_roles_and_serves_its_parties(
    client, world, ids, definition, endpoint
):
    assert call(client, endpoint, ids, {}, definition).status_code == 401

    expected_for_stranger = (
        dict(endpoint.strangers)
        if endpoint.stranger is None
        else dict.fromkeys(STRANGERS, endpoint.stranger)
    )
    for kind, organisation in STRANGERS.items():
        response = call(client, endpoint, ids, world.headers[organisation], definition)
        assert response.status_code == expected_for_stranger[kind], (organisation, response.text)
        if response.status_code == 200:
            assert KEY not in response.text, organisation  # not even in a list or a log

    for kind in sorted(set(OWN) - endpoint.allowed):
        response = call(client, endpoint, ids, world.headers[OWN[kind]], definition)
        assert response.status_code == 403, (OWN[kind], response.text)

    for kind in sorted(endpoint.allowed):
        response = call(client, endpoint, ids, world.headers[OWN[kind]], definition)
        assert response.status_code not in (401, 403, 404), (
            OWN[kind],
            response.status_code,
            response.text,
        )


ROLES = ("viewer", "preparer", "approver")


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.at_least != "viewer"],
    ids=lambda e: f"{e.method} {e.path.split('?')[0]}",
)
def test_people_below_the_role_an_action_needs_are_refused(
    client, world, ids, definition, endpoint
):
    """A viewer only reads; preparers prepare; approvers approve (SPEC §6). Refused with 403
    naming the role needed; the role needed itself is let through."""
    needed = ROLES.index(endpoint.at_least)
    for kind in sorted(endpoint.allowed):
        for role in ROLES[:needed]:
            headers = world.headers[f"{OWN[kind]}:{role}"]
            response = call(client, endpoint, ids, headers, definition)
            assert response.status_code == 403, (kind, role, response.text)
            assert f"needs the role {endpoint.at_least}" in response.json()["detail"]
        headers = world.headers[f"{OWN[kind]}:{endpoint.at_least}"]
        response = call(client, endpoint, ids, headers, definition)
        assert response.status_code not in (401, 403, 404), (kind, response.text)


def test_every_v1_endpoint_is_in_the_matrix(app):
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    placeholders = {
        "{key}": "{key}",
        "{batch}": "{batch_id}",
        "{statement}": "{statement_id}",
        "{dispute}": "{dispute_id}",
        "{obligation}": "{obligation}",
    }
    covered = set()
    for endpoint in ENDPOINTS:
        path = endpoint.path.split("?")[0].replace("/vendors/bright-tutors/", "/vendors/{key}/")
        for ours, theirs in placeholders.items():
            path = path.replace(ours, theirs)
        covered.add((endpoint.method, path))
    assert documented - covered == set()

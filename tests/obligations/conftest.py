"""A contract with district obligations: `devices` covers the fidelity bonus, `schedule`
covers the growth payment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

OBLIGATIONS = [
    {
        "key": "devices",
        "text": "A device and headset for every scheduled student",
        "due": "2026-09-15",
        "covers": ["fidelity"],
    },
    {
        "key": "schedule",
        "text": "Three tutoring periods a week in every student's timetable",
        "due": "2026-10-01",
        "covers": ["growth"],
    },
]


@pytest.fixture
def definition(definition) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    def build(**overrides: Any) -> dict[str, Any]:
        return definition(**({"obligations": OBLIGATIONS} | overrides))

    return build


@pytest.fixture
def record(client, world) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """POST a status as `org`; returns the response."""

    def send(org: str, obligation: str, status: str, note: str = "checked on site") -> Any:
        return client.post(
            f"/v1/contracts/ector-hdt-2026/obligations/{obligation}",
            json={"status": status, "note": note},
            headers=world.headers[org],
        )

    return send


@pytest.fixture
def listing(client, world) -> Callable[[str], dict[str, Any]]:  # type: ignore[no-untyped-def]
    def read(org: str) -> dict[str, Any]:
        response = client.get(
            "/v1/contracts/ector-hdt-2026/obligations", headers=world.headers[org]
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    return read

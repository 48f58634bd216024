"""Fixtures for the audit-log tests: a second district's contract, to prove separation."""

from __future__ import annotations

import pytest


@pytest.fixture
def foreign_contract(client, world, definition) -> str:  # type: ignore[no-untyped-def]
    """`other-2026`, between other-isd and other-vendor, granting other-audit."""
    document = definition(
        key="other-2026", district="other-isd", vendor="other-vendor", auditors=["other-audit"]
    )
    created = client.post("/v1/contracts", json=document, headers=world.headers["other-isd"])
    assert created.status_code == 201, created.text
    accepted = client.post("/v1/contracts/other-2026/accept", headers=world.headers["other-vendor"])
    assert accepted.status_code == 200, accepted.text
    return "other-2026"


@pytest.fixture
def amended_contract(client, world, active_contract, definition) -> str:  # type: ignore[no-untyped-def]
    """The active contract amended three times: more entries to page through."""
    for number in range(2, 5):
        response = client.put(
            f"/v1/contracts/{active_contract}",
            json=definition(title=f"Amendment {number}"),
            headers=world.headers["ector-isd"],
        )
        assert response.status_code == 200, response.text
    return active_contract


def disable_append_only_guard(session) -> None:  # type: ignore[no-untyped-def]
    """What a malicious database administrator would do first: switch off the triggers that
    refuse UPDATE and DELETE on audit_entries (inside the test's transaction, so undone)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
        session.execute(text("DROP TRIGGER audit_entries_no_delete"))


@pytest.fixture
def tamperable(db_session):  # type: ignore[no-untyped-def]
    disable_append_only_guard(db_session)
    return db_session

"""GET /v1/audit-log/verify: the chain is recomputed and the first broken link reported."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.chain import GENESIS_HASH, entry_hash, hash_of
from app.audit.models import AuditEntry


def _verify(client, headers):  # type: ignore[no-untyped-def]
    response = client.get("/v1/audit-log/verify", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(db_session) -> list[int]:  # type: ignore[no-untyped-def]
    return list(db_session.execute(text("SELECT id FROM audit_entries ORDER BY id")).scalars())


def test_an_untouched_chain_verifies(client, world, amended_contract, db_session):
    body = _verify(client, world.headers["tx-state-audit"])
    assert body["ok"] is True
    assert body["first_broken"] is None
    assert body["entries_checked"] == len(_ids(db_session))
    newest = db_session.execute(
        text("SELECT entry_hash FROM audit_entries ORDER BY id DESC")
    ).first()
    assert body["head_hash"] == newest[0]


def test_districts_may_verify_and_vendors_may_not(client, world, active_contract):
    assert _verify(client, world.headers["ector-isd"])["ok"] is True
    vendor = client.get("/v1/audit-log/verify", headers=world.headers["bright-tutors"])
    assert vendor.status_code == 403


def test_an_empty_log_verifies(client, world, tamperable):
    tamperable.execute(text("DELETE FROM audit_entries"))
    tamperable.execute(
        text("UPDATE audit_chain_head SET last_hash = :genesis, last_entry_id = NULL"),
        {"genesis": GENESIS_HASH},
    )
    body = _verify(client, world.headers["ector-isd"])
    assert {k: body[k] for k in ("ok", "entries_checked", "head_hash", "first_broken")} == {
        "ok": True,
        "entries_checked": 0,
        "head_hash": GENESIS_HASH,
        "first_broken": None,
    }
    assert body["checkpoints_checked"] == 0


def test_an_altered_entry_is_reported_at_that_entry(client, world, amended_contract, tamperable):
    ids = _ids(tamperable)
    target = ids[len(ids) // 2]
    tamperable.execute(
        text("UPDATE audit_entries SET details = :forged WHERE id = :id"),
        {"forged": '{"version":99}', "id": target},
    )
    body = _verify(client, world.headers["tx-state-audit"])
    assert body["ok"] is False
    assert body["first_broken"]["entry_id"] == target
    assert "altered" in body["first_broken"]["problem"]
    assert body["entries_checked"] == ids.index(target)


def test_an_altered_entry_with_a_recomputed_hash_breaks_the_next_link(
    client, world, amended_contract, tamperable
):
    # A careful forger rewrites the entry's own hash too; the next entry still points at the old one.
    ids = _ids(tamperable)
    target = ids[-3]
    entry = tamperable.get(AuditEntry, target)
    entry.details = '{"version":99}'
    entry.entry_hash = hash_of(entry)
    tamperable.flush()
    body = _verify(client, world.headers["tx-state-audit"])
    assert body["ok"] is False
    assert body["first_broken"]["entry_id"] == ids[-2]
    assert f"entry {target}" in body["first_broken"]["problem"]


def test_a_deleted_entry_breaks_the_chain_at_its_successor(
    client, world, amended_contract, tamperable
):
    ids = _ids(tamperable)
    removed = ids[-3]
    tamperable.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": removed})
    body = _verify(client, world.headers["ector-isd"])
    assert body["ok"] is False
    assert body["first_broken"]["entry_id"] == ids[-2]
    assert "removed" in body["first_broken"]["problem"]


def test_deleting_the_newest_entry_is_caught_by_the_chain_head(
    client, world, amended_contract, tamperable
):
    ids = _ids(tamperable)
    tamperable.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[-1]})
    body = _verify(client, world.headers["ector-isd"])
    assert body["ok"] is False
    assert body["first_broken"]["entry_id"] == ids[-1]
    assert "newest" in body["first_broken"]["problem"]


def test_the_hash_covers_every_recorded_field(client, world, active_contract, db_session):
    entry = db_session.get(AuditEntry, _ids(db_session)[-1])
    assert entry.hash_version == 2
    actor = {
        "person_id": entry.person_id,
        "system_name": entry.system_name,
        "name": entry.actor_name,
        "role": entry.actor_role,
    }
    assert entry.actor_name == "First Approver of bright-tutors <first.approver@bright-tutors.test>"
    fields = dict(
        previous_hash=entry.previous_hash,
        recorded_at=entry.recorded_at,
        organisation_id=entry.organisation_id,
        api_key_id=entry.api_key_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        contract_key=entry.contract_key,
        details=entry.details,
        hash_version=2,
        actor=actor,
    )
    assert entry_hash(**fields) == entry.entry_hash
    for name, forged in [("action", "contract.withdrawn"), ("object_id", "x"), ("api_key_id", 999)]:
        assert entry_hash(**(fields | {name: forged})) != entry.entry_hash
    for name, forged in [
        ("name", "Someone Else <x@y.org>"),
        ("person_id", 999),
        ("role", "viewer"),
    ]:
        assert entry_hash(**(fields | {"actor": actor | {name: forged}})) != entry.entry_hash
    # an entry cannot pass for one of the older kind that did not hash its actor
    assert entry_hash(**(fields | {"hash_version": 1})) != entry.entry_hash


def test_the_audit_log_names_the_person_who_acted(client, world, active_contract):
    log = client.get(
        "/v1/audit-log", params={"contract": active_contract}, headers=world.headers["ector-isd"]
    ).json()["entries"]
    accepted = next(e for e in log if e["action"] == "contract.accepted")
    assert accepted["actor"] == (
        "First Approver of bright-tutors <first.approver@bright-tutors.test>"
    )
    assert accepted["actor_role"] == "approver"


def test_the_database_refuses_to_update_or_delete_an_entry(
    client, world, active_contract, db_session
):
    target = _ids(db_session)[-1]
    for statement in (
        "UPDATE audit_entries SET details = '{}' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement), {"id": target})
    assert _verify(client, world.headers["ector-isd"])["ok"] is True

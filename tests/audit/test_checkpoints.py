"""Signed checkpoints (SPEC §3 "Audit trust", issue #14 §5): the chain head is signed with a
key kept outside the database, so rewriting the chain without that key is detected."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.audit.chain import hash_of
from app.audit.models import AuditEntry
from app.audit.signing import SigningKeyError, generate_signing_key, public_key_text
from app.clock import utcnow
from app.principal import OPERATOR
from app.unit_of_work import UnitOfWork
from tests.audit.conftest import disable_append_only_guard

KEY = "ector-hdt-2026"


def _verify(client, headers):  # type: ignore[no-untyped-def]
    response = client.get("/v1/audit-log/verify", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def approved(client, world, active_contract) -> dict:  # type: ignore[no-untyped-def]
    district = world.headers["ector-isd"]
    roster = "student_id,grade\nS1,3\n"
    posted = client.post(
        f"/v1/contracts/{KEY}/roster",
        content=roster,
        headers={**district, "content-type": "text/csv"},
    )
    assert posted.status_code == 201, posted.text
    draft = client.post(
        f"/v1/contracts/{KEY}/statements", json={"as_of": "2026-10-01"}, headers=district
    )
    assert draft.status_code == 201, draft.text
    response = client.post(
        f"/v1/statements/{draft.json()['id']}/approve",
        headers=world.headers["ector-isd:approver"],  # not the drafter (SPEC §3)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _entries(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.query(AuditEntry).order_by(AuditEntry.id))


def test_approval_signs_the_chain_head_including_the_approval(
    client, world, approved, db_session, app
):
    entries = _entries(db_session)
    checkpoint, approval = entries[-1], entries[-2]
    assert (approval.action, checkpoint.action) == ("statement.approved", "audit.checkpoint")
    details = json.loads(checkpoint.details)
    assert details["head_entry_id"] == approval.id
    assert details["head_hash"] == approval.entry_hash
    assert details["public_key"] == public_key_text(app.state.keyring.signer.public)

    shown = approved["audit_checkpoint"]
    assert shown["head_hash"] == approval.entry_hash
    assert shown["signature"] == details["signature"]
    again = client.get(f"/v1/statements/{approved['id']}", headers=world.headers["tx-state-audit"])
    assert again.json()["audit_checkpoint"] == shown

    body = _verify(client, world.headers["tx-state-audit"])
    assert body["ok"] is True
    # Every checkpoint in the log (the race tests' live servers commit theirs for good).
    assert body["checkpoints_checked"] == sum(e.action == "audit.checkpoint" for e in entries)
    assert body["signed_through"] == approval.id
    assert app.state.keyring.signer.key_id in body["public_keys"]


def test_a_draft_carries_no_checkpoint(client, world, active_contract):
    draft = client.post(
        f"/v1/contracts/{KEY}/statements",
        json={"as_of": "2026-10-01"},
        headers=world.headers["ector-isd"],
    )
    assert draft.json()["audit_checkpoint"] is None


def test_reports_print_the_head_hash_and_the_newest_signature(client, world, approved, db_session):
    checkpoint = _entries(db_session)[-1]
    report = client.get(
        f"/v1/contracts/{KEY}/report",
        params={"as_of": "2026-10-01"},
        headers=world.headers["bright-tutors"],
    ).json()
    assert report["audit"]["head_hash"] == checkpoint.entry_hash
    assert report["audit"]["checkpoint"]["signature"] == json.loads(checkpoint.details)["signature"]
    html = client.get(
        f"/v1/contracts/{KEY}/report",
        params={"as_of": "2026-10-01", "format": "html"},
        headers=world.headers["bright-tutors"],
    ).text
    assert json.loads(checkpoint.details)["signature"] in html


def _rewrite_from(session, first_id: int, *, forge_checkpoints: bool) -> None:  # type: ignore[no-untyped-def]
    """What someone with database access but no signing key can do: change an entry, then
    recompute every later hash with plain SHA-256 so that every link holds again."""
    disable_append_only_guard(session)
    entries = _entries(session)
    previous = None
    for entry in entries:
        if entry.id < first_id:
            previous = entry.entry_hash
            continue
        if entry.id == first_id:
            entry.details = json.dumps({"version": 99})
        entry.previous_hash = previous
        if forge_checkpoints and entry.action == "audit.checkpoint":
            details = json.loads(entry.details)
            details["head_hash"] = previous  # the signature cannot follow
            entry.details = json.dumps(details, sort_keys=True, separators=(",", ":"))
        entry.entry_hash = hash_of(entry)
        previous = entry.entry_hash
    session.flush()
    session.execute(
        text("UPDATE audit_chain_head SET last_hash = :h, last_entry_id = :i"),
        {"h": previous, "i": entries[-1].id},
    )


@pytest.mark.parametrize("forge_checkpoints", [False, True], ids=["kept", "forged"])
def test_a_chain_rewritten_consistently_without_the_key_is_detected_at_its_checkpoint(
    client, world, approved, db_session, forge_checkpoints
):
    entries = _entries(db_session)
    # This contract's acceptance, long before the approval (the race tests' live servers may
    # have committed entries of their own before this test's).
    target = [entry for entry in entries if entry.action == "contract.accepted"][-1].id
    checkpoint = entries[-1]
    _rewrite_from(db_session, target, forge_checkpoints=forge_checkpoints)

    body = _verify(client, world.headers["ector-isd"])
    assert body["ok"] is False
    assert body["first_broken"]["entry_id"] == checkpoint.id
    problem = body["first_broken"]["problem"]
    assert "rewritten" in problem
    if forge_checkpoints:
        assert "signature does not verify" in problem


def test_a_checkpoint_signed_by_an_untrusted_key_fails(client, world, approved, app):
    app.state.keyring.trusted.clear()  # a service that no longer trusts the key that signed
    body = _verify(client, world.headers["ector-isd"])
    assert body["ok"] is False
    assert "not a trusted public key" in body["first_broken"]["problem"]


def test_the_first_change_of_a_new_day_signs_the_previous_days_head(
    client, world, active_contract, db_session, monkeypatch
):
    before = _entries(db_session)[-1]
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr("app.audit.checkpoints.utcnow", lambda: tomorrow)
    response = client.put(
        f"/v1/contracts/{KEY}",
        json={**_definition(client, world), "title": "Amended"},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 200, response.text
    daily, change = _entries(db_session)[-2:]
    assert daily.action == "audit.checkpoint"
    assert json.loads(daily.details)["reason"] == "daily"
    assert json.loads(daily.details)["head_entry_id"] == before.id
    assert change.action != "audit.checkpoint"
    assert _verify(client, world.headers["ector-isd"])["ok"] is True


def _definition(client, world) -> dict:  # type: ignore[no-untyped-def]
    read = client.get(f"/v1/contracts/{KEY}", headers=world.headers["ector-isd"]).json()
    return read["versions"][-1]["definition"]


def test_signing_with_no_key_configured_is_refused_clearly(db_session, world):
    db_session.info.pop("tranche.keyring", None)
    with (
        pytest.raises(SigningKeyError, match="No signing key is configured"),
        UnitOfWork(db_session, actor=OPERATOR) as uow,
    ):
        uow.checkpoint(reason="scheduled")


def test_generated_signing_key_is_owner_only_and_never_overwritten(tmp_path):
    path = tmp_path / "keys" / "signing.pem"
    signer = generate_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (tmp_path / "keys" / "signing.pem.pub").read_text().strip() == public_key_text(
        signer.public
    )
    with pytest.raises(SigningKeyError, match="never overwritten"):
        generate_signing_key(path)

"""Who is calling is decided once, before anything else, and never from a header the service
could not check (SPEC §3: exactly one Authorization header; issue #14, items 4 and 5)."""

from __future__ import annotations

from sqlalchemy import text

BOGUS = {"Authorization": "Bearer trk_000000000000_not-a-real-key"}


def test_two_authorization_headers_are_refused_with_400(client, world):
    key = world.headers["ector-isd"]["Authorization"]
    response = client.get(
        "/v1/contracts", headers=[("Authorization", key), ("Authorization", BOGUS["Authorization"])]
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_a_bogus_key_never_gets_an_answer_kept_for_a_real_one(client, world, active_contract):
    """The review's attack: a valid key then a bogus one stored the answer under the bogus
    header, which alone then read the per-student CSV."""
    key = world.headers["ector-isd"]["Authorization"]
    path = f"/v1/contracts/{active_contract}/evaluation/students"
    assert client.get(path, headers={"Authorization": key}).status_code == 200
    both = [("Authorization", key), ("Authorization", BOGUS["Authorization"])]
    assert client.get(path, headers=both).status_code == 400
    alone = client.get(path, headers=BOGUS)
    assert alone.status_code == 401
    assert b"student_id" not in alone.content


def test_a_key_revoked_directly_in_the_database_reads_no_kept_answer(
    client, world, active_contract, db_session
):
    """No audit entry, so no new ledger version: only checking the key on every hit stops it."""
    headers = world.headers["ector-isd"]
    path = f"/v1/contracts/{active_contract}"
    assert client.get(path, headers=headers).status_code == 200
    assert client.get(path, headers=headers).status_code == 200  # now kept
    prefix = headers["Authorization"].split("_")[1]
    db_session.execute(
        text("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP WHERE prefix = :prefix"),
        {"prefix": prefix},
    )
    refused = client.get(path, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def _tamper_with_the_first_audit_entry(db_session) -> None:  # type: ignore[no-untyped-def]
    # Someone with write access to the database, bypassing the append-only triggers (undone
    # with the test's transaction).
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        db_session.execute(text("DROP TRIGGER audit_entries_no_update"))
    db_session.execute(
        text(
            'UPDATE audit_entries SET details = \'{"kind":"vendor"}\' '
            "WHERE id = (SELECT min(id) FROM audit_entries)"
        )
    )


def test_verify_sees_tampering_at_once_it_is_never_answered_from_memory(
    client, world, active_contract, db_session
):
    headers = world.headers["tx-state-audit"]
    assert client.get("/v1/audit-log/verify", headers=headers).json()["ok"] is True
    assert client.get("/v1/audit-log/verify", headers=headers).json()["ok"] is True
    _tamper_with_the_first_audit_entry(db_session)
    verdict = client.get("/v1/audit-log/verify", headers=headers).json()
    assert verdict["ok"] is False
    assert verdict["first_broken"] is not None


def test_a_refused_key_on_a_public_path_does_not_stop_it(client):
    assert client.get("/healthz", headers=BOGUS).status_code == 200

"""People: sign-in by email and password, keys that act for a person or a system, and who
the audit log says acted (SPEC §3, §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from app.audit.models import AuditEntry
from app.errors import Conflict, InvalidInput, NotAuthenticated
from app.organisations import passwords, people
from app.organisations import service as organisations
from app.organisations.models import Role
from app.web.sessions import sign_in

PASSWORD = "correct horse battery staple"


def test_a_person_signs_in_with_email_in_any_case_and_their_password(world, db_session):
    person, generated = people.create_person(
        db_session,
        organisation_key="ector-isd",
        email="Maria.Lopez@Ector.org",
        name="Maria Lopez",
        role=Role.approver,
        password=PASSWORD,
    )
    assert generated is None
    assert person.password_hash.startswith("$argon2id$")
    assert PASSWORD not in person.password_hash
    found = people.authenticate_person(
        db_session, email=" maria.lopez@ECTOR.org", password=PASSWORD
    )
    assert found.id == person.id
    principal = people.principal_for_person(found)
    assert principal.name == "Maria Lopez <maria.lopez@ector.org>"
    assert principal.organisation_key == "ector-isd" and principal.role is Role.approver


@pytest.mark.parametrize(
    ("email", "password"),
    [("maria@ector.org", "wrong password here"), ("nobody@ector.org", PASSWORD)],
)
def test_a_wrong_password_and_an_unknown_email_are_refused_alike(
    world, db_session, email, password
):
    people.create_person(
        db_session,
        organisation_key="ector-isd",
        email="maria@ector.org",
        name="Maria Lopez",
        role=Role.viewer,
        password=PASSWORD,
    )
    with pytest.raises(NotAuthenticated, match="Unknown email or wrong password"):
        people.authenticate_person(db_session, email=email, password=password)


def test_a_disabled_person_can_neither_sign_in_nor_use_their_keys(client, world, db_session):
    headers = world.headers["ector-isd:preparer"]
    assert client.get("/v1/contracts", headers=headers).status_code == 200
    people.disable_person(db_session, email="preparer.preparer@ector-isd.test")
    assert client.get("/v1/contracts", headers=headers).status_code == 401
    with pytest.raises(NotAuthenticated):
        people.authenticate_person(
            db_session, email="preparer.preparer@ector-isd.test", password=PASSWORD
        )
    with pytest.raises(Conflict, match="disabled"):
        organisations.create_api_key(
            db_session,
            organisation_key="ector-isd",
            person_email="preparer.preparer@ector-isd.test",
        )


def test_a_short_password_and_a_bad_email_are_refused_together(world, db_session):
    with pytest.raises(InvalidInput) as refused:
        people.create_person(
            db_session,
            organisation_key="ector-isd",
            email="not an email",
            name="Maria",
            role=Role.viewer,
            password="short",
        )
    assert {p["path"] for p in refused.value.problems} == {"email", "password"}


def test_generated_passwords_are_long_random_and_verify():
    first, second = passwords.generate_password(), passwords.generate_password()
    assert len(first) == 20 and first != second
    stored = passwords.hash_password(first)
    assert passwords.verify_password(stored, first)
    assert not passwords.verify_password(stored, second)
    assert not passwords.verify_password("not a hash", first)
    assert not passwords.verify_password(stored, "x" * 5000)


def test_a_system_key_acts_with_its_own_role_and_is_named_in_the_audit_log(
    client, world, active_contract
):
    sync = world.system("ector-isd", "sis-sync", Role.preparer)
    posted = client.post(
        f"/v1/contracts/{active_contract}/roster",
        content="student_id,grade\nS1,3\n",
        headers={**sync, "content-type": "text/csv"},
    )
    assert posted.status_code == 201, posted.text
    drafted = client.post(
        f"/v1/contracts/{active_contract}/statements", json={"as_of": "2026-10-01"}, headers=sync
    )
    assert drafted.status_code == 201
    approve = client.post(f"/v1/statements/{drafted.json()['id']}/approve", headers=sync)
    assert approve.status_code == 403
    assert "needs the role approver" in approve.json()["detail"]
    log = client.get(
        "/v1/audit-log", params={"action": "batch.accepted"}, headers=world.headers["ector-isd"]
    ).json()["entries"]
    assert [(e["actor"], e["actor_role"]) for e in log] == [("system sis-sync", "preparer")]


def test_signing_in_stores_a_hash_made_with_weaker_parameters_again_under_the_current_ones(
    world, db_session
):

    person, _ = people.create_person(
        db_session,
        organisation_key="ector-isd",
        email="old.hash@ector.org",
        name="Old Hash",
        role=Role.viewer,
        password=PASSWORD,
    )
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    person.password_hash = weak
    db_session.commit()
    assert passwords.needs_rehash(weak)

    sign_in(db_session, email="old.hash@ector.org", password=PASSWORD, lifetime=timedelta(hours=1))

    db_session.refresh(person)
    assert person.password_hash != weak
    assert not passwords.needs_rehash(person.password_hash)
    assert passwords.verify_password(person.password_hash, PASSWORD)
    actions = [
        entry.action for entry in db_session.query(AuditEntry).filter_by(object_id=str(person.id))
    ]
    assert "person.password_rehashed" in actions

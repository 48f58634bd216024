"""People of an organisation: the operator creates them (CLI); they sign in by email and
password (web app) or act through API keys made for them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from app.organisations import passwords, repository
from app.organisations.models import Person, Role
from app.principal import OPERATOR, Actor, Principal
from app.unit_of_work import UnitOfWork

# Deliberately loose (one @, a dot in the domain, no spaces): the address is an identifier
# typed by the operator, not something Tranche mails to.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def create_person(
    session: Session,
    *,
    organisation_key: str,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    actor: Actor = OPERATOR,
) -> tuple[Person, str | None]:
    """Returns the person and, when no password was given, the generated first password (to
    show once; only its hash is kept)."""
    email = repository.normalise_email(email)
    problems = []
    if not EMAIL.fullmatch(email) or len(email) > 254:
        problems.append({"path": "email", "message": "not an email address"})
    if not name.strip() or len(name) > 200:
        problems.append({"path": "name", "message": "give a name of 1 to 200 characters"})
    if password is not None and (why := passwords.password_problem(password)):
        problems.append({"path": "password", "message": why})
    if problems:
        raise InvalidInput("The person cannot be created.", problems)
    organisation = repository.organisation_by_key(session, organisation_key)
    if organisation is None:
        raise NotFound(f"No organisation '{organisation_key}'.")
    if repository.person_by_email(session, email) is not None:
        raise Conflict(f"A person with email '{email}' already exists.")
    generated = passwords.generate_password() if password is None else None
    with UnitOfWork(session, actor=actor) as uow:
        person = Person(
            organisation_id=organisation.id,
            email=email,
            name=name.strip(),
            role=role,
            password_hash=passwords.hash_password(password or generated or ""),
            created_at=utcnow(),
        )
        session.add(person)
        session.flush()
        uow.record(
            action="person.created",
            object_type="person",
            object_id=person.id,
            details={"organisation": organisation.key, "email": email, "role": role.value},
        )
        uow.commit()
    return person, generated


def disable_person(session: Session, *, email: str, actor: Actor = OPERATOR) -> Person:
    """A disabled person can no longer sign in, and their API keys stop working."""
    person = repository.person_by_email(session, email)
    if person is None:
        raise NotFound(f"No person with email '{repository.normalise_email(email)}'.")
    if person.disabled_at is None:
        with UnitOfWork(session, actor=actor) as uow:
            person.disabled_at = utcnow()
            uow.record(action="person.disabled", object_type="person", object_id=person.id)
            uow.commit()
    return person


def authenticate_person(session: Session, *, email: str, password: str) -> Person:
    """The person whose email and password these are. One refusal for every failure (unknown
    email, wrong password, disabled person), taking as long either way. Throttling and
    sessions are the web app's."""
    refused = NotAuthenticated("Unknown email or wrong password.")
    person = repository.person_by_email(session, email)
    if person is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        raise refused
    if not passwords.verify_password(person.password_hash, password):
        raise refused
    if person.disabled_at is not None:
        raise refused
    return person


def principal_for_person(person: Person) -> Principal:
    """The principal a signed-in person acts as (no API key: a web session)."""
    organisation = person.organisation
    return Principal(
        organisation_id=organisation.id,
        api_key_id=None,
        person_id=person.id,
        name=person.display_name,
        role=person.role,
        organisation_key=organisation.key,
        kind=organisation.kind,
    )


def list_people(session: Session, *, organisation_key: str) -> list[Person]:
    organisation = repository.organisation_by_key(session, organisation_key)
    if organisation is None:
        raise NotFound(f"No organisation '{organisation_key}'.")
    return list(
        session.execute(
            select(Person).where(Person.organisation_id == organisation.id).order_by(Person.email)
        ).scalars()
    )

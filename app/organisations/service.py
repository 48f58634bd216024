"""Organisations and API keys: the operator's use cases (CLI) and authentication of keys.
People are in app/organisations/people.py."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from app.organisations import keys, repository
from app.organisations.models import ApiKey, Organisation, OrganisationKind, Role
from app.organisations.repository import organisation_by_key
from app.principal import OPERATOR, Actor, Principal, system_display_name
from app.unit_of_work import UnitOfWork

KEY_REQUIRED = "A valid API key is required: Authorization: Bearer <key>."
ORGANISATION_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def create_organisation(
    session: Session,
    *,
    key: str,
    kind: OrganisationKind,
    name: str | None = None,
    actor: Actor = OPERATOR,
) -> Organisation:
    if not ORGANISATION_KEY.fullmatch(key):
        raise InvalidInput(
            "Bad organisation key.", [{"path": "key", "message": "use a-z, 0-9 and -"}]
        )
    if organisation_by_key(session, key) is not None:
        raise Conflict(f"Organisation '{key}' already exists.")
    with UnitOfWork(session, actor=actor) as uow:
        organisation = Organisation(key=key, kind=kind, name=name or key)
        session.add(organisation)
        session.flush()
        uow.record(
            action="organisation.created",
            object_type="organisation",
            object_id=key,
            details={"kind": kind.value},
        )
        uow.commit()
    return organisation


SYSTEM_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def create_api_key(
    session: Session,
    *,
    organisation_key: str,
    person_email: str | None = None,
    system_name: str | None = None,
    role: Role | None = None,
    label: str = "",
    actor: Actor = OPERATOR,
) -> tuple[ApiKey, str]:
    """A key for a named person of the organisation (it acts with the person's role) or for a
    named system (it acts with `role`, preparer unless told). Returns the stored row and the
    full secret, which is never retrievable again."""
    if (person_email is None) == (system_name is None):
        raise InvalidInput(
            "A key acts for one named person or one named system.",
            [{"path": "user|system", "message": "give exactly one of them"}],
        )
    organisation = _organisation(session, organisation_key)
    person = None
    if person_email is not None:
        if role is not None:
            raise InvalidInput(
                "A person's key acts with the person's role.",
                [{"path": "role", "message": "only a system's key takes a role"}],
            )
        person = repository.person_by_email(session, person_email)
        if person is None or person.organisation_id != organisation.id:
            raise NotFound(f"No person '{person_email}' in organisation '{organisation_key}'.")
        if person.disabled_at is not None:
            raise Conflict(f"{person.display_name} is disabled.")
    elif system_name is not None and not SYSTEM_NAME.fullmatch(system_name):
        raise InvalidInput(
            "Bad system name.", [{"path": "system", "message": "use a-z, 0-9, '.', '_' and '-'"}]
        )
    system_role = None if person is not None else (role or Role.preparer)
    with UnitOfWork(session, actor=actor) as uow:
        full, prefix, digest = keys.new_api_key()
        api_key = ApiKey(
            organisation_id=organisation.id,
            prefix=prefix,
            secret_sha256=digest,
            label=label,
            person_id=person.id if person is not None else None,
            system_name=system_name,
            role=system_role,
        )
        session.add(api_key)
        session.flush()
        uow.record(
            action="api_key.created",
            object_type="api_key",
            object_id=prefix,
            details={
                "organisation": organisation_key,
                "label": label,
                "for": person.display_name if person else system_display_name(system_name or ""),
                "role": (person.role if person else system_role or Role.preparer).value,
            },
        )
        uow.commit()
    return api_key, full


def revoke_api_key(session: Session, *, prefix: str, actor: Actor = OPERATOR) -> ApiKey:
    api_key = repository.api_key_by_prefix(session, prefix)
    if api_key is None:
        raise NotFound(f"No API key with prefix '{prefix}'.")
    if api_key.revoked_at is None:
        with UnitOfWork(session, actor=actor) as uow:
            api_key.revoked_at = utcnow()
            uow.record(action="api_key.revoked", object_type="api_key", object_id=prefix)
            uow.commit()
    return api_key


def list_api_keys(session: Session, *, organisation_key: str) -> Sequence[ApiKey]:
    organisation = _organisation(session, organisation_key)
    return (
        session.execute(
            select(ApiKey).where(ApiKey.organisation_id == organisation.id).order_by(ApiKey.id)
        )
        .scalars()
        .all()
    )


def list_organisations(session: Session) -> Sequence[Organisation]:
    return session.execute(select(Organisation).order_by(Organisation.key)).scalars().all()


def authenticate(session: Session, bearer_token: str | None) -> Principal:
    """The principal behind a bearer key; one message for every failure, to not help guessing."""
    refused = NotAuthenticated(KEY_REQUIRED)
    if not bearer_token:
        raise refused
    prefix = keys.split_prefix(bearer_token)
    if prefix is None:
        raise refused
    api_key = repository.api_key_by_prefix(session, prefix)
    if api_key is None:
        raise refused
    if api_key.revoked_at is not None or not keys.matches(bearer_token, api_key.secret_sha256):
        raise refused
    organisation, person = api_key.organisation, api_key.person
    if person is not None:
        if person.disabled_at is not None:
            raise refused
        return Principal(
            organisation_id=organisation.id,
            api_key_id=api_key.id,
            person_id=person.id,
            name=person.display_name,
            role=person.role,
            organisation_key=organisation.key,
            kind=organisation.kind,
        )
    system_name = api_key.system_name or f"key {api_key.prefix}"
    return Principal(
        organisation_id=organisation.id,
        api_key_id=api_key.id,
        system_name=system_name,
        name=system_display_name(system_name),
        role=api_key.role or Role.preparer,
        organisation_key=organisation.key,
        kind=organisation.kind,
    )


def _organisation(session: Session, key: str) -> Organisation:
    organisation = organisation_by_key(session, key)
    if organisation is None:
        raise NotFound(f"No organisation '{key}'.")
    return organisation

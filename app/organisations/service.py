"""Organisations and API keys: the operator's use cases (CLI) and authentication."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from app.organisations import keys
from app.organisations.models import ApiKey, Organisation, OrganisationKind
from app.principal import OPERATOR, Actor, Principal
from app.unit_of_work import UnitOfWork

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


def create_api_key(
    session: Session, *, organisation_key: str, label: str = "", actor: Actor = OPERATOR
) -> tuple[ApiKey, str]:
    """Returns the stored row and the full secret, which is never retrievable again."""
    organisation = _organisation(session, organisation_key)
    with UnitOfWork(session, actor=actor) as uow:
        full, prefix, digest = keys.new_api_key()
        api_key = ApiKey(
            organisation_id=organisation.id, prefix=prefix, secret_sha256=digest, label=label
        )
        session.add(api_key)
        session.flush()
        uow.record(
            action="api_key.created",
            object_type="api_key",
            object_id=prefix,
            details={"organisation": organisation_key, "label": label},
        )
        uow.commit()
    return api_key, full


def revoke_api_key(session: Session, *, prefix: str, actor: Actor = OPERATOR) -> ApiKey:
    api_key = session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()
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
    refused = NotAuthenticated("A valid API key is required: Authorization: Bearer <key>.")
    if not bearer_token:
        raise refused
    prefix = keys.split_prefix(bearer_token)
    if prefix is None:
        raise refused
    found = session.execute(
        select(ApiKey, Organisation)
        .join(Organisation, Organisation.id == ApiKey.organisation_id)
        .where(ApiKey.prefix == prefix)
    ).one_or_none()
    if found is None:
        raise refused
    api_key, organisation = found
    if api_key.revoked_at is not None or not keys.matches(bearer_token, api_key.secret_sha256):
        raise refused
    return Principal(
        organisation_id=organisation.id,
        api_key_id=api_key.id,
        organisation_key=organisation.key,
        kind=organisation.kind,
    )


def organisation_by_key(session: Session, key: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.key == key)).scalar_one_or_none()


def _organisation(session: Session, key: str) -> Organisation:
    organisation = organisation_by_key(session, key)
    if organisation is None:
        raise NotFound(f"No organisation '{key}'.")
    return organisation

"""Queries about organisations, people and API keys. Adds and flushes; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.organisations.models import ApiKey, Organisation, Person


def normalise_email(email: str) -> str:
    """Emails are kept and compared lower-cased: one person per address, however typed."""
    return email.strip().lower()


def organisation_by_key(session: Session, key: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.key == key)).scalar_one_or_none()


def person_by_email(session: Session, email: str) -> Person | None:
    return session.execute(
        select(Person).where(Person.email == normalise_email(email))
    ).scalar_one_or_none()


def api_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.execute(select(ApiKey).where(ApiKey.prefix == prefix)).scalar_one_or_none()

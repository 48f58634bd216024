"""Organisations (districts, vendors, auditors), their people, and the API keys that act for
a named person or a named system of an organisation."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.db import Base, UtcDateTime


class OrganisationKind(enum.StrEnum):
    district = "district"
    vendor = "vendor"
    auditor = "auditor"


class Role(enum.StrEnum):
    """What a person (or a system's key) may do inside its organisation (SPEC §6). Ordered:
    each role may do everything of the roles before it, so an approver may also prepare; the
    rule that the approver of a statement is not whoever drafted it keeps the two apart."""

    viewer = "viewer"  # reads
    preparer = "preparer"  # districts: drafts statements, uploads data; vendors: usage, disputes
    approver = "approver"  # districts: approves, voids, records payments, resolves disputes

    @property
    def rank(self) -> int:
        return list(Role).index(self)


def _role_column(nullable: bool = False) -> Mapped[Any]:
    return mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True), nullable=nullable
    )


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        Enum(OrganisationKind, native_enum=False, length=16, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="organisation")


class Person(Base):
    """Someone of one organisation who signs in (web app) or holds API keys. Only an Argon2id
    hash of the password is kept (app/organisations/passwords.py)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = _role_column()
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation] = relationship()

    @property
    def display_name(self) -> str:
        return f"{self.name} <{self.email}>"


class ApiKey(Base):
    """Only the SHA-256 of the secret is kept; `prefix` finds the row without scanning hashes.

    A key acts for exactly one named person (`person_id`; the person's role applies, and a
    disabled person's keys stop working) or one named system (`system_name`, with the key's
    own `role`)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (system_name IS NULL)", name="one_actor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    system_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[Role | None] = _role_column(nullable=True)  # system keys only
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="api_keys")
    person: Mapped[Person | None] = relationship()


class AccessEpoch(Base):
    """A single row whose number moves (by database triggers, migration 20261202_access_epoch)
    whenever a row of `api_keys`, `people` or `organisations` is updated or deleted: a server
    that keeps whom a key authenticates as keeps it for one epoch only
    (app/admission/known_keys.py)."""

    __tablename__ = "access_epoch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)

"""Contracts and their versions. A version is never edited: an amendment is a new version."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.db import Base, UtcDateTime
from app.organisations.models import Organisation


class VersionStatus(enum.StrEnum):
    proposed = "proposed"  # waiting for the vendor
    active = "active"  # in force
    superseded = "superseded"  # was in force, replaced by an accepted amendment
    withdrawn = "withdrawn"  # was proposed, replaced by a newer proposal before acceptance


class Contract(Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    district: Mapped[Organisation] = relationship(foreign_keys=[district_id])
    vendor: Mapped[Organisation] = relationship(foreign_keys=[vendor_id])
    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract", order_by="ContractVersion.version"
    )

    @property
    def version_in_force(self) -> ContractVersion | None:
        """The latest accepted version: the terms both sides signed last. Which version is in
        force on a given date is `version_on` (an amendment may take effect later, or
        earlier, than the day it was accepted)."""
        return next((v for v in self.versions if v.status == VersionStatus.active), None)

    def version_on(self, day: date) -> ContractVersion | None:
        """The version in force on `day` (SPEC §1 Lifecycle): the accepted version with the
        latest `effective` ≤ day (equal dates: the higher number); when none has started
        yet, the first accepted version. None until a version is accepted."""
        accepted = [v for v in self.versions if v.accepted_at is not None]
        started = [v for v in accepted if v.effective is not None and v.effective <= day]
        if started:
            return max(started, key=lambda v: (v.effective or day, v.version))
        return min(accepted, key=lambda v: v.version, default=None)

    @property
    def latest_version(self) -> ContractVersion:
        return self.versions[-1]

    @property
    def governing_version(self) -> ContractVersion:
        """The version whose terms apply now: the one in force, else the latest proposal."""
        return self.version_in_force or self.latest_version

    @property
    def status(self) -> str:
        return "active" if self.version_in_force is not None else "proposed"


class ContractVersion(Base):
    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(
        Enum(VersionStatus, native_enum=False, length=16, validate_strings=True)
    )
    title: Mapped[str] = mapped_column(String(300))
    definition_json: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    proposed_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # From when the version governs (SPEC §1): as proposed, else the day it was accepted.
    effective: Mapped[date | None] = mapped_column(Date)

    contract: Mapped[Contract] = relationship(back_populates="versions")
    auditor_grants: Mapped[list[AuditorGrant]] = relationship(back_populates="contract_version")


class AuditorGrant(Base):
    """An auditor organisation named in a version's `auditors:` list."""

    __tablename__ = "auditor_grants"
    __table_args__ = (UniqueConstraint("contract_version_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_version_id: Mapped[int] = mapped_column(ForeignKey("contract_versions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    contract_version: Mapped[ContractVersion] = relationship(back_populates="auditor_grants")

"""What each party has recorded about the district's obligations (SPEC §1 "Accountability and
obligations", §3).

A record is written once and never changed or deleted: a party that changes its mind records
again, and the latest record of each party counts. The row id orders records of equal time
(the engine's ``sequence``), so it is never reused or renumbered.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.contracts.models import Contract
from app.db import Base, UtcDateTime

MAX_NOTE = 2000


class ObligationParty(enum.StrEnum):
    district = "district"
    vendor = "vendor"


class ObligationStatus(enum.StrEnum):
    met = "met"
    missed = "missed"


class ObligationStatusRecord(Base):
    """One party's statement that an obligation of a contract was met or missed."""

    __tablename__ = "obligation_records"
    __table_args__ = (
        Index("ix_obligation_records_contract_obligation", "contract_id", "obligation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    obligation: Mapped[str] = mapped_column(String(64))
    party: Mapped[ObligationParty] = mapped_column(
        Enum(ObligationParty, native_enum=False, length=16, validate_strings=True)
    )
    status: Mapped[ObligationStatus] = mapped_column(
        Enum(ObligationStatus, native_enum=False, length=16, validate_strings=True)
    )
    note: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # The person or system that recorded it, as the audit log names them.
    recorded_by_name: Mapped[str] = mapped_column(String(300))

    contract: Mapped[Contract] = relationship()

    @property
    def recorded_by(self) -> str:
        """The organisation that recorded it: the contract's party of that kind."""
        party = (
            self.contract.district
            if self.party == ObligationParty.district
            else self.contract.vendor
        )
        return party.key


class AppendOnlyRecord(RuntimeError):
    """A programming error: code tried to change or delete an obligation record."""


@event.listens_for(ObligationStatusRecord, "before_update")
@event.listens_for(ObligationStatusRecord, "before_delete")
def _refuse_rewrites(_mapper: Any, _connection: Any, target: ObligationStatusRecord) -> None:
    raise AppendOnlyRecord(
        f"Obligation record {target.public_id} is written once and never changed or deleted."
    )

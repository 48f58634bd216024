"""What the obligations API takes and sends back."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.obligations.models import (
    MAX_NOTE,
    ObligationParty,
    ObligationStatus,
    ObligationStatusRecord,
)
from app.obligations.service import ObligationListing


class StatusRequest(BaseModel):
    status: ObligationStatus = Field(description="`met` or `missed`.")
    note: str = Field(
        min_length=1,
        max_length=MAX_NOTE,
        description="Why: what was (not) delivered, and how the party knows.",
    )


class RecordOut(BaseModel):
    id: str
    obligation: str
    party: ObligationParty = Field(description="Which side recorded it: the caller's kind.")
    status: ObligationStatus
    note: str
    recorded_at: datetime
    recorded_by: str = Field(description="The organisation that recorded it.")
    recorded_by_name: str = Field(description="The person or system that recorded it.")


class ObligationOut(BaseModel):
    key: str
    text: str
    due: date
    covers: list[str] = Field(description="The tranches it covers.")
    status: str = Field(
        description="From the latest record of each party: met, missed, disputed or unknown."
    )
    records: list[RecordOut] = Field(description="Every record of it, oldest first.")


class ObligationsOut(BaseModel):
    contract: str
    version: int = Field(description="The version whose obligations these are.")
    obligations: list[ObligationOut]


def record_out(record: ObligationStatusRecord) -> RecordOut:
    return RecordOut(
        id=record.public_id,
        obligation=record.obligation,
        party=record.party,
        status=record.status,
        note=record.note,
        recorded_at=record.recorded_at,
        recorded_by=record.recorded_by,
        recorded_by_name=record.recorded_by_name,
    )


def obligation_out(listing: ObligationListing) -> ObligationOut:
    obligation = listing.obligation
    return ObligationOut(
        key=obligation.key,
        text=obligation.text,
        due=obligation.due,
        covers=list(obligation.covers),
        status=listing.status,
        records=[record_out(record) for record in listing.records],
    )

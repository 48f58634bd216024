"""Reading the report access log: who pulled which report of a contract, with its SHA-256.

Shown to those who read the audit log (the district and granted auditors), oldest first,
paged by id like the log itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contracts.access import contract_for
from app.organisations.models import Organisation, OrganisationKind
from app.principal import Principal
from app.reports.models import ReportRead

READERS = (OrganisationKind.district, OrganisationKind.auditor)
MAX_PAGE = 1000


class ReportReadOut(BaseModel):
    id: int
    recorded_at: datetime
    organisation: str | None = Field(description="The organisation that read the report.")
    api_key_id: int | None = Field(description="The key it used; null for another door.")
    actor: str = Field(description="The person or system that read it.")
    format: str
    as_of: date
    version: int = Field(description="The contract version the report evaluated.")
    fingerprint: str = Field(description="The evaluation's fingerprint.")
    sha256: str = Field(description="SHA-256 of exactly the document handed out.")
    suppression: bool = Field(description="Whether small groups were hidden from the reader.")


def report_reads(
    session: Session, *, principal: Principal, key: str, after_id: int, limit: int
) -> list[ReportReadOut]:
    contract = contract_for(session, principal, key, roles=READERS)
    rows: Sequence[tuple[ReportRead, str | None]] = session.execute(
        select(ReportRead, Organisation.key)
        .outerjoin(Organisation, Organisation.id == ReportRead.organisation_id)
        .where(ReportRead.contract_key == contract.key, ReportRead.id > after_id)
        .order_by(ReportRead.id)
        .limit(limit)
    ).all()
    return [
        ReportReadOut(
            id=read.id,
            recorded_at=read.recorded_at,
            organisation=organisation,
            api_key_id=read.api_key_id,
            actor=read.actor_name,
            format=read.format,
            as_of=read.as_of,
            version=read.version,
            fingerprint=read.fingerprint,
            sha256=read.sha256,
            suppression=read.suppression,
        )
        for read, organisation in rows
    ]

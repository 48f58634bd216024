"""Who pulled which report: an append-only access log beside the audit chain.

A report read changes nothing in the ledger, so it is not an audit entry: appending one would
take the chain head's lock (serialising every reader behind every writer), and move the ledger
version, emptying every worker's read cache, on every read. Each read is instead one row here,
written in its own short transaction after the document is rendered (UnitOfWork.record_access),
with the document's SHA-256. The database refuses to update or delete these rows (migration
2026_12_01_0055), as it does for the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime


class ReportRead(Base):
    __tablename__ = "report_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Who read it, as the audit log names who acted (no foreign key: its own record).
    person_id: Mapped[int | None] = mapped_column(Integer)
    system_name: Mapped[str | None] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(300))
    contract_key: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(8))
    as_of: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    suppression: Mapped[bool] = mapped_column(Boolean)

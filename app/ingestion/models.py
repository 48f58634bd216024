"""Tables of the ingestion domain: batches (one per accepted upload) and the rows of each feed.

Rows are never updated or deleted. A correction is a new batch that supersedes an old one; the
old rows stay and simply stop counting. The row tables are written in bulk (COPY on
PostgreSQL, executemany on SQLite), never one ORM object per row, so they are plain Core
tables identified by (batch_id, position).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.db import Base, UtcDateTime
from app.organisations.models import ApiKey, Organisation


class BatchStatus(enum.StrEnum):
    accepted = "accepted"  # its rows count
    superseded = "superseded"  # replaced by a later batch; kept for history, rows do not count


class Batch(Base):
    """One upload of one feed to one contract, with its provenance."""

    __tablename__ = "batches"
    __table_args__ = (
        # A client's Idempotency-Key names one request per contract.
        UniqueConstraint("contract_id", "organisation_id", "idempotency_key"),
        Index("ix_batches_contract_id_feed_sha256", "contract_id", "feed", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    contract_version: Mapped[int] = mapped_column(Integer)
    feed: Mapped[str] = mapped_column(String(16))
    status: Mapped[BatchStatus] = mapped_column(
        Enum(BatchStatus, native_enum=False, length=16, validate_strings=True)
    )
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    columns: Mapped[str] = mapped_column(String(200))  # feed columns as posted, comma-separated
    file_name: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))  # null: web session
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # SPEC §2b: which mapping read the upload, the source columns it dropped (never stored)
    # and how many source rows the platform's own rule left out, by reason.
    format: Mapped[str] = mapped_column(String(32), server_default="tranche")
    dropped_columns: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    skipped_rows: Mapped[dict[str, int]] = mapped_column(JSON, server_default=text("'{}'"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))

    organisation: Mapped[Organisation] = relationship()
    api_key: Mapped[ApiKey | None] = relationship()
    replaces: Mapped[Batch | None] = relationship(
        foreign_keys=[replaces_id], remote_side=[id], lazy="joined", join_depth=1
    )
    superseded_by: Mapped[Batch | None] = relationship(
        foreign_keys=[superseded_by_id], remote_side=[id], lazy="joined", join_depth=1
    )

    @property
    def column_names(self) -> list[str]:
        return self.columns.split(",") if self.columns else []


def _row_key(table: str) -> list[Column[int] | Index]:
    """(batch_id, position) identifies a row; the loader makes it unique by construction.

    Deliberately neither a PRIMARY KEY nor a FOREIGN KEY to batches: on PostgreSQL the
    unique index doubled the time of COPYing a million rows and the per-row foreign-key
    trigger quadrupled it (measured, bench/ingest.py). A batch and its rows are written in one
    transaction and never deleted, so the reference cannot dangle. Rows of a batch are
    appended together, so a BRIN index on batch_id (a few pages, nearly free to maintain)
    finds them on PostgreSQL; SQLite gets an ordinary index.
    """
    return [
        Column("batch_id", Integer, nullable=False),
        Column("position", Integer, nullable=False),  # 1-based place in the upload
        Index(f"ix_{table}_batch_id", "batch_id", postgresql_using="brin"),
    ]


roster_rows = Table(
    "roster_rows",
    Base.metadata,
    *_row_key("roster_rows"),
    Column("student_id", Text, nullable=False),
    Column("grade", Integer, nullable=False),
    Column("school_id", Text),
    Column("ell", Boolean),
    Column("sped", Boolean),
    Column("econ_disadv", Boolean),
)

# Scores and growth targets in thousandths, as the feed frame carries them.
assessment_rows = Table(
    "assessment_rows",
    Base.metadata,
    *_row_key("assessment_rows"),
    Column("student_id", Text, nullable=False),
    Column("assessment", Text, nullable=False),
    Column("window", Text, nullable=False),
    Column("score", BigInteger, nullable=False),
    Column("growth_target", BigInteger),
    Column("proficiency_level", Text),
    Column("test_date", Date),
)

# Minutes in thousandths (0..1,440,000), as the feed frame carries them.
usage_rows = Table(
    "usage_rows",
    Base.metadata,
    *_row_key("usage_rows"),
    Column("student_id", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("sessions", BigInteger, nullable=False),
    Column("lessons", BigInteger),
)

ROW_TABLES: dict[str, Table] = {
    "roster": roster_rows,
    "assessments": assessment_rows,
    "usage": usage_rows,
}

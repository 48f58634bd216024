"""Tables of the ingestion domain: batches (one per accepted upload) and the rows of each feed.

Rows are never updated or deleted. A correction is a new batch that supersedes an old one; the
old rows stay and simply stop counting. The row tables are written in bulk (COPY on
PostgreSQL, executemany on SQLite), never one ORM object per row, so they are plain Core
tables identified by (batch_id, position).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

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
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from app.clock import utcnow
from app.db import Base, UtcDateTime
from app.engine.feed_schema import FEED_SCHEMAS, SUMMED_FEEDS, FeedSchema
from app.engine.feed_schema import Column as FeedColumn
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
        Index("ix_batches_contract_id_feed_rows_sha256", "contract_id", "feed", "rows_sha256"),
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
    # The rows as parsed (app/feeds/digest.py): a later batch with the same rows is a repeat.
    rows_sha256: Mapped[str | None] = mapped_column(String(64))
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


def _row_key(table: str) -> list[Column[Any] | Index]:
    """(batch_id, position) identifies a row; the loader makes it unique by construction.

    Deliberately neither a PRIMARY KEY nor a FOREIGN KEY to batches: on PostgreSQL the
    unique index doubled the time of COPYing a million rows and the per-row foreign-key
    trigger quadrupled it (measured, bench/ingest.py). A batch and its rows are written in one
    transaction and never deleted, so the reference cannot dangle. Rows of a batch are
    appended together, so a BRIN index on batch_id (a few pages, nearly free to maintain)
    finds them on PostgreSQL; SQLite gets an ordinary index.

    ``current`` marks the row that counts for its natural key now (latest value wins, SPEC
    §2): true for the row of the latest accepted batch having the key, false for every other
    (older values, rows of superseded batches). It is the only thing about a row that ever
    changes, and only in the transaction that stores or replaces a batch of its feed
    (``app.ingestion.current``), so every reader sees the current state by a plain filter.
    """
    return [
        Column("batch_id", Integer, nullable=False),
        Column("position", Integer, nullable=False),  # 1-based place in the upload
        Column("current", Boolean, nullable=False, server_default=true()),
        Index(f"ix_{table}_batch_id", "batch_id", postgresql_using="brin"),
    ]


def _stored_type(column: FeedColumn) -> TypeEngine[Any]:
    """The database type of a feed column, from its kind (app/engine/feed_schema.py)."""
    if column.kind == "identifier":
        return Text()
    if column.kind == "flag":
        return Boolean()
    if column.kind == "date":
        return Date()
    return Integer() if column.small else BigInteger()


def _row_table(schema: FeedSchema) -> Table:
    """A feed's row table: the row key, then every column of the feed, in SPEC order.
    Quantities are stored in thousandths, as the feed frame carries them.

    A feed keyed by day gets a BRIN index on ``date`` (an ordinary one on SQLite): a batch
    reads the earlier rows on its own days (app/ingestion/overlap.py, the daily maximum),
    and without it a day's 1,000 rows read all 48M rows of a state-scale contract (6.1 s,
    against 0.2 s with it, measured in process: commit eb03e04). Rows arrive a batch at a time, so the days of
    a page range are close together, and the index costs a COPY next to nothing."""
    name = f"{schema.name.removesuffix('s')}_rows"
    by_day = [Index(f"ix_{name}_date", "date", postgresql_using="brin")]
    return Table(
        name,
        Base.metadata,
        *_row_key(name),
        *(
            Column(column.name, _stored_type(column), nullable=column.nullable)
            for column in schema.columns
        ),
        *(by_day if "date" in schema.key else []),
    )


ROW_TABLES: dict[str, Table] = {name: _row_table(schema) for name, schema in FEED_SCHEMAS.items()}
roster_rows = ROW_TABLES["roster"]
assessment_rows = ROW_TABLES["assessments"]
usage_rows = ROW_TABLES["usage"]
schedule_rows = ROW_TABLES["schedule"]


# Per-student sums kept at ingest (app/ingestion/totals.py), so that an evaluation reads one
# row per student and span instead of rescanning every usage row (issue #17).
sum_spans = Table(
    "sum_spans",
    Base.metadata,
    # A date range of a summed feed whose totals are kept: a piece of the contract's windows
    # cut where any of them starts or ends (app/ingestion/spans.py). Registered (and its
    # totals built) when a version that sums over it comes into force, or by the feed's
    # first batch after the version exists. Never changes once registered.
    Column("id", Integer, primary_key=True),
    Column("contract_id", ForeignKey("contracts.id"), nullable=False),
    Column("feed", String(16), nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    UniqueConstraint("contract_id", "feed", "first_day", "last_day"),
)


def _totals_table(schema: FeedSchema) -> Table:
    """For each registered span of the feed and each student with rows in it, the sum of
    every summable column (quantities in thousandths, a blank as 0) over the rows that count
    now (``current``). Derived state: equal, at every commit, to summing the rows (tested).
    Deliberately no foreign key to sum_spans: a batch upserts tens of thousands of these
    rows, and the span is registered in the same transaction. Half of each page is left
    free on PostgreSQL, so that moving a total is an update in place (migration
    20261202_totals_fillfactor says why)."""
    return Table(
        f"{schema.name}_totals",
        Base.metadata,
        Column("span_id", Integer, primary_key=True),
        Column("student_id", Text, primary_key=True),
        *(
            Column(column.name, BigInteger, nullable=False)
            for column in schema.of_kind("quantity", "count")
        ),
        postgresql_with={"fillfactor": TOTALS_FILLFACTOR},
    )


TOTALS_FILLFACTOR = 50
TOTAL_TABLES: dict[str, Table] = {name: _totals_table(FEED_SCHEMAS[name]) for name in SUMMED_FEEDS}

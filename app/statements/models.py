"""Tables of the statements domain: statements, their lines and batches, payments, disputes.

A statement is written once as a draft; approval is the one update its row and lines ever get.
After that only the payment and dispute tables grow, so "an approved statement never changes"
holds row by row — and the guards at the bottom refuse any ORM update that would break it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.contracts.models import Contract
from app.db import Base, Money, UtcDateTime
from app.organisations.models import ApiKey


class StatementStatus(enum.StrEnum):
    draft = "draft"  # drafted, open for review
    approved = "approved"  # immutable; the vendor may be paid against it
    voided = "voided"  # a draft withdrawn before approval


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        # Approvals of one contract are numbered 1, 2, 3…: two drafts approved at the same
        # moment cannot both take the next number, whatever the locks did.
        UniqueConstraint("contract_id", "approval_number"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[StatementStatus] = mapped_column(
        Enum(StatementStatus, native_enum=False, length=16, validate_strings=True)
    )
    total_due: Mapped[Decimal] = mapped_column(Money)
    engine_version: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # How many statements of the contract were approved when this one was drafted: its
    # previously_billed figures are right only while that number has not moved.
    approvals_before: Mapped[int] = mapped_column(Integer)
    approval_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Who drafted and approved it, as the audit log names them, and the identity compared so
    # the approver is never whoever drafted (app/principal.py `Actor.identity`). Null on
    # statements drafted before people existed.
    drafted_by: Mapped[str | None] = mapped_column(String(300))
    drafted_by_identity: Mapped[str | None] = mapped_column(String(150))
    # The audit chain's head hash when the draft was made: the ledger it was drafted from.
    audit_head: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    approved_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    approved_by: Mapped[str | None] = mapped_column(String(300))
    approved_by_identity: Mapped[str | None] = mapped_column(String(150))
    # Why it was approved while a dispute was open (SPEC §3); null when none was.
    override_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))

    contract: Mapped[Contract] = relationship()
    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", order_by="StatementLine.position"
    )
    batches: Mapped[list[StatementBatch]] = relationship(order_by="StatementBatch.position")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id")
    disputes: Mapped[list[Dispute]] = relationship(order_by="Dispute.opened_at")
    created_by: Mapped[ApiKey | None] = relationship(foreign_keys=[created_by_key_id])
    approved_by_key: Mapped[ApiKey | None] = relationship(foreign_keys=[approved_by_key_id])
    voided_by: Mapped[ApiKey | None] = relationship(foreign_keys=[voided_by_key_id])


class StatementLine(Base):
    """One due tranche (or a credit for a tranche billed before and no longer due)."""

    __tablename__ = "statement_lines"
    __table_args__ = (UniqueConstraint("statement_id", "tranche"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    tranche: Mapped[str] = mapped_column(String(64))
    tranche_status: Mapped[str] = mapped_column(String(16))
    # Indeterminate now: due 0, what was billed before stays billed until a person reviews it.
    held_for_review: Mapped[bool] = mapped_column(Boolean)
    earned: Mapped[Decimal] = mapped_column(Money)
    held: Mapped[Decimal] = mapped_column(Money)
    payable: Mapped[Decimal] = mapped_column(Money)
    previously_billed: Mapped[Decimal] = mapped_column(Money)
    due: Mapped[Decimal] = mapped_column(Money)
    explanation: Mapped[str] = mapped_column(Text)

    statement: Mapped[Statement] = relationship(back_populates="lines")


class StatementBatch(Base):
    """A data batch the statement's evaluation read, as it was then (id, feed, SHA-256, rows).

    No foreign key on purpose: this is the statement's own record of its inputs, checked
    against the batches table by `verify`, not a pointer that must stay valid."""

    __tablename__ = "statement_batches"
    __table_args__ = (UniqueConstraint("statement_id", "batch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[str] = mapped_column(String(64))
    feed: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    """A payment to the vendor (positive) or a refund received from it (negative), per
    contract; `statement_id` when it was recorded against a statement. Written once."""

    __tablename__ = "statement_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    statement_id: Mapped[str | None] = mapped_column(ForeignKey("statements.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    recorded_by: Mapped[str | None] = mapped_column(String(300))


class Dispute(Base):
    """A vendor's objection to one line; open until the district resolves it, `upheld` or
    `rejected`, with a note."""

    __tablename__ = "statement_disputes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("statement_lines.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    opened_by: Mapped[str | None] = mapped_column(String(300))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    resolved_by: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(String(16))  # upheld | rejected
    resolution_note: Mapped[str | None] = mapped_column(Text)

    line: Mapped[StatementLine] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ImmutableStatement(RuntimeError):
    """A programming error: code tried to change an approved or voided statement."""


@event.listens_for(Statement, "before_update")
def _refuse_changes_once_settled(_mapper: Any, _connection: Any, target: Statement) -> None:
    previous = inspect(target).attrs.status.history.deleted
    status_before = previous[0] if previous else target.status
    if status_before != StatementStatus.draft:
        raise ImmutableStatement(f"Statement {target.id} is {status_before}; it never changes.")


@event.listens_for(StatementLine, "before_update")
@event.listens_for(StatementBatch, "before_update")
@event.listens_for(Payment, "before_update")
def _refuse_rewrites(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ImmutableStatement(f"{type(target).__name__} rows are written once and never changed.")


@event.listens_for(Statement, "before_delete")
@event.listens_for(StatementLine, "before_delete")
@event.listens_for(StatementBatch, "before_delete")
@event.listens_for(Payment, "before_delete")
@event.listens_for(Dispute, "before_delete")
def _refuse_deletes(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ImmutableStatement(f"{type(target).__name__} rows are never deleted.")

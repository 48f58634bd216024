"""Turning statements, balances and verifications into the response schemas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.audit.checkpoints import Checkpoint
from app.audit.schemas import signed_head
from app.organisations.models import ApiKey
from app.statements.balance import Balance
from app.statements.models import Dispute, Payment, Statement, StatementBatch, StatementLine
from app.statements.payments import outstanding, paid
from app.statements.schemas import (
    BalanceTotals,
    BatchCheck,
    BatchOut,
    ContractBalance,
    DisputeOut,
    FieldCheck,
    FingerprintCheck,
    LineCheck,
    LineOut,
    PaymentOut,
    StatementOut,
    StatementSummary,
    StatusChange,
    VendorBalance,
    VerificationOut,
)
from app.statements.verification import AmountCheck, Verification
from app.statements.written_once import InputBatch, Line, WrittenOnce


def statement_out(
    statement: Statement, *, checkpoint: Checkpoint | None = None, parts: WrittenOnce | None = None
) -> StatementOut:
    """`parts`: the statement's lines and batches as kept by app/statements/written_once.py,
    else they are read through the statement."""
    open_lines = {d.line_id for d in statement.disputes if d.is_open}
    lines: Sequence[StatementLine | Line] = parts.lines if parts else statement.lines
    batches: Sequence[StatementBatch | InputBatch] = parts.batches if parts else statement.batches
    return StatementOut(
        id=statement.id,
        contract=statement.contract.key,
        version=statement.version,
        as_of=statement.as_of,
        status=statement.status.value,
        lines=[
            LineOut(
                tranche=line.tranche,
                status=line.tranche_status,
                held_for_review=line.held_for_review,
                earned=line.earned,
                held=line.held,
                payable=line.payable,
                previously_billed=line.previously_billed,
                due=line.due,
                explanation=line.explanation,
                disputed=line.id in open_lines,
            )
            for line in lines
        ],
        total_due=statement.total_due,
        fingerprint=statement.fingerprint,
        engine_version=statement.engine_version,
        batches=[
            BatchOut(id=b.batch_id, feed=b.feed, sha256=b.sha256, rows=b.rows) for b in batches
        ],
        approval_number=statement.approval_number,
        created_at=statement.created_at,
        drafted_by=statement.drafted_by,
        audit_head=statement.audit_head,
        approved_at=statement.approved_at,
        approved_by=statement.approved_by,
        override_reason=statement.override_reason,
        history=_history(statement),
        paid=paid(statement),
        outstanding=outstanding(statement),
        payments=[payment_out(p) for p in statement.payments],
        disputes=[dispute_out(d) for d in statement.disputes],
        audit_checkpoint=signed_head(checkpoint),
    )


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.id,
        statement=payment.statement_id,
        amount=payment.amount,
        paid_on=payment.paid_on,
        reference=payment.reference,
        recorded_at=payment.recorded_at,
        recorded_by=payment.recorded_by,
    )


def _history(statement: Statement) -> list[StatusChange]:
    changes: list[tuple[str, datetime | None, ApiKey | None, str | None]] = [
        ("draft", statement.created_at, statement.created_by, statement.drafted_by),
        ("approved", statement.approved_at, statement.approved_by_key, statement.approved_by),
        ("voided", statement.voided_at, statement.voided_by, None),
    ]
    return [
        StatusChange(status=status, at=at, by=key.organisation.key if key else None, actor=actor)
        for status, at, key, actor in changes
        if at is not None
    ]


def statement_summary(statement: Statement) -> StatementSummary:
    return StatementSummary(
        id=statement.id,
        contract=statement.contract.key,
        version=statement.version,
        as_of=statement.as_of,
        status=statement.status.value,
        total_due=statement.total_due,
        paid=paid(statement),
        outstanding=outstanding(statement),
        created_at=statement.created_at,
        approved_at=statement.approved_at,
    )


def dispute_out(dispute: Dispute) -> DisputeOut:
    return DisputeOut(
        id=dispute.id,
        statement=dispute.statement_id,
        line=dispute.line.tranche,
        reason=dispute.reason,
        status="open" if dispute.is_open else "resolved",
        outcome=dispute.outcome,
        opened_at=dispute.opened_at,
        opened_by=dispute.opened_by,
        resolved_at=dispute.resolved_at,
        resolved_by=dispute.resolved_by,
        resolution_note=dispute.resolution_note,
    )


def balance_out(balance: Balance) -> VendorBalance:
    return VendorBalance(
        vendor=balance.vendor,
        contracts=[
            ContractBalance(
                contract=c.contract,
                earned=c.earned,
                approved=c.approved,
                paid=c.paid,
                outstanding=c.outstanding,
                vendor_owes=c.vendor_owes,
                held=c.held,
                disputed=c.disputed,
            )
            for c in balance.contracts
        ],
        totals=BalanceTotals(**balance.totals),
    )


def _field(check: AmountCheck) -> FieldCheck:
    return FieldCheck(recorded=check.recorded, recomputed=check.recomputed, matches=check.matches)


def verification_out(verification: Verification) -> VerificationOut:
    return VerificationOut(
        statement=verification.statement,
        matches=verification.matches,
        fingerprint=FingerprintCheck(
            recorded=verification.recorded_fingerprint,
            recomputed=verification.recomputed_fingerprint,
            matches=verification.fingerprint_matches,
        ),
        total_due=_field(verification.total_due),
        lines=[
            LineCheck(
                tranche=line.tranche,
                matches=line.matches,
                **{name: _field(check) for name, check in line.amounts.items()},
            )
            for line in verification.lines
        ],
        batches=[
            BatchCheck(
                id=b.id,
                feed=b.feed,
                recorded_sha256=b.recorded_sha256,
                stored_sha256=b.stored_sha256,
                matches=b.matches,
            )
            for b in verification.batches
        ],
    )

"""Reproducibility (issue #5 §4): recompute a statement from exactly the batches its
fingerprint records, at its as_of, and say line by line whether every amount still matches."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.contracts.access import ANY_ROLE
from app.engine.money import ZERO
from app.evaluation.service import evaluate_stored_contract
from app.ingestion import repository as batches
from app.principal import Principal
from app.statements import repository
from app.statements.access import statement_for
from app.statements.drafting import LineDraft, billed_by_tranche, statement_lines
from app.statements.models import Statement, StatementLine

AMOUNTS = ("earned", "held", "payable", "previously_billed", "due")


@dataclass(frozen=True)
class AmountCheck:
    recorded: Decimal | None
    recomputed: Decimal | None

    @property
    def matches(self) -> bool:
        return self.recorded == self.recomputed


@dataclass(frozen=True)
class LineCheck:
    tranche: str
    amounts: dict[str, AmountCheck]

    @property
    def matches(self) -> bool:
        return all(check.matches for check in self.amounts.values())


@dataclass(frozen=True)
class BatchCheck:
    id: str
    feed: str
    recorded_sha256: str
    stored_sha256: str | None

    @property
    def matches(self) -> bool:
        return self.recorded_sha256 == self.stored_sha256


@dataclass(frozen=True)
class Verification:
    statement: str
    recorded_fingerprint: str
    recomputed_fingerprint: str
    total_due: AmountCheck
    lines: list[LineCheck]
    batches: list[BatchCheck]

    @property
    def fingerprint_matches(self) -> bool:
        return self.recorded_fingerprint == self.recomputed_fingerprint

    @property
    def matches(self) -> bool:
        return (
            self.fingerprint_matches
            and self.total_due.matches
            and all(line.matches for line in self.lines)
            and all(batch.matches for batch in self.batches)
        )


def verify_statement(session: Session, *, principal: Principal, statement_id: str) -> Verification:
    statement = statement_for(session, principal, statement_id, roles=ANY_ROLE)
    batch_ids = [batch.batch_id for batch in statement.batches]
    stored = {
        batch.public_id: batch.sha256
        for batch in batches.batches_by_public_ids(session, statement.contract, batch_ids)
    }
    evaluation = evaluate_stored_contract(
        session,
        contract=statement.contract,
        version_number=statement.version,
        as_of=statement.as_of,
        batch_ids=batch_ids,
        # The obligation records its draft read: those recorded before it was drafted.
        records_until=statement.created_at,
    )
    recomputed = statement_lines(
        evaluation.result.tranches,
        billed_by_tranche(_billed_before(session, statement)),
        as_of=statement.as_of,
        version=statement.version,
        currency=evaluation.result.currency,
    )
    return Verification(
        statement=statement.id,
        recorded_fingerprint=statement.fingerprint,
        recomputed_fingerprint=evaluation.fingerprint,
        total_due=AmountCheck(statement.total_due, sum((r.due for r in recomputed), ZERO)),
        lines=_compare_lines(statement.lines, recomputed),
        batches=[
            BatchCheck(b.batch_id, b.feed, b.sha256, stored.get(b.batch_id))
            for b in statement.batches
        ],
    )


def _billed_before(session: Session, statement: Statement) -> list[Statement]:
    """The approved statements this one was drafted against: approvals are numbered in order
    and a draft is approved only while that count is unchanged, so they are the first
    `approvals_before` of them."""
    approved = repository.approved_statements(session, statement.contract_id)
    return [
        s
        for s in approved
        if s.approval_number is not None and s.approval_number <= statement.approvals_before
    ]


def _compare_lines(recorded: list[StatementLine], recomputed: list[LineDraft]) -> list[LineCheck]:
    fresh = {line.tranche: line for line in recomputed}
    keys = [line.tranche for line in recorded]
    keys += [line.tranche for line in recomputed if line.tranche not in keys]
    kept = {line.tranche: line for line in recorded}
    checks = []
    for key in keys:
        old, new = kept.get(key), fresh.get(key)
        checks.append(
            LineCheck(
                tranche=key,
                amounts={
                    name: AmountCheck(
                        getattr(old, name) if old is not None else None,
                        getattr(new, name) if new is not None else None,
                    )
                    for name in AMOUNTS
                },
            )
        )
    return checks

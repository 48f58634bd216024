"""Disputes (SPEC §3): the vendor objects to a line of a statement; the district resolves it
as `upheld` (the vendor is right: the draft cannot be approved as it stands) or `rejected`.
While a dispute is open, approval needs an `override_reason` (app/statements/review.py)."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts.access import DISTRICT, VENDOR
from app.errors import Conflict, InvalidInput, NotFound
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.access import statement_for
from app.statements.models import Dispute, StatementStatus
from app.unit_of_work import UnitOfWork


class Outcome(enum.StrEnum):
    upheld = "upheld"  # the district agrees the line is wrong
    rejected = "rejected"  # the line stands


def open_dispute(
    session: Session, *, principal: Principal, statement_id: str, line: str, reason: str
) -> Dispute:
    statement = statement_for(
        session, principal, statement_id, roles=VENDOR, at_least=Role.preparer, lock=True
    )
    if statement.status == StatementStatus.voided:
        raise Conflict(f"Statement {statement.id} is voided; there is nothing to dispute.")
    disputed = next((item for item in statement.lines if item.tranche == line), None)
    if disputed is None:
        tranches = ", ".join(item.tranche for item in statement.lines) or "none"
        raise InvalidInput(
            f"Statement {statement.id} has no line '{line}'.",
            [{"path": "line", "message": f"must be one of the statement's lines: {tranches}"}],
        )
    if any(d.is_open and d.line_id == disputed.id for d in statement.disputes):
        raise Conflict(f"Line '{line}' already has an open dispute; wait for its resolution.")
    with UnitOfWork(session, actor=principal) as uow:
        dispute = Dispute(
            id=str(uuid.uuid4()),
            statement_id=statement.id,
            line_id=disputed.id,
            reason=reason,
            opened_at=utcnow(),
            opened_by_key_id=principal.api_key_id,
            opened_by=principal.name,
        )
        repository.add(session, dispute)
        uow.record(
            action="dispute.opened",
            object_type="dispute",
            object_id=dispute.id,
            contract_key=statement.contract.key,
            details={"statement": statement.id, "line": line, "due": str(disputed.due)},
        )
        uow.commit()
    session.refresh(statement)
    return dispute


def resolve_dispute(
    session: Session, *, principal: Principal, dispute_id: str, outcome: Outcome, note: str
) -> Dispute:
    dispute = repository.dispute_by_id(session, dispute_id)
    try:
        statement = statement_for(
            session,
            principal,
            dispute.statement_id if dispute else "",
            roles=DISTRICT,
            at_least=Role.approver,
            lock=True,
        )
    except NotFound:
        raise NotFound(f"No dispute '{dispute_id}'.") from None
    assert dispute is not None  # a missing dispute has no statement: NotFound above
    session.refresh(dispute)
    if not dispute.is_open:
        raise Conflict(f"Dispute {dispute.id} is already resolved ({dispute.outcome}).")
    with UnitOfWork(session, actor=principal) as uow:
        dispute.resolved_at = utcnow()
        dispute.resolved_by_key_id = principal.api_key_id
        dispute.resolved_by = principal.name
        dispute.outcome = outcome.value
        dispute.resolution_note = note
        session.flush()
        uow.record(
            action="dispute.resolved",
            object_type="dispute",
            object_id=dispute.id,
            contract_key=statement.contract.key,
            details={
                "statement": statement.id,
                "line": dispute.line.tranche,
                "outcome": outcome.value,
                "note": note,
            },
        )
        uow.commit()
    session.refresh(statement)
    return dispute

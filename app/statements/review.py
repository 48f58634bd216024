"""Reviewing statements: read, approve, void, dispute a line, resolve a dispute.

Approve and void lock the statement row first, so of two simultaneous requests the second
sees what the first did. Each write use case commits exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts import repository as contracts
from app.contracts.access import ANY_ROLE, DISTRICT, VENDOR, contract_for
from app.errors import Conflict, InvalidInput, NotFound
from app.evaluation.service import evaluate_stored_contract
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.access import check_if_match, statement_for
from app.statements.models import Dispute, Statement, StatementStatus
from app.unit_of_work import UnitOfWork


def get_statement(session: Session, *, principal: Principal, statement_id: str) -> Statement:
    return statement_for(session, principal, statement_id, roles=ANY_ROLE)


def list_statements(
    session: Session, *, principal: Principal, contract_key: str
) -> Sequence[Statement]:
    contract = contract_for(session, principal, contract_key, roles=ANY_ROLE)
    return repository.statements_of_contract(session, contract.id)


def approve_statement(
    session: Session, *, principal: Principal, statement_id: str, if_match: str | None = None
) -> Statement:
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver
    )
    # Contract first, then statement: every approval of the contract queues on the same row.
    contracts.lock_contract(session, statement.contract)
    repository.lock_statement(session, statement)
    check_if_match(statement, if_match)
    _require_draft(statement, "approved")
    approvals = repository.approval_count(session, statement.contract_id)
    if approvals != statement.approvals_before:
        raise Conflict(
            "Another statement of this contract was approved after this draft was made, so its "
            "previously billed amounts are out of date. Draft a new statement.",
            extra={"hint": "redraft"},
        )
    current = evaluate_stored_contract(session, contract=statement.contract, as_of=statement.as_of)
    if current.fingerprint != statement.fingerprint:
        raise Conflict(
            "The data or the contract version changed since this statement was drafted "
            "(its fingerprint no longer matches a fresh evaluation). Draft a new statement.",
            extra={
                "hint": "redraft",
                "fingerprint": statement.fingerprint,
                "current_fingerprint": current.fingerprint,
            },
        )
    with UnitOfWork(session, actor=principal) as uow:
        statement.status = StatementStatus.approved
        statement.approval_number = approvals + 1
        statement.approved_at = utcnow()
        statement.approved_by_key_id = principal.api_key_id
        session.flush()
        uow.record(
            action="statement.approved",
            object_type="statement",
            object_id=statement.id,
            contract_key=statement.contract.key,
            details={
                "approval_number": statement.approval_number,
                "total_due": str(statement.total_due),
                "fingerprint": statement.fingerprint,
            },
        )
        uow.commit()
    return statement


def void_statement(session: Session, *, principal: Principal, statement_id: str) -> Statement:
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver, lock=True
    )
    _require_draft(statement, "voided")
    with UnitOfWork(session, actor=principal) as uow:
        statement.status = StatementStatus.voided
        statement.voided_at = utcnow()
        statement.voided_by_key_id = principal.api_key_id
        session.flush()
        uow.record(
            action="statement.voided",
            object_type="statement",
            object_id=statement.id,
            contract_key=statement.contract.key,
            details={"as_of": statement.as_of.isoformat()},
        )
        uow.commit()
    return statement


def _require_draft(statement: Statement, wanted: str) -> None:
    if statement.status == StatementStatus.draft:
        return
    if statement.status == StatementStatus.approved:
        raise Conflict(
            f"Statement {statement.id} is approved; an approved statement never changes."
        )
    raise Conflict(f"Statement {statement.id} is voided; it cannot be {wanted}.")


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
    session: Session, *, principal: Principal, statement_id: str, dispute_id: str, note: str
) -> Dispute:
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver, lock=True
    )
    dispute = repository.dispute_by_id(session, statement.id, dispute_id)
    if dispute is None:
        raise NotFound(f"Statement {statement.id} has no dispute '{dispute_id}'.")
    if not dispute.is_open:
        raise Conflict(f"Dispute {dispute.id} is already resolved.")
    with UnitOfWork(session, actor=principal) as uow:
        dispute.resolved_at = utcnow()
        dispute.resolved_by_key_id = principal.api_key_id
        dispute.resolution_note = note
        session.flush()
        uow.record(
            action="dispute.resolved",
            object_type="dispute",
            object_id=dispute.id,
            contract_key=statement.contract.key,
            details={"statement": statement.id, "line": dispute.line.tranche},
        )
        uow.commit()
    session.refresh(statement)
    return dispute

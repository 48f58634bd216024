"""Reviewing statements: read, approve, void. Disputes are in app/statements/disputes.py.

Approve and void lock the statement row first, so of two simultaneous requests the second
sees what the first did. Each write use case commits exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.audit.checkpoints import Checkpoint, checkpoint_signing, require_signing
from app.clock import utcnow
from app.contracts import repository as contracts
from app.contracts.access import ANY_ROLE, DISTRICT, contract_for
from app.errors import Conflict, Forbidden
from app.evaluation.service import evaluate_stored_contract
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.access import check_if_match, statement_for
from app.statements.models import Statement, StatementStatus
from app.unit_of_work import UnitOfWork


def get_statement(session: Session, *, principal: Principal, statement_id: str) -> Statement:
    return statement_for(session, principal, statement_id, roles=ANY_ROLE, whole=True)


def list_statements(
    session: Session, *, principal: Principal, contract_key: str
) -> Sequence[Statement]:
    contract = contract_for(session, principal, contract_key, roles=ANY_ROLE)
    return repository.statements_of_contract(session, contract.id)


def approve_statement(
    session: Session,
    *,
    principal: Principal,
    statement_id: str,
    override_reason: str | None = None,
    if_match: str | None = None,
) -> Statement:
    """Approve a draft (SPEC §3). Refused: 403 to whoever drafted it (another person or
    system must approve); 409 while a dispute is open unless `override_reason` says why it
    may be approved anyway (recorded and audited), when a dispute was upheld, and when the
    draft is stale (approvals, data or the version in force changed since)."""
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver
    )
    # SPEC §3 signs the chain head, approval included, at every approval: a service that
    # cannot sign refuses to approve rather than record an approval nobody can verify.
    require_signing(session, "No statement can be approved here.")
    # Contract first, then statement: every approval of the contract queues on the same row.
    contracts.lock_contract(session, statement.contract)
    repository.lock_statement(session, statement)
    check_if_match(statement, if_match)
    _require_draft(statement, "approved")
    if statement.drafted_by_identity == principal.identity:
        raise Forbidden(
            f"{principal.name} drafted this statement, so cannot approve it: another approver "
            "of the district must (the preparer and the approver of a statement are two "
            "different people or systems).",
            extra={"drafted_by": statement.drafted_by},
        )
    upheld = [d for d in statement.disputes if d.outcome == "upheld"]
    if upheld:
        raise Conflict(
            "A dispute on this draft was upheld (line "
            + ", ".join(sorted({d.line.tranche for d in upheld}))
            + "): correct the data and draft a new statement.",
            extra={"hint": "redraft", "disputes": [d.id for d in upheld]},
        )
    still_open = [d for d in statement.disputes if d.is_open]
    override_reason = (override_reason or "").strip() or None
    if still_open and override_reason is None:
        raise Conflict(
            f"{len(still_open)} dispute(s) on this statement are open (line "
            + ", ".join(sorted({d.line.tranche for d in still_open}))
            + "): resolve them first, or approve with an override_reason saying why.",
            extra={"open_disputes": [d.id for d in still_open]},
        )
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
            "The data or the contract version in force changed since this statement was drafted "
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
        statement.approved_by = principal.name
        statement.approved_by_identity = principal.identity
        statement.override_reason = override_reason if still_open else None
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
                "drafted_by": statement.drafted_by,
                **(
                    {
                        "override_reason": override_reason,
                        "open_disputes": [d.id for d in still_open],
                    }
                    if still_open
                    else {}
                ),
            },
        )
        # SPEC §3: the chain head, approval included, is signed at every approval.
        uow.checkpoint(
            reason="statement.approved",
            contract_key=statement.contract.key,
            details={"statement": statement.id},
        )
        uow.commit()
    return statement


def approval_checkpoint(session: Session, statement: Statement) -> Checkpoint | None:
    """The signed chain head written when `statement` was approved (None for a draft)."""
    if statement.status != StatementStatus.approved:
        return None
    return checkpoint_signing(session, action="statement.approved", object_id=statement.id)


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

"""Recording payments against approved statements: partial payments add up, never past the
amount due. The statement row is locked first, so two simultaneous payments that would
together overpay cannot both be recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts.access import DISTRICT
from app.engine.money import ZERO, money_text
from app.errors import Conflict, InvalidInput
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.access import check_if_match, statement_for
from app.statements.models import Payment, Statement, StatementStatus
from app.unit_of_work import UnitOfWork


def paid(statement: Statement) -> Decimal:
    return sum((payment.amount for payment in statement.payments), ZERO)


def outstanding(statement: Statement) -> Decimal:
    """What is still to pay on an approved statement (0 on drafts, voided ones and credits)."""
    if statement.status != StatementStatus.approved:
        return ZERO
    return max(statement.total_due - paid(statement), ZERO)


def record_payment(
    session: Session,
    *,
    principal: Principal,
    statement_id: str,
    amount: Decimal,
    paid_on: date,
    reference: str,
    if_match: str | None = None,
) -> Statement:
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver, lock=True
    )
    check_if_match(statement, if_match)
    if amount <= ZERO:
        raise InvalidInput(
            "A payment is a positive amount.",
            [{"path": "amount", "message": "must be more than 0.00"}],
        )
    if statement.status != StatementStatus.approved:
        raise Conflict(
            f"Statement {statement.id} is {statement.status.value}; "
            "payments are recorded only against approved statements."
        )
    if statement.total_due <= ZERO:
        raise Conflict(
            f"Statement {statement.id} is a credit of {money_text(-statement.total_due)}: "
            "nothing is to be paid on it."
        )
    left = outstanding(statement)
    if amount > left:
        raise Conflict(
            f"A payment of {money_text(amount)} exceeds the {money_text(left)} "
            f"still outstanding on statement {statement.id}.",
            extra={"outstanding": money_text(left)},
        )
    with UnitOfWork(session, actor=principal) as uow:
        payment = Payment(
            statement_id=statement.id,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            recorded_at=utcnow(),
            recorded_by_key_id=principal.api_key_id,
        )
        repository.add(session, payment)
        uow.record(
            action="payment.recorded",
            object_type="payment",
            object_id=payment.id,
            contract_key=statement.contract.key,
            details={
                "statement": statement.id,
                "amount": money_text(amount),
                "paid_on": paid_on.isoformat(),
                "reference": reference,
            },
        )
        uow.commit()
    session.refresh(statement)
    return statement

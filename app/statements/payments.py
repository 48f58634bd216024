"""Payments and refunds, per contract (SPEC §3 Payments).

`outstanding` (per contract) = approved totals − payments, where a refund received from the
vendor is a negative payment; it may be negative (the vendor owes the district). A payment
never takes outstanding past zero: when it is > 0, `0 < amount ≤ outstanding`; when < 0,
`outstanding ≤ amount < 0`; when it is 0 nothing can be recorded. `paid_on` is not in the
future and not before a year before the term starts. A payment may reference a statement
(`POST /v1/statements/{id}/payments`, the shortcut), under the same contract-level bounds.

The contract row is locked first, so two simultaneous payments that would together cross
zero cannot both be recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app import clock
from app.clock import utcnow
from app.contracts import repository as contracts
from app.contracts.access import DISTRICT, contract_for
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.engine.money import ZERO, money_text
from app.errors import Conflict, InvalidInput
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.access import check_if_match, statement_for
from app.statements.models import Payment, Statement, StatementStatus
from app.unit_of_work import UnitOfWork


def paid(statement: Statement) -> Decimal:
    """What was recorded against this statement (payments less refunds)."""
    return sum((payment.amount for payment in statement.payments), ZERO)


def outstanding(statement: Statement) -> Decimal:
    """What is still to pay against an approved statement, never below 0 (0 on drafts, voided
    ones and credits). The contract's outstanding, which decides what may be paid, is
    `contract_outstanding`."""
    if statement.status != StatementStatus.approved:
        return ZERO
    return max(statement.total_due - paid(statement), ZERO)


def contract_outstanding(session: Session, contract_id: int) -> Decimal:
    """Approved totals − payments of the contract; negative: the vendor owes the district."""
    return repository.approved_total(session, contract_id) - repository.paid_total(
        session, contract_id
    )


def record_contract_payment(
    session: Session,
    *,
    principal: Principal,
    contract_key: str,
    amount: Decimal,
    paid_on: date,
    reference: str,
) -> Payment:
    contract = contract_for(
        session, principal, contract_key, roles=DISTRICT, at_least=Role.approver
    )
    contracts.lock_contract(session, contract)
    return _record(session, principal, contract, None, amount, paid_on, reference)


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
    """The shortcut: a payment referencing an approved statement (or a refund referencing a
    credit statement), under the contract's bounds."""
    statement = statement_for(
        session, principal, statement_id, roles=DISTRICT, at_least=Role.approver
    )
    # Contract first, then statement, as approvals do.
    contracts.lock_contract(session, statement.contract)
    repository.lock_statement(session, statement)
    check_if_match(statement, if_match)
    if statement.status != StatementStatus.approved:
        raise Conflict(
            f"Statement {statement.id} is {statement.status.value}; "
            "payments are recorded only against approved statements."
        )
    if statement.total_due <= ZERO < amount:
        raise Conflict(
            f"Statement {statement.id} is a credit of {money_text(-statement.total_due)}: "
            "nothing is paid on it; a refund from the vendor (a negative amount) may be."
        )
    if amount < ZERO < statement.total_due:
        raise Conflict(
            f"Statement {statement.id} bills {money_text(statement.total_due)}: a refund "
            "is recorded against a credit statement or the contract, not against it."
        )
    _record(session, principal, statement.contract, statement, amount, paid_on, reference)
    session.refresh(statement)
    return statement


def _record(
    session: Session,
    principal: Principal,
    contract: Contract,
    statement: Statement | None,
    amount: Decimal,
    paid_on: date,
    reference: str,
) -> Payment:
    _check_paid_on(contract, paid_on)
    if amount == ZERO:
        raise InvalidInput(
            "A payment is not zero.",
            [{"path": "amount", "message": "positive for a payment, negative for a refund"}],
        )
    left = contract_outstanding(session, contract.id)
    _check_bounds(amount, left)
    with UnitOfWork(session, actor=principal) as uow:
        payment = Payment(
            contract_id=contract.id,
            statement_id=statement.id if statement is not None else None,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            recorded_at=utcnow(),
            recorded_by_key_id=principal.api_key_id,
            recorded_by=principal.name,
        )
        repository.add(session, payment)
        uow.record(
            action="payment.recorded" if amount > ZERO else "refund.recorded",
            object_type="payment",
            object_id=payment.id,
            contract_key=contract.key,
            details={
                "statement": statement.id if statement is not None else None,
                "amount": money_text(amount),
                "paid_on": paid_on.isoformat(),
                "reference": reference,
                "outstanding_after": money_text(left - amount),
            },
        )
        uow.commit()
    return payment


def _check_bounds(amount: Decimal, left: Decimal) -> None:
    extra = {"outstanding": money_text(left)}
    if left == ZERO:
        raise Conflict(
            "Nothing is outstanding on this contract: neither a payment nor a refund can be "
            "recorded until a statement is approved.",
            extra=extra,
        )
    if left > ZERO and not ZERO < amount <= left:
        raise Conflict(
            f"{money_text(left)} is outstanding: a payment must be more than 0.00 and at most "
            f"that; {money_text(amount)} would take outstanding past zero.",
            extra=extra,
        )
    if left < ZERO and not left <= amount < ZERO:
        raise Conflict(
            f"The vendor owes {money_text(-left)}: only a refund (a negative amount) of at most "
            f"that can be recorded, not {money_text(amount)}.",
            extra=extra,
        )


def _check_paid_on(contract: Contract, paid_on: date) -> None:
    version = contract.version_in_force
    if version is None:
        raise Conflict(f"Contract '{contract.key}' is not active yet: nothing can be paid.")
    start = stored_definition(version.definition_json).term.start
    earliest = _a_year_before(start)
    today = clock.today()
    if paid_on > today:
        message = f"must not be in the future (today is {today.isoformat()})"
    elif paid_on < earliest:
        message = f"must not be before {earliest.isoformat()}, a year before the term starts"
    else:
        return
    raise InvalidInput(
        "The payment date is not plausible.", [{"path": "paid_on", "message": message}]
    )


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)

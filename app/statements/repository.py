"""Queries about statements. Adds and flushes; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from app.contracts.models import Contract
from app.db import begin_writing
from app.organisations.models import ApiKey
from app.statements.models import Dispute, Payment, Statement, StatementStatus


def statement_by_id(
    session: Session, statement_id: str, *, whole: bool = False
) -> Statement | None:
    """With `whole`, what can still change of everything a statement's response shows, in
    three queries instead of a lazy load per attribute (the lines and batches, which never
    change, come from app/statements/written_once.py). Not for a statement about to be
    locked: its outer joins cannot be locked FOR UPDATE on PostgreSQL."""
    return session.get(Statement, statement_id, options=_WHOLE if whole else ())


def _by_whom(key: Any) -> LoaderOption:
    return joinedload(key).joinedload(ApiKey.organisation, innerjoin=True)


_WHOLE: tuple[LoaderOption, ...] = (
    joinedload(Statement.contract, innerjoin=True),
    _by_whom(Statement.created_by),
    _by_whom(Statement.approved_by_key),
    _by_whom(Statement.voided_by),
    selectinload(Statement.payments),
    selectinload(Statement.disputes),
)


def lock_statement(session: Session, statement: Statement) -> None:
    """Reload the statement under a row lock (SELECT … FOR UPDATE on PostgreSQL; on SQLite
    `begin_writing` takes the write lock, which serialises writers). Its collections reload on
    next access, so checks made after this see what committed before the lock was granted."""
    begin_writing(session)
    session.refresh(statement, with_for_update=True)


def approved_statements(session: Session, contract_id: int) -> Sequence[Statement]:
    """The contract's approved statements, in approval order."""
    return session.scalars(
        select(Statement)
        .where(
            Statement.contract_id == contract_id,
            Statement.status == StatementStatus.approved,
        )
        .order_by(Statement.approval_number)
        .options(selectinload(Statement.disputes))  # the balance reads each one's disputes
    ).all()


def approved_statements_of(
    session: Session, contract_ids: Sequence[int]
) -> dict[int, list[Statement]]:
    """:func:`approved_statements` of several contracts at once (two queries, however many
    contracts: a state-wide vendor's balance covers hundreds)."""
    found: dict[int, list[Statement]] = {contract_id: [] for contract_id in contract_ids}
    statements = session.scalars(
        select(Statement)
        .where(
            Statement.contract_id.in_(list(contract_ids)),
            Statement.status == StatementStatus.approved,
        )
        .order_by(Statement.contract_id, Statement.approval_number)
        .options(selectinload(Statement.disputes))
    ).all()
    for statement in statements:
        found[statement.contract_id].append(statement)
    return found


def paid_totals(session: Session, contract_ids: Sequence[int]) -> dict[int, Decimal]:
    """:func:`paid_total` of several contracts at once, in one GROUP BY."""
    rows = session.execute(
        select(Payment.contract_id, func.sum(Payment.amount))
        .where(Payment.contract_id.in_(list(contract_ids)))
        .group_by(Payment.contract_id)
    ).all()
    paid = dict.fromkeys(contract_ids, Decimal("0.00"))
    paid.update({contract_id: total for contract_id, total in rows if total is not None})
    return paid


def approved_total(session: Session, contract_id: int) -> Decimal:
    """Sum of total_due over the contract's approved statements (a SUM of a Money column
    comes back as a Decimal; NULL when there is none)."""
    total = session.scalar(
        select(func.sum(Statement.total_due)).where(
            Statement.contract_id == contract_id, Statement.status == StatementStatus.approved
        )
    )
    return total if total is not None else Decimal("0.00")


def paid_total(session: Session, contract_id: int) -> Decimal:
    """Payments less refunds of the contract."""
    total = session.scalar(
        select(func.sum(Payment.amount)).where(Payment.contract_id == contract_id)
    )
    return total if total is not None else Decimal("0.00")


def payments_of_contract(session: Session, contract_id: int) -> Sequence[Payment]:
    return session.scalars(
        select(Payment).where(Payment.contract_id == contract_id).order_by(Payment.id)
    ).all()


def approval_count(session: Session, contract_id: int) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Statement)
        .where(
            Statement.contract_id == contract_id,
            Statement.status == StatementStatus.approved,
        )
    )
    return int(count or 0)


def statements_of_contract(session: Session, contract_id: int) -> Sequence[Statement]:
    return session.scalars(
        select(Statement)
        .where(Statement.contract_id == contract_id)
        .order_by(Statement.created_at, Statement.id)
    ).all()


def add(session: Session, *rows: object) -> None:
    session.add_all(rows)
    session.flush()


def dispute_by_id(session: Session, dispute_id: str) -> Dispute | None:
    return session.get(Dispute, dispute_id)


def contracts_with_vendor(
    session: Session, vendor_id: int, district_id: int | None
) -> Sequence[Contract]:
    """The vendor's contracts, or only those with one district when `district_id` is given."""
    query = select(Contract).where(Contract.vendor_id == vendor_id)
    if district_id is not None:
        query = query.where(Contract.district_id == district_id)
    return session.scalars(query.order_by(Contract.key)).all()

"""Queries about statements. Adds and flushes; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from app.contracts.models import Contract
from app.db import begin_writing
from app.organisations.models import ApiKey, Organisation
from app.statements.models import (
    Dispute,
    Payment,
    Statement,
    StatementLine,
    StatementStatus,
)


def statement_by_id(
    session: Session, statement_id: str, *, whole: bool = False
) -> Statement | None:
    """With `whole`, what can still change of everything a statement's response shows, in
    one query instead of a lazy load per attribute (the lines and batches, which never
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
    # Joined, not one query each: every first read of a statement (after any change to the
    # ledger) pays a round trip and the ORM's per-query overhead for each. A statement has a
    # few payments and disputes, so the rows they multiply into stay few.
    joinedload(Statement.payments),
    joinedload(Statement.disputes).joinedload(Dispute.line),  # each dispute names its line
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
    ).all()


def _figure_columns() -> tuple[ColumnElement[Any], ...]:
    """What a contract's balance figures are made of, as correlated subqueries on `Contract`
    (each an index lookup): the key, the approved and paid sums, the earned and held sums of
    the latest approved statement's lines, and the due of the lines of approved statements
    that an open dispute names (once per open dispute)."""
    approved = and_(
        Statement.contract_id == Contract.id, Statement.status == StatementStatus.approved
    )
    latest = (
        select(Statement.id)
        .where(approved)
        .order_by(Statement.approval_number.desc())
        .limit(1)
        .correlate(Contract)
        .scalar_subquery()
    )

    def summed(column: Any, *where: ColumnElement[bool]) -> ColumnElement[Any]:
        return select(func.sum(column)).where(*where).correlate(Contract).scalar_subquery()

    return (
        Contract.key.label("contract"),
        summed(Statement.total_due, approved).label("approved"),
        summed(Payment.amount, Payment.contract_id == Contract.id).label("paid"),
        summed(StatementLine.earned, StatementLine.statement_id == latest).label("earned"),
        summed(StatementLine.held, StatementLine.statement_id == latest).label("held"),
        summed(
            StatementLine.due,
            Dispute.line_id == StatementLine.id,
            Dispute.resolved_at.is_(None),
            Statement.id == Dispute.statement_id,
            approved,
        ).label("disputed"),
    )


def contract_figures(session: Session, contract_id: int) -> Row[Any]:
    """One contract's figure sums (see `_figure_columns`), in one query."""
    return session.execute(select(*_figure_columns()).where(Contract.id == contract_id)).one()


def vendor_figures(
    session: Session, vendor_key: str, *, vendor_id: int | None, district_id: int | None
) -> Sequence[Row[Any]]:
    """The organisation `vendor_key` (its `kind`) beside the figure sums of each of its
    contracts as a vendor, in one query: only if its id is `vendor_id` (when given), and only
    the contracts with `district_id` (when given). No row: no such organisation (or not that
    one); one row with a null `contract`: it has no such contract."""
    contracts = Contract.vendor_id == Organisation.id
    if district_id is not None:
        contracts = and_(contracts, Contract.district_id == district_id)
    query = (
        select(Organisation.kind, *_figure_columns())
        .select_from(Organisation)
        .outerjoin(Contract, contracts)
        .where(Organisation.key == vendor_key)
        .order_by(Contract.key)
    )
    if vendor_id is not None:
        query = query.where(Organisation.id == vendor_id)
    return session.execute(query).all()


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

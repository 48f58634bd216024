"""An approved statement never changes (SPEC §3, §5): not even code that bypasses the service
can update or delete its rows through the ORM."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.statements.models import ImmutableStatement, Payment, Statement, StatementLine


def test_an_approved_statement_row_cannot_be_updated(approved_statement, db_session):
    statement = db_session.get(Statement, approved_statement["id"])
    statement.total_due = Decimal("1.00")
    with pytest.raises(ImmutableStatement):
        db_session.flush()
    db_session.rollback()


def test_a_voided_statement_row_cannot_be_updated(desk, feeds, db_session):
    draft = desk.draft("2027-02-01")
    desk.call("POST", f"/v1/statements/{draft['id']}/void", "ector-isd", 200)
    statement = db_session.get(Statement, draft["id"])
    statement.as_of = statement.as_of.replace(year=2030)
    with pytest.raises(ImmutableStatement):
        db_session.flush()
    db_session.rollback()


def test_lines_are_never_updated_not_even_on_a_draft(desk, feeds, db_session):
    draft = desk.draft("2027-02-01")
    line = db_session.get(Statement, draft["id"]).lines[0]
    assert isinstance(line, StatementLine)
    line.due = Decimal("0.00")
    with pytest.raises(ImmutableStatement):
        db_session.flush()
    db_session.rollback()


def test_payments_and_statements_are_never_deleted(desk, approved_statement, db_session):
    desk.pay(approved_statement["id"], "10.00")
    payment = db_session.get(Statement, approved_statement["id"]).payments[0]
    assert isinstance(payment, Payment)
    db_session.delete(payment)
    with pytest.raises(ImmutableStatement):
        db_session.flush()
    db_session.rollback()

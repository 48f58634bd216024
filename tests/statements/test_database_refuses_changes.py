"""The database itself refuses UPDATE and DELETE on approved statements, their lines and
batches, and on payments (SPEC §3), whoever sends the SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

REFUSED = [
    "UPDATE statements SET total_due = 0 WHERE id = :statement",
    "DELETE FROM statements WHERE id = :statement",
    "UPDATE statement_lines SET due = 0 WHERE statement_id = :statement",
    "DELETE FROM statement_lines WHERE statement_id = :statement",
    "UPDATE statement_batches SET sha256 = 'x' WHERE statement_id = :statement",
    "DELETE FROM statement_batches WHERE statement_id = :statement",
    "UPDATE statement_payments SET amount = 1 WHERE statement_id = :statement",
    "DELETE FROM statement_payments WHERE statement_id = :statement",
]


@pytest.mark.parametrize("sql", REFUSED, ids=lambda sql: " ".join(sql.split()[:3]))
def test_sql_cannot_rewrite_an_approved_statement_or_a_payment(
    desk, approved_statement, db_session, sql
):
    desk.pay(approved_statement["id"], "10.00")
    with pytest.raises(DBAPIError, match="never change"), db_session.begin_nested():
        db_session.execute(text(sql), {"statement": approved_statement["id"]})
    shown = desk.call("GET", f"/v1/statements/{approved_statement['id']}", "ector-isd", 200)
    assert (shown["total_due"], shown["paid"]) == ("1450.00", "10.00")
    assert [line["due"] for line in shown["lines"]] == ["1000.00", "450.00"]


def test_a_draft_is_still_approved_or_voided_through_sql(desk, feeds, db_session):
    """The guard is on approved rows only: a draft's status changes once."""
    draft = desk.draft("2027-02-01")
    with db_session.begin_nested():
        db_session.execute(
            text("UPDATE statements SET status = 'voided' WHERE id = :id"), {"id": draft["id"]}
        )

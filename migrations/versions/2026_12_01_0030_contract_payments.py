"""contract payments: a payment (or a refund, negative) belongs to a contract and may
reference a statement; who recorded it

Revision ID: 20261201_0030_payments
Revises: 20261201_0018_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_0030_payments"
down_revision = "20261201_0018_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("statement_payments", sa.Column("contract_id", sa.Integer(), nullable=True))
    op.add_column(
        "statement_payments", sa.Column("recorded_by", sa.String(length=300), nullable=True)
    )
    op.execute(
        "UPDATE statement_payments SET contract_id = (SELECT statements.contract_id FROM "
        "statements WHERE statements.id = statement_payments.statement_id)"
    )
    with op.batch_alter_table("statement_payments") as batch_op:
        batch_op.alter_column("contract_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("statement_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_statement_payments_contract_id_contracts"),
            "contracts",
            ["contract_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_statement_payments_contract_id"), ["contract_id"])


def downgrade() -> None:
    # Payments recorded against a contract only have no statement to fall back to.
    op.execute("DELETE FROM statement_payments WHERE statement_id IS NULL")
    with op.batch_alter_table("statement_payments") as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_payments_contract_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_statement_payments_contract_id_contracts"), type_="foreignkey"
        )
        batch_op.alter_column("statement_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("contract_id")
        batch_op.drop_column("recorded_by")

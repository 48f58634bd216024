"""statement review: who drafted and approved each statement, the audit head at drafting, the
override reason; lines held for review; dispute outcomes and who opened and resolved them

Revision ID: 20261201_0018_review
Revises: 2026_12_01_0055_report_reads
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_0018_review"
down_revision = "2026_12_01_0055_report_reads"
branch_labels = None
depends_on = None

STATEMENT_COLUMNS = (
    ("drafted_by", sa.String(length=300)),
    ("drafted_by_identity", sa.String(length=150)),
    ("audit_head", sa.String(length=64)),
    ("approved_by", sa.String(length=300)),
    ("approved_by_identity", sa.String(length=150)),
    ("override_reason", sa.Text()),
)
DISPUTE_COLUMNS = (
    ("opened_by", sa.String(length=300)),
    ("resolved_by", sa.String(length=300)),
    ("outcome", sa.String(length=16)),
)


def upgrade() -> None:
    for name, type_ in STATEMENT_COLUMNS:
        op.add_column("statements", sa.Column(name, type_, nullable=True))
    for name, type_ in DISPUTE_COLUMNS:
        op.add_column("statement_disputes", sa.Column(name, type_, nullable=True))
    # A flagged (indeterminate) line is what SPEC v2 calls held for review.
    with op.batch_alter_table("statement_lines") as batch_op:
        batch_op.alter_column(
            "flagged", new_column_name="held_for_review", existing_type=sa.Boolean()
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_lines") as batch_op:
        batch_op.alter_column(
            "held_for_review", new_column_name="flagged", existing_type=sa.Boolean()
        )
    for name, _ in reversed(DISPUTE_COLUMNS):
        op.drop_column("statement_disputes", name)
    for name, _ in reversed(STATEMENT_COLUMNS):
        op.drop_column("statements", name)

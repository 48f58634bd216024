"""batches: the §2b format that read an upload, the columns it dropped, the rows it skipped

Revision ID: 20261201_formats
Revises: obligation_records
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_formats"
down_revision = "obligation_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(
            sa.Column("format", sa.String(length=32), server_default="tranche", nullable=False)
        )
        batch.add_column(
            sa.Column("dropped_columns", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch.add_column(
            sa.Column("skipped_rows", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("skipped_rows")
        batch.drop_column("dropped_columns")
        batch.drop_column("format")

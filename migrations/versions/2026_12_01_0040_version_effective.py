"""versions in force by effective date: each accepted version records from when it governs

Revision ID: 20261201_0040_effective
Revises: 20261201_0030_payments

Versions accepted before take their acceptance day, the default SPEC §1 gives.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_0040_effective"
down_revision = "20261201_0030_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contract_versions", sa.Column("effective", sa.Date(), nullable=True))
    rows = op.get_bind().execute(
        sa.text("SELECT id, accepted_at FROM contract_versions WHERE accepted_at IS NOT NULL")
    )
    for version_id, accepted_at in rows.fetchall():
        day = accepted_at.date() if hasattr(accepted_at, "date") else str(accepted_at)[:10]
        op.get_bind().execute(
            sa.text("UPDATE contract_versions SET effective = :day WHERE id = :id"),
            {"day": day, "id": version_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("contract_versions") as batch_op:
        batch_op.drop_column("effective")

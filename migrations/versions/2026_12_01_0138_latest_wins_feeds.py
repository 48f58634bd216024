"""feeds: latest value wins (a `current` flag per row), schedule rows, new assessment and
usage columns, batches recognised by their rows

Revision ID: 20261201_feeds
Revises: 20261201_0110_web_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_feeds"
down_revision = "20261201_0110_web_sessions"
branch_labels = None
depends_on = None

ROW_TABLES = ("roster_rows", "assessment_rows", "usage_rows", "schedule_rows")
# Each feed's natural key (app/engine/feed_schema.py), as it is on this revision.
KEYS = {
    "roster_rows": ("student_id",),
    "assessment_rows": ("student_id", "assessment", "window"),
    "usage_rows": ("student_id", "date", "session_id"),
    "schedule_rows": ("student_id", "date", "session_id"),
}


def upgrade() -> None:
    op.create_table(
        "schedule_rows",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("student_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("sessions_offered", sa.BigInteger(), nullable=False),
        sa.Column("minutes_offered", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Text(), nullable=True),
    )
    op.create_index(
        op.f("ix_schedule_rows_batch_id"),
        "schedule_rows",
        ["batch_id"],
        unique=False,
        postgresql_using="brin",
    )
    for table in ("roster_rows", "assessment_rows", "usage_rows"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("current", sa.Boolean(), server_default=sa.true(), nullable=False)
            )
            if table == "assessment_rows":
                batch.add_column(sa.Column("typical_growth", sa.BigInteger(), nullable=True))
                batch.add_column(sa.Column("growth_percentile", sa.Integer(), nullable=True))
                batch.add_column(sa.Column("standard_error", sa.BigInteger(), nullable=True))
                batch.add_column(sa.Column("rapid_guessing", sa.Integer(), nullable=True))
            if table == "usage_rows":
                batch.add_column(sa.Column("session_id", sa.Text(), nullable=True))
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("rows_sha256", sa.String(length=64), nullable=True))
        batch.create_index(
            "ix_batches_contract_id_feed_rows_sha256",
            ["contract_id", "feed", "rows_sha256"],
            unique=False,
        )
    for table in ("roster_rows", "assessment_rows", "usage_rows"):
        _mark_current(table)


def _mark_current(table: str) -> None:
    """Rows stored before this revision: only the latest accepted row of each key counts."""
    same_key = " AND ".join(
        f"later.{name} IS NOT DISTINCT FROM {table}.{name}"
        if op.get_bind().dialect.name == "postgresql"
        else f"later.{name} IS {table}.{name}"
        for name in KEYS[table]
    )
    op.execute(
        f"""
        UPDATE {table} SET current = false
        WHERE batch_id IN (SELECT id FROM batches WHERE status = 'superseded')
           OR EXISTS (
                SELECT 1 FROM {table} AS later
                JOIN batches AS later_batch ON later_batch.id = later.batch_id
                JOIN batches AS this_batch ON this_batch.id = {table}.batch_id
                WHERE later_batch.contract_id = this_batch.contract_id
                  AND later_batch.status = 'accepted'
                  AND later.batch_id > {table}.batch_id
                  AND {same_key})
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_index("ix_batches_contract_id_feed_rows_sha256")
        batch.drop_column("rows_sha256")
    for table in ("roster_rows", "assessment_rows", "usage_rows"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("current")
            if table == "assessment_rows":
                for name in ("typical_growth", "growth_percentile", "standard_error"):
                    batch.drop_column(name)
                batch.drop_column("rapid_guessing")
            if table == "usage_rows":
                batch.drop_column("session_id")
    op.drop_index(op.f("ix_schedule_rows_batch_id"), table_name="schedule_rows")
    op.drop_table("schedule_rows")

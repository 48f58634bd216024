"""sum spans: totals are kept per span of the windows, not per window

Revision ID: 20261202_sum_spans
Revises: 20261202_totals_fillfactor

Totals were kept per contract window, and windows overlap (the term, the school year, the
fall), so a month of usage at 1M students moved each student's totals once per window: 2.7M
rows. They are now kept per span, a piece of the windows that no window boundary cuts
(app/ingestion/spans.py), and a window is read as the sum of the spans that tile it.

Nothing is rebuilt: each window registered so far is a span that tiles itself, so the
registry is renamed (``sum_windows`` → ``sum_spans``, ``window_id`` → ``span_id``) and
reads the same totals. Windows registered from now on are cut into spans. PostgreSQL renames
in place (the app role's grants follow the table); SQLite, whose constraint names are part of
the table's text, gets the registry copied into a new table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_sum_spans"
down_revision = "20261202_totals_fillfactor"
branch_labels = None
depends_on = None

TOTALS = ("usage_totals", "schedule_totals")


def upgrade() -> None:
    _rename("sum_windows", "sum_spans")
    for table in TOTALS:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN window_id TO span_id")


def downgrade() -> None:
    for table in TOTALS:
        op.execute(f"ALTER TABLE {table} RENAME COLUMN span_id TO window_id")
    _rename("sum_spans", "sum_windows")


def _rename(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.rename_table(old, new)
        for constraint in ("pk_{}", "fk_{}_contract_id_contracts", _unique("{}")):
            op.execute(
                f"ALTER TABLE {new} RENAME CONSTRAINT {constraint.format(old)}"
                f" TO {constraint.format(new)}"
            )
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
        return
    op.create_table(
        new,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=f"fk_{new}_contract_id_contracts"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{new}"),
        sa.UniqueConstraint("contract_id", "feed", "first_day", "last_day", name=_unique(new)),
    )
    columns = "id, contract_id, feed, first_day, last_day"
    op.execute(f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {old}")
    op.drop_table(old)


def _unique(table: str) -> str:
    return f"uq_{table}_contract_id_feed_first_day_last_day"

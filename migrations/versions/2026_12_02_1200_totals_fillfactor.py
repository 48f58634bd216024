"""totals_fillfactor: the kept totals leave half of each page free, so that moving them is an
update in place (PostgreSQL)

Revision ID: 20261202_totals_fillfactor
Revises: 20261202_access_epoch

Every usage batch of a state-scale contract moves the totals row of each of its students in
each window its dates fall in: a month of usage at 1M students and three windows rewrites 3M
rows. On a full page PostgreSQL writes each new row version on another page and a new entry
in the primary key for it; with room on the same page it is a heap-only (HOT) update, no
index entry, and the dead version is pruned in place. Measured on 3M totals rows
(bench/RESULTS.md): 20 s → 10.5 s per round of updates, and the table stays 411 MB where it
grew to 781 MB. Pages written before this migration fill up as they are; they spread out as
their rows move. SQLite has no such setting.
"""

from __future__ import annotations

from alembic import op

revision = "20261202_totals_fillfactor"
down_revision = "20261202_access_epoch"
branch_labels = None
depends_on = None

TABLES = ("usage_totals", "schedule_totals")
FILLFACTOR = 50


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")

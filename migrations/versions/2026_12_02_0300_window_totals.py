"""window totals: per-student sums of usage and schedule per contract window, kept at ingest

Revision ID: 20261202_totals
Revises: 20261201_feeds

Registers the windows every stored contract version sums usage or schedule over and builds
their totals from the rows that count now, so evaluations read totals from the start. A
version whose definition this revision cannot read is skipped: its windows are registered by
the next batch of the feed, and until then evaluation sums the rows (correct, only slower).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "20261202_totals"
down_revision = "20261201_feeds"
branch_labels = None
depends_on = None

# As the feeds are on this revision (app/engine/feed_schema.py): the summed columns of each
# summed feed, and what a measure's key names.
SUMMED = {
    "usage": ("minutes", "sessions", "lessons"),
    "schedule": ("sessions_offered", "minutes_offered"),
}
MEASURE_FEED = {"usage": "usage", "schedule": "schedule"}


def upgrade() -> None:
    op.create_table(
        "sum_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_sum_windows_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sum_windows")),
        sa.UniqueConstraint(
            "contract_id",
            "feed",
            "first_day",
            "last_day",
            name=op.f("uq_sum_windows_contract_id_feed_first_day_last_day"),
        ),
    )
    for feed, columns in SUMMED.items():
        op.create_table(
            f"{feed}_totals",
            sa.Column("window_id", sa.Integer(), nullable=False),
            sa.Column("student_id", sa.Text(), nullable=False),
            *(sa.Column(name, sa.BigInteger(), nullable=False) for name in columns),
            sa.PrimaryKeyConstraint("window_id", "student_id", name=op.f(f"pk_{feed}_totals")),
        )
    _backfill()


def _backfill() -> None:
    connection = op.get_bind()
    windows = sa.table(
        "sum_windows",
        sa.column("contract_id", sa.Integer),
        sa.column("feed", sa.String),
        sa.column("first_day", sa.Date),
        sa.column("last_day", sa.Date),
    )
    versions = connection.execute(
        sa.text("SELECT contract_id, definition_json FROM contract_versions")
    ).all()
    wanted = sorted(
        {
            (contract_id, feed, first, last)
            for contract_id, definition_json in versions
            for feed, first, last in _windows(definition_json)
        }
    )
    if wanted:
        connection.execute(
            windows.insert(),
            [
                {"contract_id": c, "feed": f, "first_day": first, "last_day": last}
                for c, f, first, last in wanted
            ],
        )
    for feed, columns in SUMMED.items():
        sums = ", ".join(f"sum(coalesce(r.{name}, 0))" for name in columns)
        connection.execute(
            sa.text(
                f"""
                INSERT INTO {feed}_totals (window_id, student_id, {", ".join(columns)})
                SELECT w.id, r.student_id, {sums}
                FROM {feed}_rows AS r
                JOIN batches AS b ON b.id = r.batch_id
                JOIN sum_windows AS w ON w.contract_id = b.contract_id AND w.feed = :feed
                    AND r.date >= w.first_day AND r.date <= w.last_day
                WHERE r.current AND b.status = 'accepted' AND b.feed = :feed
                GROUP BY w.id, r.student_id
                """
            ),
            {"feed": feed},
        )


def _windows(definition_json: str) -> Iterator[tuple[str, date, date]]:
    """(feed, first day, last day) of each summed measure: ``from``/``to``, by default the
    contract term (as app/engine/sums.py says on this revision)."""
    try:
        document = json.loads(definition_json)
        term = document["term"]
        measures = document.get("measures") or {}
        for measure in measures.values():
            for key, feed in MEASURE_FEED.items():
                if isinstance(measure, dict) and key in measure:
                    first = measure.get("from") or term["start"]
                    last = measure.get("to") or term["end"]
                    yield feed, date.fromisoformat(first), date.fromisoformat(last)
    except (ValueError, KeyError, TypeError, AttributeError):
        return


def downgrade() -> None:
    for feed in SUMMED:
        op.drop_table(f"{feed}_totals")
    op.drop_table("sum_windows")

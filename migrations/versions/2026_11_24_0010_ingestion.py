"""ingestion: batches and feed rows

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _row_key() -> list[sa.SchemaItem]:
    # Neither a primary key nor a foreign key: see app/ingestion/models.py (COPY speed).
    return [
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    ]


def _row_index(table: str) -> None:
    # BRIN on PostgreSQL: a batch's rows are appended together, so block ranges find them.
    op.create_index(
        op.f(f"ix_{table}_batch_id"), table, ["batch_id"], unique=False, postgresql_using="brin"
    )


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum("accepted", "superseded", name="batchstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_batches_api_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_batches_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_batches_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["batches.id"], name=op.f("fk_batches_replaces_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"], ["batches.id"], name=op.f("fk_batches_superseded_by_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint(
            "contract_id",
            "organisation_id",
            "idempotency_key",
            name=op.f("uq_batches_contract_id_organisation_id_idempotency_key"),
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_batches_public_id")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(
            "ix_batches_contract_id_feed_sha256", ["contract_id", "feed", "sha256"], unique=False
        )

    op.create_table(
        "roster_rows",
        *_row_key(),
        sa.Column("student_id", sa.Text(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Text(), nullable=True),
        sa.Column("ell", sa.Boolean(), nullable=True),
        sa.Column("sped", sa.Boolean(), nullable=True),
        sa.Column("econ_disadv", sa.Boolean(), nullable=True),
    )
    _row_index("roster_rows")
    op.create_table(
        "assessment_rows",
        *_row_key(),
        sa.Column("student_id", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("window", sa.Text(), nullable=False),
        sa.Column("score", sa.BigInteger(), nullable=False),
        sa.Column("growth_target", sa.BigInteger(), nullable=True),
        sa.Column("proficiency_level", sa.Text(), nullable=True),
        sa.Column("test_date", sa.Date(), nullable=True),
    )
    _row_index("assessment_rows")
    op.create_table(
        "usage_rows",
        *_row_key(),
        sa.Column("student_id", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.BigInteger(), nullable=False),
        sa.Column("lessons", sa.BigInteger(), nullable=True),
    )
    _row_index("usage_rows")


def downgrade() -> None:
    for table in ("usage_rows", "assessment_rows", "roster_rows"):
        op.drop_index(op.f(f"ix_{table}_batch_id"), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_contract_id_feed_sha256")
        batch_op.drop_index(batch_op.f("ix_batches_contract_id"))
    op.drop_table("batches")

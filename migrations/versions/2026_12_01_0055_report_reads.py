"""report reads: an append-only access log, so reading a report no longer writes the chain

Revision ID: 2026_12_01_0055_report_reads
Revises: 20261201_formats
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_01_0055_report_reads"
down_revision = "20261201_formats"
branch_labels = None
depends_on = None

MESSAGE = "report_reads is append-only"


def upgrade() -> None:
    op.create_table(
        "report_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("system_name", sa.String(length=100), nullable=True),
        sa.Column("actor_name", sa.String(length=300), nullable=False),
        sa.Column("contract_key", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("suppression", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_report_reads_api_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_report_reads_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reads")),
    )
    op.create_index(
        op.f("ix_report_reads_contract_key"), "report_reads", ["contract_key"], unique=False
    )
    op.create_index(
        op.f("ix_report_reads_recorded_at"), "report_reads", ["recorded_at"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION report_reads_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER report_reads_append_only BEFORE UPDATE OR DELETE ON report_reads "
            "FOR EACH ROW EXECUTE FUNCTION report_reads_append_only()"
        )
        op.execute(
            "CREATE TRIGGER report_reads_no_truncate BEFORE TRUNCATE ON report_reads "
            "FOR EACH STATEMENT EXECUTE FUNCTION report_reads_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER report_reads_no_{operation.lower()} BEFORE {operation} "
                f"ON report_reads BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_reads_no_truncate ON report_reads")
        op.execute("DROP TRIGGER IF EXISTS report_reads_append_only ON report_reads")
        op.execute("DROP FUNCTION IF EXISTS report_reads_append_only()")
    op.drop_index(op.f("ix_report_reads_recorded_at"), table_name="report_reads")
    op.drop_index(op.f("ix_report_reads_contract_key"), table_name="report_reads")
    op.drop_table("report_reads")

"""obligation records: each party's met/missed records of the district's obligations

Revision ID: obligation_records
Revises: 20261201_2356_people
Create Date: 2026-12-01 00:30:00

Records are append-only (SPEC §1: the latest record of each party counts; earlier ones stay
as history). As for the audit log, the database itself refuses UPDATE and DELETE, so a stray
statement cannot rewrite what a party attested.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "obligation_records"
down_revision = "20261201_2356_people"
branch_labels = None
depends_on = None

MESSAGE = "obligation_records is append-only"


def upgrade() -> None:
    op.create_table(
        "obligation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("obligation", sa.String(length=64), nullable=False),
        sa.Column(
            "party",
            sa.Enum("district", "vendor", name="obligationparty", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("met", "missed", name="obligationstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_key_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_obligation_records_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_obligation_records_recorded_by_key_id_api_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_records")),
        sa.UniqueConstraint("public_id", name=op.f("uq_obligation_records_public_id")),
    )
    with op.batch_alter_table("obligation_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_obligation_records_contract_obligation",
            ["contract_id", "obligation"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION obligation_records_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER obligation_records_append_only BEFORE UPDATE OR DELETE "
            "ON obligation_records FOR EACH ROW EXECUTE FUNCTION obligation_records_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER obligation_records_no_{operation.lower()} BEFORE {operation} "
                f"ON obligation_records BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS obligation_records_append_only ON obligation_records")
        op.execute("DROP FUNCTION IF EXISTS obligation_records_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS obligation_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS obligation_records_no_delete")
    with op.batch_alter_table("obligation_records", schema=None) as batch_op:
        batch_op.drop_index("ix_obligation_records_contract_obligation")
    op.drop_table("obligation_records")

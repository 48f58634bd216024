"""people: persons of an organisation; API keys act for a person or a named system; audit
entries name who acted

Revision ID: 20261201_2356_people
Revises: 0004

Keys made before people existed become keys of a named system (their label, else
"key-<prefix>") with the role approver, so they keep every power they had. Audit entries
written before keep hash version 1 and verify as written; new entries hash the actor too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_2356_people"
down_revision = "0004"
branch_labels = None
depends_on = None

ROLE = sa.Enum("viewer", "preparer", "approver", name="role", native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_people_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    with op.batch_alter_table("people") as batch_op:
        batch_op.create_index(batch_op.f("ix_people_organisation_id"), ["organisation_id"])

    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("system_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("role", ROLE, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_keys_person_id_people"), "people", ["person_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_api_keys_person_id"), ["person_id"])
    op.execute(
        "UPDATE api_keys SET system_name = COALESCE(NULLIF(label, ''), 'key-' || prefix), "
        "role = 'approver'"
    )
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.create_check_constraint(
            "one_actor", "(person_id IS NULL) <> (system_name IS NULL)"
        )

    # Plain ADD COLUMNs, never a batch rebuild: rebuilding would drop the append-only
    # triggers, and old rows take their values (null, hash version 1) from the defaults.
    op.add_column("audit_entries", sa.Column("person_id", sa.Integer(), nullable=True))
    op.add_column("audit_entries", sa.Column("system_name", sa.String(length=100), nullable=True))
    op.add_column("audit_entries", sa.Column("actor_name", sa.String(length=300), nullable=True))
    op.add_column("audit_entries", sa.Column("actor_role", sa.String(length=16), nullable=True))
    op.add_column(
        "audit_entries",
        sa.Column("hash_version", sa.Integer(), server_default="1", nullable=False),
    )

    with op.batch_alter_table("batches") as batch_op:
        batch_op.alter_column("api_key_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch_op:
        batch_op.alter_column("api_key_id", existing_type=sa.Integer(), nullable=False)
    for column in ("hash_version", "actor_role", "actor_name", "system_name", "person_id"):
        op.drop_column("audit_entries", column)
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.drop_constraint("one_actor", type_="check")
        batch_op.drop_index(batch_op.f("ix_api_keys_person_id"))
        batch_op.drop_constraint(batch_op.f("fk_api_keys_person_id_people"), type_="foreignkey")
        batch_op.drop_column("role")
        batch_op.drop_column("system_name")
        batch_op.drop_column("person_id")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_organisation_id"))
    op.drop_table("people")

"""access_epoch: a number that moves whenever an API key, a person or an organisation changes,
so a server may keep whom a key authenticates as and ask only whether this number moved

Revision ID: 20261202_access_epoch
Revises: 20261202_totals

The server reads it beside the ledger version in one statement (app/read_cache/ledger.py) and
keeps each key's caller for one epoch (app/admission/known_keys.py). Triggers, not the
services, move it: a key revoked or a person disabled by `tranche`, by the web app, by another
server process or by hand in SQL moves it in the same transaction, and the next request of
that key, in every process, authenticates against the database again. New rows do not move
it (a key nobody has used is not kept anywhere).

A later SQLite batch migration that rebuilds one of these tables drops its triggers with it:
such a migration must create them again (see `create_triggers`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_access_epoch"
down_revision = "20261202_totals"
branch_labels = None
depends_on = None

# Every table a Principal is built from (app/organisations/service.py `authenticate`).
WATCHED = ("api_keys", "people", "organisations")
BUMP = "UPDATE access_epoch SET epoch = epoch + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "access_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_epoch")),
    )
    op.execute("INSERT INTO access_epoch (id, epoch) VALUES (1, 0)")
    create_triggers()


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION bump_access_epoch() RETURNS trigger AS $$
            BEGIN
                {BUMP};
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        for table in WATCHED:
            # Once per statement: revoking a thousand keys moves it once.
            op.execute(
                f"CREATE TRIGGER {table}_access_epoch AFTER UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_access_epoch()"
            )
        return
    for table in WATCHED:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_access_epoch_{operation.lower()} AFTER {operation} "
                f"ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_access_epoch ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_access_epoch()")
    else:
        for table in WATCHED:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_access_epoch_{operation}")
    op.drop_table("access_epoch")

"""the database refuses UPDATE and DELETE on approved statements, their lines and batches,
and on payments (SPEC §3: "an approved statement never changes")

Revision ID: 20261201_0050_immutable
Revises: 20261201_0040_effective

Like the audit log's triggers (0004): the ORM guards in app/statements/models.py stop the
application's own mistakes; these stop a stray UPDATE or DELETE from anyone with SQL access,
short of a deliberate DROP or DISABLE TRIGGER. A draft's row still changes once (approved or
voided); nothing else here ever changes.

A later SQLite batch migration that rebuilds one of these tables drops its triggers with it:
such a migration must create them again (see `create_triggers`).
"""

from __future__ import annotations

from alembic import op

revision = "20261201_0050_immutable"
down_revision = "20261201_0040_effective"
branch_labels = None
depends_on = None

MESSAGE = "approved statements and payments never change"
# table -> SQL condition on OLD under which a change is refused
GUARDED = {
    "statements": "OLD.status = 'approved'",
    "statement_lines": (
        "(SELECT status FROM statements WHERE statements.id = OLD.statement_id) = 'approved'"
    ),
    "statement_batches": (
        "(SELECT status FROM statements WHERE statements.id = OLD.statement_id) = 'approved'"
    ),
    "statement_payments": "TRUE",
}


def upgrade() -> None:
    create_triggers()


def create_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, condition in GUARDED.items():
        if postgresql:
            op.execute(
                f"""
                CREATE FUNCTION {table}_settled() RETURNS trigger AS $$
                BEGIN
                    IF {condition} THEN
                        RAISE EXCEPTION '{MESSAGE}: % on {table} refused', TG_OP;
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END
                $$ LANGUAGE plpgsql
                """
            )
            op.execute(
                f"CREATE TRIGGER {table}_settled BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_settled()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_settled()"
            )
        else:
            when = "" if condition == "TRUE" else f" WHEN {condition}"
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_settled_no_{operation.lower()} BEFORE {operation} "
                    f"ON {table}{when} BEGIN SELECT RAISE(ABORT, "
                    f"'{MESSAGE}: {operation} on {table} refused'); END"
                )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in GUARDED:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_settled ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_settled()")
        else:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_settled_no_{operation}")

"""PostgreSQL roles (README "Database roles"): the owner runs migrations; the service runs as
a role that may do only what the service does. No role but the owner may UPDATE or DELETE a
row the ledger promises never changes (the audit log, the feeds' rows, approved money), and
nobody's app role may DELETE anything: nothing is ever deleted (SPEC §5).

`tranche db grants ROLE` prints these statements; tests/migrations/test_app_role.py runs them
on PostgreSQL and fails when a table is in neither list, so every new table gets a decision.
"""

from __future__ import annotations

# Rows are only ever added: INSERT and SELECT.
APPEND_ONLY = (
    "audit_entries",
    "roster_rows",
    "assessment_rows",
    "usage_rows",
    "schedule_rows",
    "auditor_grants",
    "statement_batches",
    "statement_lines",
    "statement_payments",
    "obligation_records",
    "report_reads",
    "sum_spans",  # a span of a contract's windows whose totals are kept: registered once
)
# Rows whose state moves on (a batch superseded, a draft approved, a key revoked, the chain
# head advanced, the access epoch moved): INSERT, SELECT and UPDATE — approved statements are
# guarded by triggers.
UPDATABLE = (
    "organisations",
    "api_keys",
    "people",
    "contracts",
    "contract_versions",
    "batches",
    "statements",
    "statement_disputes",
    "audit_chain_head",
    "web_sessions",
    # Per-student sums of the current feed rows (app/ingestion/totals.py): derived state that
    # every batch moves, by exactly the rows whose flag it changes. Never deleted.
    "usage_totals",
    "schedule_totals",
    "access_epoch",  # moved by the triggers on api_keys, people and organisations
)
# Feed rows are append-only except for one column: latest value wins (SPEC §2) is kept as a
# `current` flag that a later batch clears on the rows it restates (app/ingestion/current.py).
# The values themselves stay as posted.
CURRENT_FLAGGED = ("roster_rows", "assessment_rows", "usage_rows", "schedule_rows")


def app_role_grants(role: str, *, schema: str = "public") -> list[str]:
    """The GRANTs that make `role` the service's role, once the owner has migrated."""
    quoted = '"' + role.replace('"', '""') + '"'
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
        f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY)} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE ON {', '.join(UPDATABLE)} TO {quoted}",
        *(f"GRANT UPDATE (current) ON {table} TO {quoted}" for table in CURRENT_FLAGGED),
        f"GRANT SELECT ON alembic_version TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
    ]

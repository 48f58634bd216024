"""The service's own PostgreSQL role (README "Database roles"): it cannot rewrite the audit
log even with the triggers switched off, and every table has a decided set of privileges."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import Base
from app.db_roles import APPEND_ONLY, UPDATABLE, app_role_grants

ROLE = "tranche_app_role_test"


def test_every_table_is_either_append_only_or_updatable():
    import app.main  # noqa: F401  (every domain's models registered)

    tables = set(Base.metadata.tables)
    undecided = tables - set(APPEND_ONLY) - set(UPDATABLE)
    assert not undecided, f"decide the app role's privileges in app/db_roles.py: {undecided}"
    assert not set(APPEND_ONLY) & set(UPDATABLE)


@pytest.fixture
def as_app_role(db_session):  # type: ignore[no-untyped-def]
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    # Inside the test's transaction: the role and its grants vanish with the rollback.
    db_session.execute(text(f"CREATE ROLE {ROLE} NOLOGIN"))
    for statement in app_role_grants(ROLE):
        db_session.execute(text(statement))
    db_session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))  # not the guard
    db_session.execute(text(f"SET LOCAL ROLE {ROLE}"))
    yield db_session
    db_session.execute(text("RESET ROLE"))


def _refused(session, statement: str) -> str:  # type: ignore[no-untyped-def]
    savepoint = session.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        session.execute(text(statement))
    savepoint.rollback()
    return refused.value.orig.sqlstate  # type: ignore[union-attr]


def test_the_app_role_cannot_update_or_delete_audit_entries(as_app_role, world):
    assert as_app_role.execute(text("SELECT count(*) FROM audit_entries")).scalar() > 0
    insufficient_privilege = "42501"
    assert (
        _refused(as_app_role, "UPDATE audit_entries SET details = '{}'") == insufficient_privilege
    )
    assert _refused(as_app_role, "DELETE FROM audit_entries") == insufficient_privilege
    assert _refused(as_app_role, "TRUNCATE audit_entries") == insufficient_privilege
    assert _refused(as_app_role, "UPDATE statement_payments SET reference = 'x'") == (
        insufficient_privilege
    )
    assert _refused(as_app_role, "DELETE FROM batches") == insufficient_privilege


def test_the_app_role_can_still_advance_the_chain_head(as_app_role, world):
    as_app_role.execute(text("UPDATE audit_chain_head SET last_hash = last_hash"))


def test_the_app_role_may_move_only_the_current_flag_of_feed_rows(as_app_role, world):
    insufficient_privilege = "42501"
    as_app_role.execute(text("UPDATE usage_rows SET current = current"))
    assert _refused(as_app_role, "UPDATE usage_rows SET minutes = 0") == insufficient_privilege
    assert _refused(as_app_role, "UPDATE schedule_rows SET student_id = 'x'") == (
        insufficient_privilege
    )
    assert _refused(as_app_role, "DELETE FROM roster_rows") == insufficient_privilege

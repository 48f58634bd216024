"""Hot reads (app/deps.py `in_session`) read outside a transaction on PostgreSQL
(app/db.py `begin_reading`), and the pooled connection they used writes atomically again."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from app.db import begin_reading, make_engine, make_session_factory
from app.organisations.models import Organisation, OrganisationKind


def test_a_read_on_postgresql_leaves_no_transaction_open(migrated_engine: Engine) -> None:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads keep their snapshot transaction (no round trips to save)")
    with make_session_factory(migrated_engine)() as session:
        begin_reading(session)
        assert session.execute(text("SELECT 1")).scalar_one() == 1
        driver = session.connection().connection.dbapi_connection
        assert driver is not None
        assert driver.info.transaction_status == TransactionStatus.IDLE


def test_the_connection_a_read_used_writes_in_one_transaction_again(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0)  # one connection: reused
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            begin_reading(session)
            before = session.scalar(select(func.count()).select_from(Organisation))
        with factory() as session:
            session.add(Organisation(key="never-kept", kind=OrganisationKind.vendor, name="x"))
            session.flush()
            session.rollback()
        with factory() as session:
            begin_reading(session)
            assert session.scalar(select(func.count()).select_from(Organisation)) == before
    finally:
        engine.dispose()

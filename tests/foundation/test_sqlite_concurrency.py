"""On SQLite, a request that only reads must not hold the write lock: a long evaluation would
otherwise block every write (and time out readers) until it finished."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import READS_ONLY, make_engine


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine
    engine.dispose()


def write_quickly(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        # Fail fast instead of waiting; set on the driver connection, outside any transaction.
        connection.connection.driver_connection.execute("PRAGMA busy_timeout=200")
        with connection.begin():
            connection.execute(text("INSERT INTO notes VALUES ('written')"))


def test_a_reading_transaction_does_not_block_a_writer(sqlite_engine):
    with Session(sqlite_engine) as reader:
        reader.connection(execution_options={READS_ONLY: True})  # what get_session does for a GET
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        write_quickly(sqlite_engine)  # would raise "database is locked" under IMMEDIATE
        # ... and the reader keeps its snapshot until it ends.
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0


def test_a_writing_transaction_takes_the_write_lock_at_once(sqlite_engine):
    with sqlite_engine.connect() as writer, writer.begin():
        writer.execute(text("SELECT count(*) FROM notes"))
        with pytest.raises(Exception, match="locked"):
            write_quickly(sqlite_engine)


def test_only_the_report_among_get_endpoints_is_a_logged_read(app):
    logged = {
        path
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if method == "get" and operation.get("x-logged-read")
    }
    assert logged == {"/v1/contracts/{key}/report"}

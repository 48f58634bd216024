"""On SQLite, a request that only reads must not hold the write lock: a long evaluation would
otherwise block every write (and time out readers) until it finished. Every session starts
as a reader; the write lock is taken when a unit of work begins its write (begin_writing)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import begin_writing, make_engine, make_session_factory


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
    with make_session_factory(sqlite_engine)() as reader:  # what every request starts with
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        write_quickly(sqlite_engine)  # would raise "database is locked" under IMMEDIATE
        # ... and the reader keeps its snapshot until it ends.
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0


def test_beginning_to_write_takes_the_write_lock_at_once(sqlite_engine):
    with make_session_factory(sqlite_engine)() as writer:
        begin_writing(writer)
        writer.execute(text("SELECT count(*) FROM notes"))
        with pytest.raises(Exception, match="locked"):
            write_quickly(sqlite_engine)


def test_a_reader_that_begins_to_write_sees_what_committed_while_it_read(sqlite_engine):
    """A reader's snapshot cannot take the lock safely; it starts again as a writer, so the
    checks a use case makes under the lock see the latest rows."""
    with make_session_factory(sqlite_engine)() as session:
        assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        write_quickly(sqlite_engine)
        begin_writing(session)
        assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 1
        session.execute(text("INSERT INTO notes VALUES ('mine')"))
        session.commit()
    with Session(sqlite_engine) as session:
        assert session.execute(text("SELECT count(*) FROM notes")).scalar() == 2


def test_no_operation_carries_policy_in_the_public_document(app):
    """Transaction mode and cache policy are dependencies in the code, not `x-` flags."""
    flagged = {
        (path, method)
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if any(name.startswith("x-") for name in operation)
    }
    assert flagged == set()

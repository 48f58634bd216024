"""Database plumbing: engine and session factory, naming convention, the Money column type."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app import database_watchdog
from app.clock import as_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Money(TypeDecorator[Decimal]):
    """A Decimal amount stored as whole cents in a BIGINT.

    SQLite's NUMERIC silently loses precision on large values; integers never do. A value with
    fractions of a cent is refused, not rounded: rounding is the engine's business.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        cents = Decimal(value) * 100
        if cents != cents.to_integral_value():
            raise ValueError(f"{value} is not a whole number of cents")
        return int(cents)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, always handed back as an aware UTC datetime.

    PostgreSQL returns aware values and SQLite naive ones; without this the same record
    would serialise as `…+00:00` on one database and without a zone on the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


# The largest id an INTEGER primary key holds on PostgreSQL: a cursor or `after` beyond it is
# refused as input, never sent to the database.
LARGEST_ID = 2**31 - 1

# An execution option: this connection's transaction will write (see begin_writing).
WRITES = "tranche_writes"
_WROTE = "tranche_wrote"  # Session.info: the current transaction has flushed a change

# As many connections as the server has request threads (AnyIO's default is 40), so a burst of
# requests waits for the database, not for a free connection.
POOL = {"pool_size": 10, "max_overflow": 30}


WATCHDOG_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long anything may wait on the database, in seconds (app/config.py sets them).

    A database that accepts connections and never answers must cost a request seconds, not
    a worker: `connect` bounds opening a connection (PostgreSQL's handshake included),
    `statement` every statement on the server, `pool` the wait for a free connection, and on
    SQLite `busy` the wait for another writer's lock.
    """

    connect: float = 5.0
    statement: float = 30.0
    pool: float = 10.0
    busy: float = 10.0


def make_engine(
    url: str,
    *,
    sqlite_foreign_keys: bool = True,
    timeouts: DatabaseTimeouts | None = None,
    **kwargs: Any,
) -> Engine:
    timeouts = timeouts or DatabaseTimeouts()
    options = POOL | {"pool_timeout": timeouts.pool} | kwargs
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": timeouts.busy},
            **options,
        )
        _make_sqlite_transactional(engine, foreign_keys=sqlite_foreign_keys, busy=timeouts.busy)
        return engine
    connect_args = {
        # libpq counts whole seconds (and at least 2); psycopg enforces it client-side, so a
        # server that accepts the socket and never answers the handshake is given up on.
        "connect_timeout": max(2, math.ceil(timeouts.connect)),
        "options": f"-c statement_timeout={int(timeouts.statement * 1000)}",
        # A server that vanished (host down, network cut) is noticed by the kernel in seconds.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": int(timeouts.statement * 1000),
    }
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
    # The server enforces statement_timeout only while it runs; past it (plus a grace) the
    # client gives up on its own (app/database_watchdog.py).
    database_watchdog.install(engine, deadline_seconds=timeouts.statement + WATCHDOG_GRACE_SECONDS)
    return engine


def _make_sqlite_transactional(engine: Engine, *, foreign_keys: bool, busy: float) -> None:
    """SQLAlchemy's documented pysqlite recipe: let SQLAlchemy, not the driver, emit BEGIN.

    Without it pysqlite defers BEGIN and breaks SAVEPOINTs (and so rollback-per-test), and
    foreign keys stay unenforced.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Set per connection and outside any transaction, where SQLite honours it.
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Every transaction starts as a reader (deferred: under WAL it reads a snapshot and
        # blocks nobody). A unit of work about to write asks for the write lock up front
        # (IMMEDIATE, begin_writing): two deferred transactions that both read then write
        # could otherwise deadlock.
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def begin_writing(session: Session) -> None:
    """From here on this session's transaction writes: on SQLite, hold the write lock.

    Requests start as readers, so parsing an upload or rendering a PDF never holds SQLite's
    one write lock. A reader's snapshot cannot take that lock safely (another writer may have
    committed since it began), so a reader that has written nothing ends its transaction and
    begins again as a writer; everything it loaded is expired and re-read under the lock, so
    checks made after this call see the latest data. PostgreSQL needs none of it (row locks),
    and a session joined to a caller's transaction (the tests') is left as it is.
    """
    if isinstance(session.bind, Connection):
        return
    if session.in_transaction():
        connection = session.connection()
        if connection.dialect.name != "sqlite" or connection.get_execution_options().get(WRITES):
            return
        if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
            return  # it wrote already: SQLite upgraded the lock itself, nothing to redo
        session.rollback()
    session.connection(execution_options={WRITES: True})


def begin_reading(session: Session) -> None:
    """This session only reads: on PostgreSQL, run it in autocommit, each query on its own.

    A transaction buys a reader nothing there: under READ COMMITTED (the default, never
    changed here) every statement takes a fresh snapshot, in a transaction or not. It costs
    two round trips per request (BEGIN, and the pool's ROLLBACK when the connection returns)
    and, worse, psycopg forgets the statements it prepared on every ROLLBACK: with one per
    request, the hot reads' queries were parsed and planned by PostgreSQL afresh every time.
    In autocommit psycopg prepares a query once it has run five times on a connection. The
    pool puts the connection back in transaction mode when it returns. Call it before the
    session's first query, only for work that never writes (a flush would commit at once).
    SQLite keeps its transaction: it holds a snapshot across the reads and costs no round
    trip. A session joined to a caller's transaction (the tests') is left as it is.
    """
    if isinstance(session.bind, Connection) or session.in_transaction():
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)

    @event.listens_for(factory, "after_begin")
    def _reset(session: Session, _transaction: Any, _connection: Any) -> None:
        session.info[_WROTE] = False

    @event.listens_for(factory, "after_flush")
    def _wrote(session: Session, _context: Any) -> None:
        session.info[_WROTE] = True

    return factory


def session_opener(factory: sessionmaker[Session]) -> Callable[[], AbstractContextManager[Session]]:
    """What the app opens sessions with (`app.state.open_session`): one closed when done.
    The tests swap it for one that hands out their own transaction."""

    @contextmanager
    def open_session() -> Iterator[Session]:
        with factory() as session:
            yield session

    return open_session

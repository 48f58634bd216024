"""Database plumbing: engine and session factory, naming convention, the Money column type."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

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


# An execution option: this connection's transaction only reads (see _on_begin).
READS_ONLY = "tranche_reads_only"

# As many connections as the server has request threads (AnyIO's default is 40), so a burst of
# requests waits for the database, not for a free connection.
POOL = {"pool_size": 10, "max_overflow": 30}


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> Engine:
    options = POOL | kwargs
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        _make_sqlite_transactional(engine, foreign_keys=sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _make_sqlite_transactional(engine: Engine, *, foreign_keys: bool) -> None:
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
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock up front (IMMEDIATE): two deferred transactions that
        # both read then write could otherwise deadlock. A reader must not take it, or every
        # long evaluation would block every other request; under WAL it reads a snapshot.
        reads_only = connection.get_execution_options().get(READS_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

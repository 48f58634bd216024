"""Writing a parsed feed's rows in bulk, inside the caller's transaction.

PostgreSQL gets one binary ``COPY … FROM STDIN`` (psycopg 3) that Arrow builds in C++;
SQLite gets one ``executemany`` over plain tuples. Never one ORM object (or one INSERT
statement) per row: a million usage rows must load in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import BigInteger, Boolean, Connection, Date, Integer, Table, Text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from app.engine.feed_schema import FEED_SCHEMAS
from app.ingestion import pg_binary
from app.ingestion.columnar import ARROW_TYPES
from app.ingestion.models import ROW_TABLES

COPY_CHUNK_ROWS = 65_536
T = TypeVar("T")


def insert_rows(
    session: Session,
    *,
    feed: str,
    batch_id: int,
    frame: pd.DataFrame,
    meanwhile: Callable[[], T],
) -> T:
    """Store every row of ``frame`` (a parsed feed) under ``batch_id``, running
    ``meanwhile`` while PostgreSQL stores them; returns what it returns."""
    table = ROW_TABLES[feed]
    rows = arrow_rows(table, batch_id, frame, feed)
    return store_while(session.connection(), table, rows, meanwhile)


def store(connection: Connection, table: Table, rows: pa.Table) -> None:
    """Insert ``rows`` (Arrow, typed as stored) into ``table``: nothing else is done per row
    (no conflict handling), so the rows must all be new."""
    store_while(connection, table, rows, lambda: None)


def store_while(
    connection: Connection,
    table: Table,
    rows: pa.Table,
    meanwhile: Callable[[], T],
) -> T:
    """:func:`store`, running ``meanwhile`` once the rows are handed over, while the server
    is still storing them (on SQLite, after); returns what it returns."""
    rows = rows.select([column.name for column in table.columns])
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, rows, meanwhile)
    if rows.num_rows:
        _executemany(connection, table, rows)
    return meanwhile()


def arrow_rows(table: Table, batch_id: int, frame: pd.DataFrame, feed: str) -> pa.Table:
    """The frame as an Arrow table with exactly ``table``'s columns, typed as stored."""
    count = len(frame)
    schema = FEED_SCHEMAS[feed]  # type: ignore[index]
    arrays: dict[str, pa.Array] = {}
    for column in table.columns:
        name = column.name
        if name == "batch_id":
            arrays[name] = pa.array(np.full(count, batch_id, dtype=np.int64))
        elif name == "position":
            arrays[name] = pa.array(np.arange(1, count + 1, dtype=np.int64))
        elif name == "current":  # a new batch's rows are the latest; older ones are unmarked
            arrays[name] = pa.array(np.ones(count, dtype=bool))
        elif (kind := schema.column(name).kind) == "date":
            arrays[name] = pa.array(frame[name], pa.timestamp("ns")).cast(pa.date32())
        else:  # typed by its kind (never text by default: a new column cannot become text)
            arrays[name] = pa.array(frame[name], ARROW_TYPES[kind])
    return pa.table(arrays)


def _copy(connection: Connection, table: Table, rows: pa.Table, meanwhile: Callable[[], T]) -> T:
    """One binary COPY (app/ingestion/pg_binary.py), fed a slice at a time: Arrow builds
    each slice in C++ while psycopg's queued writer thread sends the previous one, so the
    server stores rows while the next are being built. The server takes longer to store
    the rows than Arrow to build them (a 1M-row batch: 0.62 s against 0.3 s; a month at 1M
    students: 6 s against 2 s), so ``meanwhile`` runs in that wait, before the COPY ends."""
    names = ", ".join(f'"{column.name}"' for column in table.columns)
    types = [_pg_type(column.type) for column in table.columns]
    driver_connection: Any = connection.connection.driver_connection
    with driver_connection.cursor() as cursor:
        statement = f"COPY {table.name} ({names}) FROM STDIN WITH (FORMAT binary)"
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            copy.write(pg_binary.HEADER)
            for chunk in rows.to_batches(max_chunksize=COPY_CHUNK_ROWS):
                copy.write(pg_binary.rows(chunk, types))
            copy.write(pg_binary.TRAILER)
            return meanwhile()


def _pg_type(stored: TypeEngine[Any]) -> pg_binary.PgType:
    """How a row table's column is stored (app/ingestion/models.py), for binary COPY."""
    if isinstance(stored, BigInteger):
        return "int8"
    for kind, name in ((Integer, "int4"), (Boolean, "bool"), (Date, "date"), (Text, "text")):
        if isinstance(stored, kind):
            return name  # type: ignore[return-value]
    raise TypeError(f"no binary COPY for {stored!r}")


def _executemany(connection: Connection, table: Table, rows: pa.Table) -> None:
    names = ", ".join(f'"{column.name}"' for column in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(_tuples(rows))
    )


def _tuples(rows: pa.Table) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples of what sqlite3 stores natively (dates as ISO text, as SQLAlchemy's
    SQLite Date type reads them back; booleans as 0/1)."""
    columns = []
    for column in rows.columns:
        if pa.types.is_date32(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_boolean(column.type):
            column = column.cast(pa.int8())
        columns.append(column.to_pylist())
    return zip(*columns, strict=True)

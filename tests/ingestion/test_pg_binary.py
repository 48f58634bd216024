"""Rows sent by binary COPY (app/ingestion/pg_binary.py) arrive exactly as they were: every
stored type, NULLs, empty and non-ASCII texts, the ends of each integer's range and dates on
either side of PostgreSQL's day 0 (2000-01-01)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.ingestion import pg_binary

COLUMNS: list[tuple[str, pg_binary.PgType, pa.DataType, Any]] = [
    ("small", "int4", pa.int64(), st.integers(-(2**31), 2**31 - 1)),
    ("big", "int8", pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    ("flag", "bool", pa.bool_(), st.booleans()),
    ("day", "date", pa.date32(), st.dates(date(1, 1, 1), date(9999, 12, 31))),
    (
        "label",
        "text",
        pa.string(),
        st.one_of(
            st.sampled_from(["", " ", "NULL", "\\N", "a,b", '"q"', "é", "日本"]),
            st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
        ),
    ),
    ("after", "int4", pa.int64(), st.integers(-(2**31), 2**31 - 1)),  # a run after a text
]
SQL_TYPES = {"int4": "integer", "int8": "bigint", "bool": "boolean", "date": "date", "text": "text"}


@pytest.fixture(scope="module")
def postgres(migrated_engine: Engine) -> Engine:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    return migrated_engine


row_strategy = st.tuples(*(st.one_of(st.none(), values) for _, _, _, values in COLUMNS))


def copied(engine: Engine, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    table = pa.table(
        {
            name: pa.array([row[i] for row in rows], arrow_type)
            for i, (name, _, arrow_type, _) in enumerate(COLUMNS)
        }
    )
    columns = ", ".join(f"{name} {SQL_TYPES[kind]}" for name, kind, _, _ in COLUMNS)
    with engine.connect() as connection:
        connection.execute(text(f"CREATE TEMP TABLE copied (n serial, {columns})"))
        names = ", ".join(name for name, _, _, _ in COLUMNS)
        cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY copied ({names}) FROM STDIN WITH (FORMAT binary)") as copy:
            copy.write(pg_binary.HEADER)
            for chunk in table.to_batches(max_chunksize=7):  # slices start mid-buffer
                copy.write(pg_binary.rows(chunk, [kind for _, kind, _, _ in COLUMNS]))
            copy.write(pg_binary.TRAILER)
        back = connection.execute(text(f"SELECT {names} FROM copied ORDER BY n")).all()
        connection.rollback()
    return [tuple(row) for row in back]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row_strategy, max_size=25))
def test_any_rows_arrive_as_they_were(postgres: Engine, rows: list[tuple[Any, ...]]) -> None:
    assert copied(postgres, rows) == rows


def test_a_value_too_wide_for_its_column_is_refused_not_wrapped() -> None:
    with pytest.raises(OverflowError):
        pg_binary.rows(pa.table({"n": pa.array([2**31], pa.int64())}), ["int4"])

"""Reading rows in bulk (app/ingestion/columnar.py): on PostgreSQL a COPY read straight from
libpq. Texts of any kind and NULLs arrive as they were, the read sees the transaction's own
uncommitted rows, and a query that fails, before its first row or half-way, raises the
database's error and leaves the connection usable."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import column, literal_column, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.ingestion.columnar import read_table


@pytest.fixture
def postgres(migrated_engine: Engine) -> Iterator[Session]:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("the COPY read is PostgreSQL's")
    with Session(migrated_engine) as session:
        yield session


TEXTS = st.one_of(
    st.none(),
    st.sampled_from(["", "NULL", "a,b", '"q"', "back\\slash", "line\nend", " sp ", "é"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.tuples(TEXTS, st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)))))
def test_texts_and_numbers_arrive_as_they_were(postgres: Session, values) -> None:  # type: ignore[no-untyped-def]
    postgres.execute(text("CREATE TEMP TABLE IF NOT EXISTS read_back (t text, n bigint)"))
    postgres.execute(text("TRUNCATE read_back"))
    if values:
        postgres.execute(
            text("INSERT INTO read_back VALUES (:t, :n)"), [{"t": t, "n": n} for t, n in values]
        )
    rows = table("read_back", column("t"), column("n"))
    read = read_table(postgres, select(rows.c.t, rows.c.n), {"t": pa.string(), "n": pa.int64()})
    assert sorted(zip(*read.to_pydict().values(), strict=True), key=repr) == sorted(
        values, key=repr
    )  # the INSERT above is not committed: the read is in the same transaction
    postgres.rollback()


def test_a_query_failing_before_its_first_row_raises_and_the_connection_goes_on(postgres):  # type: ignore[no-untyped-def]
    with pytest.raises(psycopg.errors.DivisionByZero):
        read_table(postgres, select(literal_column("1 / 0").label("n")), {"n": pa.int64()})
    postgres.rollback()
    assert postgres.execute(text("SELECT 42")).scalar_one() == 42


def test_a_query_failing_half_way_raises_and_the_connection_goes_on(postgres):  # type: ignore[no-untyped-def]
    series = text("generate_series(1, 100000) AS g")  # rows stream out before row 50,000 fails
    failing = select(literal_column("1000 / (g - 50000)").label("n")).select_from(series)
    with pytest.raises(psycopg.errors.DivisionByZero):
        read_table(postgres, failing, {"n": pa.int64()})
    postgres.rollback()
    assert postgres.execute(text("SELECT 42")).scalar_one() == 42


def test_a_read_stopped_on_our_side_stops_the_copy_and_the_connection_goes_on(
    postgres, monkeypatch
):  # type: ignore[no-untyped-def]
    class Interrupted(Exception):
        pass

    def stop(*args):  # type: ignore[no-untyped-def]
        raise Interrupted  # the first wait for more rows: a worker stopping, a timeout

    monkeypatch.setattr("app.ingestion.columnar.select.select", stop)
    many = select(literal_column("g").label("n")).select_from(
        text("generate_series(1, 5000000) AS g")
    )
    with pytest.raises(Interrupted):
        read_table(postgres, many, {"n": pa.int64()})
    monkeypatch.undo()
    postgres.rollback()
    assert postgres.execute(text("SELECT 42")).scalar_one() == 42

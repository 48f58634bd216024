"""Columns sent to PostgreSQL as one array literal (app/ingestion/pg_arrays.py) arrive exactly
as they were: ids with commas, quotes, backslashes, braces, blanks or the word NULL included."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.ingestion.pg_arrays import array_literal


@pytest.fixture(scope="module")
def postgres(migrated_engine: Engine) -> Engine:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("an array literal is PostgreSQL's")
    return migrated_engine


TEXTS = st.one_of(
    st.none(),
    st.sampled_from(["", "NULL", "null", "a,b", '"q"', "back\\slash", "{x}", " sp ", "é"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXTS, max_size=30))
def test_any_texts_arrive_as_they_were(postgres: Engine, values: list[str | None]) -> None:
    with postgres.connect() as connection:
        back = connection.execute(
            text("SELECT CAST(:values AS text[])"),
            {"values": array_literal(pa.array(values, pa.string()))},
        ).scalar_one()
    assert back == values


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=30))
def test_any_integers_arrive_as_they_were(postgres: Engine, values: list[int | None]) -> None:
    with postgres.connect() as connection:
        back = connection.execute(
            text("SELECT CAST(:values AS bigint[])"),
            {"values": array_literal(pa.array(values, pa.int64()))},
        ).scalar_one()
    assert back == values

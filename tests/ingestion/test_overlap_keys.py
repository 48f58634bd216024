"""Which earlier rows a new batch restates, as matched in memory on PostgreSQL
(app/ingestion/overlap.py): exactly those whose whole natural key, a blank session included,
is a key of the batch."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from app.ingestion.overlap import Overlap

key = st.tuples(
    st.sampled_from(["S1", "S2", "S10", "s1", "S1 x", "Ş1"]),
    st.integers(min_value=0, max_value=40).map(lambda n: date(2026, 9, 1) + timedelta(n)),
    st.sampled_from(["", "a", "b", "A"]),
)


def earlier_table(keys: list[tuple[str, date, str]]) -> pa.Table:
    return pa.table(
        {
            "tid": pa.array([f"(0,{n})" for n in range(len(keys))], pa.string()),
            "student_id": pa.array([k[0] for k in keys], pa.string()),
            "date": pa.array([k[1] for k in keys], pa.date32()),
            "session_key": pa.array([k[2] for k in keys], pa.string()),
            "minutes": pa.array(range(len(keys)), pa.int64()),
            "sessions": pa.array([None] * len(keys), pa.int64()),
            "lessons": pa.array([None] * len(keys), pa.int64()),
        }
    )


def batch_frame(keys: list[tuple[str, date, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([k[0] for k in keys], dtype=object),
            "date": pd.to_datetime([k[1] for k in keys]),
            "session_id": pd.Series([k[2] or None for k in keys], dtype=object),
            "minutes": pd.array([30_000] * len(keys), dtype="Int64"),
        }
    )


@given(
    earlier=st.lists(key, unique=True, max_size=30),
    batch=st.lists(key, unique=True, min_size=1, max_size=30),
)
def test_an_earlier_row_is_restated_exactly_when_the_batch_has_its_key(earlier, batch):
    overlap = Overlap("usage", batch_frame(batch), earlier_table(earlier))
    restated = overlap.restated()
    expected = [k for k in earlier if k in set(batch)]
    got = list(
        zip(
            restated.column("student_id").to_pylist(),
            restated.column("date").to_pylist(),
            restated.column("session_key").to_pylist(),
            strict=True,
        )
    )
    assert got == expected
    assert restated.column("tid").to_pylist() == [
        f"(0,{n})" for n, k in enumerate(earlier) if k in set(batch)
    ]

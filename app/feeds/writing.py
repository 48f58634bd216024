"""Frames → CSV in the format of SPEC §2 (what :func:`parse_feed` reads back unchanged)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from app.engine.feed_schema import FEED_SCHEMAS, Column
from app.engine.frames import QUANTITY_PLACES, QUANTITY_SCALE
from app.feeds.columns import Feed


def feed_csv(feed: Feed, frame: pd.DataFrame) -> bytes:
    """The frame's feed columns (in SPEC order) as UTF-8 CSV with a header row.

    Quantities are written as exact decimals (thousandths ``12500`` → ``12.500``; as whole
    numbers when every value of the column is whole), dates as ``YYYY-MM-DD``, flags as
    ``true``/``false``, missing values as empty cells. Values are formatted by pyarrow's
    CSV writer from typed columns, never through Python strings.
    """
    columns = [column for column in FEED_SCHEMAS[feed].columns if column.name in frame.columns]
    table = pa.table({column.name: _typed(column, frame[column.name]) for column in columns})
    sink = io.BytesIO()
    sink.write((",".join(column.name for column in columns) + "\n").encode())
    pacsv.write_csv(
        table, sink, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed")
    )
    return sink.getvalue()


def _typed(column: Column, series: pd.Series) -> pa.Array:
    missing = series.isna().to_numpy()
    mask = missing if missing.any() else None
    if column.kind == "quantity":
        values = series.fillna(0).to_numpy(dtype=np.int64)
        if not (values % QUANTITY_SCALE).any():
            return pa.array(values // QUANTITY_SCALE, mask=mask)
        return _decimals(values, mask)
    if column.kind == "date":
        return pa.array(series.to_numpy(dtype="datetime64[ns]")).cast(pa.date32())
    if column.kind == "flag":
        return pa.array(series.fillna(False).to_numpy(dtype=bool), mask=mask)
    if column.kind in ("grade", "count"):
        return pa.array(series.fillna(0).to_numpy(dtype=np.int64), mask=mask)
    return pa.array(series.to_numpy(dtype=object), pa.string(), from_pandas=True)


def _decimals(thousandths: np.ndarray, mask: np.ndarray | None) -> pa.Array:
    """int64 thousandths → decimal128 with three places, sharing the exact unscaled value."""
    words = np.empty((len(thousandths), 2), dtype=np.int64)
    words[:, 0] = thousandths
    words[:, 1] = thousandths >> 63  # sign extension into the high word (little-endian)
    validity = None if mask is None else pa.array(~mask).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(18, QUANTITY_PLACES),
        len(thousandths),
        [validity, pa.py_buffer(words)],
        null_count=-1 if mask is not None else 0,
    )

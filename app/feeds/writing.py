"""Frames → CSV in the format of SPEC §2 (what :func:`parse_feed` reads back unchanged)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from app.feeds.columns import FEED_COLUMNS, Feed
from app.feeds.values import format_thousandths

QUANTITY_COLUMNS = frozenset({"score", "growth_target", "minutes"})
DATE_COLUMNS = frozenset({"date", "test_date"})
FLAG_COLUMNS = frozenset({"ell", "sped", "econ_disadv"})


def feed_csv(feed: Feed, frame: pd.DataFrame) -> bytes:
    """The frame's feed columns (in SPEC order) as UTF-8 CSV with a header row.

    Quantities are written as exact decimals (thousandths ``12500`` → ``12.5``), dates as
    ``YYYY-MM-DD``, flags as ``true``/``false``; missing values as empty cells.
    """
    columns = [name for name in FEED_COLUMNS[feed] if name in frame.columns]
    table = pa.table({name: _text(name, frame[name]) for name in columns})
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue()


def _text(name: str, series: pd.Series) -> pa.Array:
    missing = series.isna().to_numpy()
    if name in QUANTITY_COLUMNS:
        text = format_thousandths(series.fillna(0).to_numpy(dtype=np.int64))
    elif name in DATE_COLUMNS:
        text = pa.array(series.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object))
    elif name in FLAG_COLUMNS:
        values = series.fillna(False).to_numpy(dtype=bool)
        text = pa.array(np.where(values, "true", "false"))
    elif name in ("grade", "sessions", "lessons"):
        text = pa.array(series.fillna(0).to_numpy(dtype=np.int64)).cast(pa.string())
    else:
        text = pa.array(series.to_numpy(dtype=object), pa.string())
    if missing.any():
        text = pc.if_else(pa.array(missing), "", text)
    return pc.fill_null(text, "")

"""A stored batch's rows as CSV, in the feed's own format (what `parse_feed` reads back).

The cells a district or vendor sent are handed to whoever downloads them, possibly into a
spreadsheet: text cells go through `app.csv_safety` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from app.csv_safety import neutralise_frame
from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.engine.frames import frame_dtype
from app.feeds import feed_csv
from app.feeds.columns import Feed
from app.ingestion import repository
from app.ingestion.models import Batch


def batch_rows_csv(session: Session, batch: Batch, *, hide: Sequence[str] = ()) -> bytes:
    """Every row of ``batch`` in file order, with the feed's columns that were posted, less
    the columns in ``hide``."""
    feed: Feed = batch.feed  # type: ignore[assignment]
    stored = repository.rows_frame(session, feed, [batch.id])
    frame = feed_frame(feed, stored)
    posted = [name for name in batch.column_names if name in frame.columns and name not in hide]
    return feed_csv(feed, neutralise_frame(frame[posted]))


def feed_frame(feed: FeedName, stored: pd.DataFrame) -> pd.DataFrame:
    """Rows as the database returns them → the column types of a parsed feed frame
    (``app.engine.frames.frame_dtype``); columns that are not the feed's are dropped."""
    frame = pd.DataFrame(index=stored.index)
    for column in FEED_SCHEMAS[feed].columns:
        if column.name not in stored.columns:
            continue
        values = stored[column.name]
        dtype = frame_dtype(column)
        if dtype == "datetime64[ns]":
            frame[column.name] = pd.to_datetime(values)
        elif dtype == "object":
            frame[column.name] = values.astype(object)
        else:
            frame[column.name] = values.astype(pd.api.types.pandas_dtype(dtype))
    return frame

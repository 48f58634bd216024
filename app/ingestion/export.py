"""A stored batch's rows as CSV, in the feed's own format (what `parse_feed` reads back).

The cells a district or vendor sent are handed to whoever downloads them, possibly into a
spreadsheet: text cells go through `app.csv_safety` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.orm import Session

from app.csv_safety import neutralise_frame
from app.feeds import feed_csv
from app.feeds.columns import Feed
from app.ingestion import repository
from app.ingestion.models import Batch

DATE_COLUMNS = ("date", "test_date")
FLAG_COLUMNS = ("ell", "sped", "econ_disadv")
INTEGER_COLUMNS = ("grade", "score", "growth_target", "minutes", "sessions", "lessons")


def batch_rows_csv(session: Session, batch: Batch, *, hide: Sequence[str] = ()) -> bytes:
    """Every row of ``batch`` in file order, with the feed's columns that were posted, less
    the columns in ``hide``."""
    feed: Feed = batch.feed  # type: ignore[assignment]
    stored = repository.rows_frame(session, feed, [batch.id])
    frame = feed_frame(stored)
    posted = [name for name in batch.column_names if name in frame.columns and name not in hide]
    return feed_csv(feed, neutralise_frame(frame[posted]))


def feed_frame(stored: pd.DataFrame) -> pd.DataFrame:
    """Rows as the database returns them → the column types of a parsed feed frame."""
    frame = stored.drop(columns=["batch_id"], errors="ignore").copy()
    for name in frame.columns:
        if name in DATE_COLUMNS:
            frame[name] = pd.to_datetime(frame[name])
        elif name in FLAG_COLUMNS:
            frame[name] = frame[name].astype("boolean")
        elif name in INTEGER_COLUMNS:
            frame[name] = frame[name].astype("Int64")
    return frame

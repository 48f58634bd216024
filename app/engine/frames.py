"""The shape of the data the engine reads: one pandas DataFrame per feed.

Feeds are parsed and validated outside the engine (``app.feeds``; the service reads them
from the database). By the time a frame reaches :func:`app.engine.evaluate.evaluate_contract`
it holds exactly one row per natural key (latest value wins, SPEC §2) and the typed columns
of ``app.engine.feed_schema``: each column's dtype follows from its kind (``frame_dtype``).
A stored evaluation passes only the columns the engine reads (``FeedSchema.engine_names``);
a parsed feed has them all.

Quantities that may carry decimals (scores, growth targets, minutes) travel as integers
counting thousandths (``QUANTITY_SCALE``). That keeps sums and comparisons exact while
pandas vectorises them; floats would not be exact, ``Decimal`` objects would not be fast.
Feeds refuse values with more than three decimal places rather than round them.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from app.engine.feed_schema import (
    FEED_SCHEMAS,
    QUANTITY_PLACES,
    QUANTITY_SCALE,
    Column,
    FeedName,
)

__all__ = [
    "QUANTITY_PLACES",
    "QUANTITY_SCALE",
    "empty_assessments",
    "empty_frame",
    "empty_roster",
    "empty_schedule",
    "empty_usage",
    "frame_dtype",
    "from_scaled",
    "to_scaled",
    "with_every_column",
]


def to_scaled(value: Decimal | int | str) -> int:
    """A decimal quantity as a whole number of thousandths; refuses finer values."""
    scaled = Decimal(value) * QUANTITY_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {QUANTITY_PLACES} decimal places")
    return int(scaled)


def from_scaled(value: int) -> Fraction:
    """The exact quantity that a number of thousandths stands for."""
    return Fraction(int(value), QUANTITY_SCALE)


def frame_dtype(column: Column) -> str:
    """The pandas dtype of a column in a feed frame."""
    if column.kind == "identifier":
        return "object"
    if column.kind == "flag":
        return "boolean"
    if column.kind == "date":
        return "datetime64[ns]"
    if column.kind in ("quantity", "count") and column.nullable:
        return "Int64"
    return "int64"


def empty_frame(feed: FeedName, *, engine_only: bool = False) -> pd.DataFrame:
    """A feed frame with no rows: every column (or only those the engine reads), typed."""
    schema = FEED_SCHEMAS[feed]
    return pd.DataFrame(
        {
            column.name: pd.Series([], dtype=frame_dtype(column))
            for column in schema.columns
            if column.engine or not engine_only
        }
    )


def with_every_column(feed: FeedName, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the feed's columns in SPEC order: a column it lacks is added as a
    parsed feed would have it when not sent (its default, else null)."""
    rows = len(frame)
    data: dict[str, pd.Series] = {}
    for column in FEED_SCHEMAS[feed].columns:
        if column.name in frame.columns:
            data[column.name] = frame[column.name]
        elif column.default is not None:
            data[column.name] = pd.Series([column.default] * rows, dtype="int64", index=frame.index)
        else:
            data[column.name] = pd.Series(
                [None] * rows, dtype=frame_dtype(column), index=frame.index
            )
    return pd.DataFrame(data)


def empty_roster() -> pd.DataFrame:
    return empty_frame("roster")


def empty_assessments() -> pd.DataFrame:
    return empty_frame("assessments")


def empty_usage() -> pd.DataFrame:
    return empty_frame("usage")


def empty_schedule() -> pd.DataFrame:
    return empty_frame("schedule")

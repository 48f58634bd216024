"""The checks of SPEC §2 for any feed, driven by its declaration (``app.engine.feed_schema``).

Each column is converted by its kind and held to its bounds; student ids must be on the
roster (every feed but the roster itself) and dates within the term; a natural key may occur
once per batch; a column with a daily maximum (minutes) may not add up past it per student
and date within the batch. Across batches, the ingestion service checks the same maximum
over every batch that counts.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from app.engine.feed_schema import Column, FeedSchema, Kind
from app.engine.frames import frame_dtype
from app.feeds.batch import Batch
from app.feeds.keys import check_daily_maximum, check_keys
from app.feeds.values import (
    Converted,
    to_booleans,
    to_dates,
    to_grades,
    to_thousandths,
    to_whole_numbers,
)

CONVERTERS: dict[Kind, Callable[..., Converted]] = {
    "grade": to_grades,
    "flag": to_booleans,
    "quantity": to_thousandths,
    "count": to_whole_numbers,
    "date": to_dates,
}
TERM_DATES = ("date", "test_date")


def check_feed(
    batch: Batch,
    schema: FeedSchema,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
) -> Callable[[], pd.DataFrame]:
    """Check every row; return how to build the frame once no problem was found."""
    identifiers: dict[str, np.ndarray | None] = {}
    converted: dict[str, Converted | None] = {}
    for column in schema.columns:
        if column.kind == "identifier":
            identifiers[column.name] = batch.identifiers(column.name, required=column.required)
            continue
        values = batch.convert(column.name, CONVERTERS[column.kind], required=column.required)
        converted[column.name] = values
        if values is not None:
            _check_bounds(batch, column, values)
            if column.name in TERM_DATES:
                batch.within_term(column.name, values, term_start, term_end)
    roster_codes = None if schema.name == "roster" else batch.on_roster("student_id", roster_ids)
    if all(
        identifiers.get(name) is not None or converted.get(name) is not None
        for name in schema.required
    ):
        check_keys(batch, schema, converted, roster_codes)
        for column in schema.columns:
            if column.daily_maximum is not None and converted.get(column.name) is not None:
                check_daily_maximum(batch, column, converted, roster_codes)

    def build() -> pd.DataFrame:
        data: dict[str, pd.Series] = {}
        for column in schema.columns:
            if column.kind == "identifier":
                data[column.name] = _identifier_series(identifiers[column.name], batch.rows)
            else:
                data[column.name] = typed_series(column, converted[column.name], batch.rows)
        return pd.DataFrame(data, copy=False)

    return build


def _check_bounds(batch: Batch, column: Column, values: Converted) -> None:
    for mask, reason in out_of_bounds(column, values):
        batch.report(mask, column.name, reason)


def out_of_bounds(column: Column, values: Converted) -> list[tuple[np.ndarray, str]]:
    """The usable values below the column's minimum or above its maximum, with the reason
    each is refused (shared by the row checks and ``app.feeds.clean``)."""
    found: list[tuple[np.ndarray, str]] = []
    if column.minimum is None and column.maximum is None:
        return found
    known = ~values.empty & ~values.invalid
    scale = column.scale
    if column.minimum is not None:
        below = known & (values.values < _scaled(column.minimum, scale))
        reason = (
            f"{column.name} cannot be negative"
            if column.minimum == 0
            else f"must be between {_text(column.minimum)} and {_text(column.maximum)}"
        )
        found.append((below, reason))
    if column.maximum is not None:
        above = known & (values.values > _scaled(column.maximum, scale))
        if column.daily_maximum is not None:
            reason = f"more than {column.daily_maximum} minutes (a whole day) in one row"
        elif column.minimum is not None and column.minimum != 0:
            reason = f"must be between {_text(column.minimum)} and {_text(column.maximum)}"
        else:
            reason = f"must be at most {_text(column.maximum)}"
        found.append((above, reason))
    return found


def _scaled(bound: Fraction, scale: int) -> int:
    scaled = bound * scale
    assert scaled.denominator == 1, "bounds are whole stored units"
    return int(scaled)


def _text(bound: Fraction | None) -> str:
    return "any" if bound is None else str(bound)


def _identifier_series(values: np.ndarray | None, rows: int) -> pd.Series:
    if values is None:
        values = np.full(rows, None, dtype=object)
    return pd.Series(values, dtype=object)


def typed_series(column: Column, values: Converted | None, rows: int) -> pd.Series:
    """A converted column in its frame dtype: defaults filled, blanks null."""
    dtype = frame_dtype(column)
    if values is None:
        if column.default is not None:
            return pd.Series(np.full(rows, column.default, dtype=np.int64))
        if dtype == "boolean":
            return pd.Series(pd.arrays.BooleanArray(np.zeros(rows, bool), np.ones(rows, bool)))
        if dtype == "Int64":
            return pd.Series(pd.arrays.IntegerArray(np.zeros(rows, np.int64), np.ones(rows, bool)))
        if dtype == "datetime64[ns]":
            return pd.Series(np.full(rows, np.datetime64("NaT", "ns")), dtype=dtype)
        raise AssertionError(f"required column {column.name} is missing")
    if dtype == "boolean":
        return pd.Series(pd.arrays.BooleanArray(values.values, values.empty.copy()))
    if dtype == "Int64":
        return pd.Series(pd.arrays.IntegerArray(values.values, values.empty.copy()))
    # Not copied (pandas 3 copies by default): the converted values are the frame's alone.
    if dtype == "datetime64[ns]":
        return pd.Series(values.values, dtype=dtype, copy=False)
    if column.default is not None:
        filled = np.where(values.empty, column.default, values.values)
        return pd.Series(filled, dtype="int64", copy=False)
    return pd.Series(values.values, dtype="int64", copy=False)

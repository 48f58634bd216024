"""What a new batch of a dated feed (usage, schedule) meets among the earlier batches: their
current rows on its dates, read once and matched in memory (PostgreSQL).

Latest value wins and the daily maximum both ask which earlier current rows share a key, or
a (student, date), with the new batch. Joining the new batch's rows (just written, without
planner statistics) to the earlier ones in SQL cost two hash joins over both batches, ~6 s for
a million rows on top of a million (measured). Here the earlier rows dated within the new
batch's first and last day are copied out once (one scan; nothing when the batch is a new
month) and matched in Arrow against the batch as parsed, which is already in memory; the
rows it restates are then un-flagged by their physical address (``ctid``) in one TID scan,
under the contract's lock, so no other transaction moves them in between.

Used only when the batch replaces none (a replacement's fallbacks bring rows back that were
not current when these were read): then ``app.ingestion.current`` and ``app.ingestion.daily``
work in SQL, as they do on SQLite.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.orm import Session

from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.feeds import RowProblem
from app.feeds.keys import day_problem
from app.ingestion import totals
from app.ingestion.columnar import read_table
from app.ingestion.models import ROW_TABLES
from app.ingestion.pg_arrays import array_literal

KEY = ["student_id", "date", "session_key"]
DAY = ["student_id", "date"]


@dataclass
class Overlap:
    """The new batch's keys and days, and the earlier current rows on its dates."""

    feed: FeedName
    frame: pd.DataFrame  # the new rows as parsed
    earlier: pa.Table  # tid, student_id, date, session_key, summed columns

    @functools.cached_property
    def batch(self) -> pa.Table:
        """student_id, date, session_key, summed columns: the new rows, file order. Built
        only when some earlier row shares its dates: a month's usage at 1M students meets
        none, and converting its 6.9M ids cost 0.6 s (bench/ingest_profile.py --months)."""
        return _keyed(self.frame, totals.summed_columns(self.feed))

    @functools.cached_property
    def _restated_mask(self) -> pa.Array:
        return pa.array(_restated(self.earlier, self.batch))

    def restated(self) -> pa.Table:
        """The earlier rows with a key of the new batch: they stop counting."""
        if self.earlier.num_rows == 0:
            return self.earlier
        return self.earlier.filter(self._restated_mask)

    def still_counting(self) -> pa.Table:
        """Earlier rows on a day of the new batch that it does not restate. None unless a
        session_id is given somewhere: a day's total row restates the day's total row."""
        if self.earlier.num_rows == 0 or not (
            _any_session(self.batch) or _any_session(self.earlier)
        ):
            return self.earlier.slice(0, 0)
        others = self.earlier.filter(pc.invert(self._restated_mask))
        days = self.batch.select(DAY).group_by(DAY).aggregate([])
        return others.join(days, keys=DAY, join_type="left semi")


def _restated(earlier: pa.Table, batch: pa.Table) -> npt.NDArray[np.bool_]:
    """For each earlier row, whether the batch has a row with its key.

    Each key becomes one integer: each key column of both tables is coded at once (equal
    values, equal codes: dictionary-encoded text, days as numbers) and the codes are folded
    column by column; a session key that is blank throughout is left out. Membership is then
    one hash lookup of integers. Arrow's hash join of the two tables took 0.77 s for a
    million rows on top of a million (bench/ingest_profile.py)."""
    count = earlier.num_rows
    keys = np.zeros(count + batch.num_rows, dtype=np.int64)
    bound = 1
    for name in KEY:
        if name == "session_key" and not (_any_session(earlier) or _any_session(batch)):
            continue
        codes, size = _codes(
            pa.concat_arrays(
                [earlier.column(name).combine_chunks(), batch.column(name).combine_chunks()]
            )
        )
        if bound * size >= 1 << 62:  # re-numbered first, so that the fold cannot overflow
            keys, uniques = pd.factorize(keys)
            bound = len(uniques)
        keys = keys * size + codes
        bound *= size
    restated: npt.NDArray[np.bool_] = pd.Series(keys[:count]).isin(keys[count:]).to_numpy()
    return restated


def _codes(values: pa.Array) -> tuple[npt.NDArray[np.int64], int]:
    """Codes for a key column's values, from 0, equal for equal values, and how many codes
    there can be."""
    if pa.types.is_date32(values.type):
        days = values.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
        first = int(days.min()) if len(days) else 0
        return days - first, (int(days.max()) - first + 1 if len(days) else 1)
    encoded = values.dictionary_encode()
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, max(len(encoded.dictionary), 1)


def _any_session(rows: pa.Table) -> bool:
    return bool(pc.any(pc.not_equal(rows.column("session_key"), "")).as_py())


def applies(session: Session, feed: FeedName, replaced_id: int | None) -> bool:
    return (
        session.get_bind().dialect.name == "postgresql"
        and replaced_id is None
        and "date" in FEED_SCHEMAS[feed].key
    )


def read_overlap(
    session: Session, feed: FeedName, earlier_ids: Sequence[int], frame: pd.DataFrame
) -> Overlap:
    table = ROW_TABLES[feed]
    names = totals.summed_columns(feed)
    types: dict[str, pa.DataType] = {
        "tid": pa.string(),
        "student_id": pa.string(),
        "date": pa.date32(),
        "session_key": pa.string(),
        **dict.fromkeys(names, pa.int64()),
    }
    if not earlier_ids or frame.empty:
        return Overlap(feed, frame, pa.schema(list(types.items())).empty_table())
    days = frame["date"]
    query = select(
        literal_column("ctid::text").label("tid"),
        table.c.student_id,
        table.c.date,
        func.coalesce(table.c.session_id, literal_column("''")).label("session_key"),
        *(table.c[name] for name in names),
    ).where(
        table.c.current,
        table.c.batch_id.in_(list(earlier_ids)),
        table.c.date >= days.min().date(),
        table.c.date <= days.max().date(),
    )
    return Overlap(feed, frame, read_table(session, query, types))


def _keyed(frame: pd.DataFrame, names: Sequence[str]) -> pa.Table:
    sessions = frame["session_id"] if "session_id" in frame else pd.Series([None] * len(frame))
    columns: dict[str, Any] = {
        "student_id": pa.array(frame["student_id"].to_numpy(dtype=object), pa.string()),
        "date": pa.array(frame["date"], pa.timestamp("ns")).cast(pa.date32()),
        "session_key": pa.array(sessions.fillna("").to_numpy(dtype=object), pa.string()),
    }
    for name in names:
        values = frame[name] if name in frame else pd.Series(np.zeros(len(frame), dtype=np.int64))
        columns[name] = pa.array(values, pa.int64())
    return pa.table(columns)


def unflag_restated(session: Session, overlap: Overlap) -> totals.SignedRows:
    """The earlier rows the new batch restates stop counting: they are un-flagged here and
    returned, to leave the totals in the same upsert that adds the new rows."""
    restated = overlap.restated()
    names = totals.summed_columns(overlap.feed)
    if restated.num_rows:
        table = ROW_TABLES[overlap.feed]
        session.execute(
            text(f"UPDATE {table.name} SET current = false WHERE ctid = ANY(CAST(:tids AS tid[]))"),
            {"tids": array_literal(restated.column("tid"))},
        )
    return totals.SignedRows(
        restated.column("student_id").to_numpy(zero_copy_only=False),
        restated.column("date").cast(pa.timestamp("ns")).to_numpy(),
        {name: restated.column(name).fill_null(0).to_numpy(zero_copy_only=False) for name in names},
        sign=-1,
    )


def over_daily_maximum(
    overlap: Overlap, lines: np.ndarray, max_problems: int
) -> tuple[list[RowProblem], int]:
    """As ``app.ingestion.daily.over_daily_maximum``, from the rows in memory: the new
    batch's rows on days whose sum over it and the earlier rows still counting is over a
    column's daily maximum (the first ``max_problems``, in file order), and how many."""
    others = overlap.still_counting()
    problems: list[RowProblem] = []
    total = 0
    if others.num_rows == 0:
        return problems, total  # within the batch alone, the parser has checked every day
    for column in FEED_SCHEMAS[overlap.feed].columns:
        if column.daily_maximum is None:
            continue
        name = column.name
        batch = overlap.batch.select([*DAY, name]).to_pandas()
        earlier = others.select([*DAY, name]).to_pandas()
        both = pd.concat([batch, earlier], ignore_index=True)
        both[name] = both[name].fillna(0).astype("int64")  # a blank adds nothing, as in SQL
        day_totals = both.groupby(DAY, sort=False)[name].sum().rename("day_total")
        over = day_totals[day_totals > column.daily_maximum * column.scale]
        found = batch.reset_index().merge(over.reset_index(), on=DAY).sort_values("index")
        total += len(found)
        for position, amount, day_total in (
            found[["index", name, "day_total"]]
            .head(max(0, max_problems - len(problems)))
            .itertuples(index=False)
        ):
            blank = pd.isna(amount)
            problems.append(
                day_problem(column, int(lines[position]), None if blank else int(amount), day_total)
            )
    return problems, total

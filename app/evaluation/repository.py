"""Reading the stored feeds for an evaluation: one row per natural key (latest value wins,
SPEC §2), sums of usage and schedule per student kept at ingest or computed in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from app.engine import SumWindow
from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.ingestion import totals
from app.ingestion.columnar import ARROW_TYPES, feed_columns_frame, read_table
from app.ingestion.current import current_of, latest_of
from app.ingestion.models import ROW_TABLES, TOTAL_TABLES


def counted(feed: FeedName, batch_ids: Sequence[int], *, current: bool) -> ColumnElement[bool]:
    """The rows of ``batch_ids`` that latest-value-wins keeps. ``current``: the batches are
    the feed's accepted ones now, whose rows carry the answer in their ``current`` flag
    (app/ingestion/current.py); otherwise it is worked out among exactly these batches."""
    table = ROW_TABLES[feed]
    return current_of(table, batch_ids) if current else latest_of(feed, table, batch_ids)


def latest_rows(
    session: Session,
    feed: FeedName,
    batch_ids: Sequence[int],
    columns: Sequence[str],
    *,
    current: bool,
) -> pd.DataFrame:
    """``columns`` of one row per natural key among ``batch_ids`` (see :func:`counted`),
    typed as a feed frame (app/evaluation/columnar.py). Only the columns asked for, and no
    ORDER BY: reading 285k assessment rows this way takes a third of the time of reading
    every column in posting order (bench/RESULTS.md)."""
    table = ROW_TABLES[feed]
    schema = FEED_SCHEMAS[feed]
    wanted = {name: schema.column(name) for name in columns}
    types = {name: ARROW_TYPES[column.kind] for name, column in wanted.items()}
    if not batch_ids:
        return feed_columns_frame(pa.schema(list(types.items())).empty_table(), wanted)
    query = select(*(table.c[name] for name in columns)).where(
        counted(feed, batch_ids, current=current)
    )
    return feed_columns_frame(read_table(session, query, types), wanted)


def window_sums(
    session: Session,
    feed: FeedName,
    batch_ids: Sequence[int],
    sums: Sequence[SumWindow],
    *,
    current: bool,
    contract_id: int | None = None,
) -> dict[SumWindow, pd.Series]:
    """For each window of ``feed`` asked for, each student's sum (quantities in
    thousandths, counts whole) over the rows latest-value-wins keeps.

    With ``current`` (the accepted batches, as of now) and the contract, the windows whose
    totals are kept at ingest (app/ingestion/totals.py) are read from them: one row per
    student, never the usage rows. The others (a version proposed after the last batch, or
    a statement's own batches) are summed from the rows. A student without rows may be
    absent or 0 (the engine counts both as 0).
    """
    nobody = pd.Index([], name="student_id", dtype=object)
    if not batch_ids or not sums:
        return {wanted: pd.Series([], dtype="int64", index=nobody) for wanted in sums}
    kept: dict[SumWindow, list[int]] = {}
    if current and contract_id is not None:
        spans = totals.kept_windows(session, contract_id, feed, {(s.start, s.end) for s in sums})
        kept = {s: spans[(s.start, s.end)] for s in sums if (s.start, s.end) in spans}
    result = kept_sums(session, feed, kept) if kept else {}
    rest = [wanted for wanted in sums if wanted not in kept]
    if rest:
        result.update(scanned_sums(session, feed, batch_ids, rest, current=current))
    return result


def kept_sums(
    session: Session,
    feed: FeedName,
    windows: dict[SumWindow, list[int]],
    *,
    of_batches: Sequence[int] = (),
) -> dict[SumWindow, pd.Series]:
    """The kept totals of ``windows`` (window → the ids of the spans that tile it), one
    Series each, all on one shared index of students (so whoever aligns them hashes the
    students once). A student without a totals row in a window's spans has nothing in it: 0.
    Given ``of_batches``, only the students having rows in those batches (and totals).

    The spans' rows are read as they are stored and summed per window here: the students
    dictionary-encoded once, each window one integer ``np.add.at`` over its spans' rows.
    Pivoting in SQL (a GROUP BY student with a filtered sum per window) made PostgreSQL hash
    a million text keys: at 1M students, 2.2 s of server time before the first row, against
    0.65 s to send the 1.8M rows as they are (bench/RESULTS.md). Registered spans never
    change, so the ids read before this query still hold."""
    table = TOTAL_TABLES[feed]
    wanted = list(windows.items())
    fields = sorted({window.field for window, _ in wanted})
    query = select(table.c.span_id, table.c.student_id, *(table.c[f] for f in fields)).where(
        table.c.span_id.in_(sorted({i for span_ids in windows.values() for i in span_ids}))
    )
    if of_batches:
        rows_table = ROW_TABLES[feed]
        students = select(rows_table.c.student_id).where(
            rows_table.c.batch_id.in_(list(of_batches))
        )
        query = query.where(table.c.student_id.in_(students))
    types = {"span_id": pa.int64(), "student_id": pa.string(), **dict.fromkeys(fields, pa.int64())}
    rows = read_table(session, query, types)
    encoded = rows.column("student_id").combine_chunks().dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    students = pd.Index(
        encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object, name="student_id"
    )
    spans = rows.column("span_id").to_numpy()
    values = {f: rows.column(f).to_numpy() for f in fields}
    result = {}
    for window, span_ids in wanted:
        inside = np.isin(spans, span_ids)
        sums = np.zeros(len(students), dtype=np.int64)
        np.add.at(sums, codes[inside], values[window.field][inside])  # exact integers
        result[window] = pd.Series(sums, index=students, dtype="int64", copy=False)
    return result


def scanned_sums(
    session: Session,
    feed: FeedName,
    batch_ids: Sequence[int],
    sums: Sequence[SumWindow],
    *,
    current: bool,
) -> dict[SumWindow, pd.Series]:
    """The sums of :func:`window_sums` from the rows themselves.

    One scan and one GROUP BY for all of them (a filtered sum each): the database adds a
    million rows far faster than moving them into Python would. Only the sums asked for:
    each one more costs every row a comparison. A blank value (``lessons``,
    ``minutes_offered``) adds nothing; a student without rows is absent (the engine counts 0).
    """
    table: Table = ROW_TABLES[feed]
    day = table.c.date
    query = (
        select(
            table.c.student_id,
            *(func.sum(table.c[s.field]).filter(day >= s.start, day <= s.end) for s in sums),
        )
        .where(
            counted(feed, batch_ids, current=current),
            day >= min(s.start for s in sums),
            day <= max(s.end for s in sums),
        )
        .group_by(table.c.student_id)
    )
    rows = driver_rows(session, query)
    index = pd.Index([row[0] for row in rows], name="student_id", dtype=object)
    # A sum over no rows is NULL; PostgreSQL sums BIGINT into NUMERIC (Decimal): back to
    # exact Python ints either way.
    return {
        wanted: pd.Series(
            [0 if row[number] is None else int(row[number]) for row in rows],
            index=index,
            dtype="int64",
        )
        for number, wanted in enumerate(sums, start=1)
    }


def driver_rows(session: Session, query: Select[Any]) -> list[Any]:
    """``query``'s rows as the database driver's own tuples, for reads of hundreds of
    thousands of rows: SQLAlchemy's Row objects add about as much time as the query itself.
    Only for column types the driver already returns as Python wants them (text, integers,
    booleans), since no SQLAlchemy result processing runs."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    parameters: Any = compiled.params
    if compiled.positiontup is not None:  # qmark / numeric paramstyles (SQLite)
        parameters = tuple(compiled.params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        rows = list(cursor.fetchall())
    finally:
        cursor.close()
    return rows

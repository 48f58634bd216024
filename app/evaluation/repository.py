"""Reading the stored feeds for an evaluation: latest value wins, usage summed in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.feeds.columns import NATURAL_KEYS, Feed
from app.ingestion.models import ROW_TABLES, usage_rows

Span = tuple[date, date]
UsageSum = tuple[Span, str]  # a date span and the usage field summed over it


def latest_rows(
    session: Session, feed: Feed, batch_ids: Sequence[int], columns: Sequence[str]
) -> pd.DataFrame:
    """``columns`` of one row per natural key: the one from the latest of ``batch_ids``
    (SPEC §2), as the database gives them (conversion is the caller's).

    Only the columns asked for, and no ORDER BY: a batch never holds a natural key twice
    (the feeds refuse it), so the latest value is the one of the highest batch id, and a
    stable sort on the batch id alone finds it. Reading 285k assessment rows this way takes
    a third of the time of reading every column in posting order (bench/RESULTS.md).
    """
    table = ROW_TABLES[feed]
    wanted = [table.c.batch_id, *(table.c[name] for name in columns)]
    query = select(*wanted).where(table.c.batch_id.in_(list(batch_ids)))
    frame = pd.DataFrame(
        driver_rows(session, query) if batch_ids else None,
        columns=[column.name for column in wanted],
        dtype=object,
    )
    if len(batch_ids) > 1:
        frame = frame.sort_values("batch_id", kind="stable").drop_duplicates(
            subset=list(NATURAL_KEYS[feed]), keep="last"
        )
    return frame.drop(columns=["batch_id"]).reset_index(drop=True)


def usage_sums(
    session: Session, batch_ids: Sequence[int], sums: Sequence[UsageSum]
) -> dict[UsageSum, pd.Series]:
    """For each (date span, inclusive; field) asked for, each student's sum of that field
    (minutes in thousandths, sessions) over the usage rows of ``batch_ids``.

    One scan and one GROUP BY for all of them (a filtered sum each): usage is additive
    across batches, and the database adds a million rows far faster than moving them into
    Python would. Only the sums asked for: each one more costs every row a comparison.
    """
    if not batch_ids or not sums:
        nobody = pd.Index([], name="student_id", dtype=object)
        return {wanted: pd.Series([], dtype="int64", index=nobody) for wanted in sums}
    day = usage_rows.c.date
    query = (
        select(
            usage_rows.c.student_id,
            *(
                func.sum(usage_rows.c[field]).filter(day >= start, day <= end)
                for (start, end), field in sums
            ),
        )
        .where(
            usage_rows.c.batch_id.in_(list(batch_ids)),
            day >= min(start for (start, _), _ in sums),
            day <= max(end for (_, end), _ in sums),
        )
        .group_by(usage_rows.c.student_id)
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

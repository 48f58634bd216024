"""The daily maximum over every batch that counts (SPEC §2): a student's minutes on one day,
summed over the current rows of all accepted batches, at most 1440.

Checked in the transaction that stores a batch, after the latest-value flags are updated, so
a batch that restates a day replaces it instead of adding to it. One GROUP BY over the days
the new batch touches; never a loop over rows in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import ColumnElement, Table, and_, exists, func, select, tuple_
from sqlalchemy.orm import Session

from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.feeds import RowProblem
from app.feeds.keys import day_problem
from app.ingestion.current import current_of
from app.ingestion.models import ROW_TABLES


def _on_days_of(session: Session, table: Table, batch_id: int) -> ColumnElement[bool]:
    """Rows on a (student, date) that batch ``batch_id`` has a row on. PostgreSQL gets an
    EXISTS it hashes (see ``app.ingestion.current.restated_by``)."""
    if session.get_bind().dialect.name != "postgresql":
        days = select(table.c.student_id, table.c.date).where(table.c.batch_id == batch_id)
        return tuple_(table.c.student_id, table.c.date).in_(days)
    other = table.alias("other")
    return exists().where(
        other.c.batch_id == batch_id,
        other.c.student_id == table.c.student_id,
        other.c.date == table.c.date,
    )


def over_daily_maximum(
    session: Session,
    *,
    feed: FeedName,
    batch_id: int,
    counted_ids: Sequence[int],
    lines: np.ndarray,
    max_problems: int,
) -> tuple[list[RowProblem], int]:
    """The rows of batch ``batch_id`` on days that now exceed a column's daily maximum (the
    first ``max_problems``, in file order), and how many there are."""
    table = ROW_TABLES[feed]
    problems: list[RowProblem] = []
    total = 0
    for column in FEED_SCHEMAS[feed].columns:
        if column.daily_maximum is None:
            continue
        value = table.c[column.name]
        over = (
            select(table.c.student_id, table.c.date, func.sum(value).label("day_total"))
            .where(current_of(table, counted_ids), _on_days_of(session, table, batch_id))
            .group_by(table.c.student_id, table.c.date)
            .having(func.sum(value) > column.daily_maximum * column.scale)
            .subquery()
        )
        joined = and_(table.c.student_id == over.c.student_id, table.c.date == over.c.date)
        found = session.execute(
            select(table.c.position, value, over.c.day_total)
            .join(over, joined)
            .where(table.c.batch_id == batch_id)
            .order_by(table.c.position)
        ).all()
        total += len(found)
        for position, amount, day_total in found[: max(0, max_problems - len(problems))]:
            problems.append(day_problem(column, int(lines[position - 1]), amount, day_total))
    return problems, total

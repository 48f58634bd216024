"""Reading the stored feeds for an evaluation: latest value wins, usage summed in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.ingestion.models import usage_rows
from app.ingestion.repository import rows_frame

NATURAL_KEYS = {"roster": ["student_id"], "assessments": ["student_id", "assessment", "window"]}
Span = tuple[date, date]


def latest_rows(session: Session, feed: str, batch_ids: Sequence[int]) -> pd.DataFrame:
    """One row per natural key: the one from the latest of ``batch_ids`` (SPEC §2).

    Batch ids grow in posting order, and rows come back ordered by (batch, position), so the
    last row of each key is the latest value.
    """
    frame = rows_frame(session, feed, sorted(batch_ids))
    latest = frame.drop_duplicates(subset=NATURAL_KEYS[feed], keep="last")
    return latest.drop(columns=["batch_id"]).reset_index(drop=True)


def usage_sums(
    session: Session, batch_ids: Sequence[int], spans: Sequence[Span]
) -> dict[Span, tuple[pd.Series, pd.Series]]:
    """Per date span (inclusive), each student's sum of minutes (thousandths) and of sessions
    over the usage rows of ``batch_ids``.

    One scan and one GROUP BY for every span at once (a conditional sum per span): usage is
    additive across batches, and the database adds a million rows far faster than moving
    them into Python would.
    """
    if not batch_ids or not spans:
        empty = pd.Series([], dtype="int64", index=pd.Index([], name="student_id", dtype=object))
        return {span: (empty, empty.copy()) for span in spans}
    day = usage_rows.c.date
    sums = []
    for start, end in spans:
        inside = and_(day >= start, day <= end)
        sums.append(func.sum(case((inside, usage_rows.c.minutes), else_=0)))
        sums.append(func.sum(case((inside, usage_rows.c.sessions), else_=0)))
    result = session.execute(
        select(usage_rows.c.student_id, *sums)
        .where(
            usage_rows.c.batch_id.in_(list(batch_ids)),
            day >= min(start for start, _ in spans),
            day <= max(end for _, end in spans),
        )
        .group_by(usage_rows.c.student_id)
    ).all()
    index = pd.Index([row[0] for row in result], name="student_id", dtype=object)
    totals = {}
    for number, span in enumerate(spans):
        # PostgreSQL sums BIGINT into NUMERIC (Decimal): back to exact Python ints.
        minutes = [int(row[1 + 2 * number]) for row in result]
        sessions = [int(row[2 + 2 * number]) for row in result]
        totals[span] = (
            pd.Series(minutes, index=index, dtype="int64"),
            pd.Series(sessions, index=index, dtype="int64"),
        )
    return totals

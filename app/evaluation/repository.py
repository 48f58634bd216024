"""Reading the stored feeds for an evaluation: latest value wins, usage summed in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ingestion.models import usage_rows
from app.ingestion.repository import rows_frame

NATURAL_KEYS = {"roster": ["student_id"], "assessments": ["student_id", "assessment", "window"]}


def latest_rows(session: Session, feed: str, batch_ids: Sequence[int]) -> pd.DataFrame:
    """One row per natural key: the one from the latest of ``batch_ids`` (SPEC §2).

    Batch ids grow in posting order, and rows come back ordered by (batch, position), so the
    last row of each key is the latest value.
    """
    frame = rows_frame(session, feed, sorted(batch_ids))
    latest = frame.drop_duplicates(subset=NATURAL_KEYS[feed], keep="last")
    return latest.drop(columns=["batch_id"]).reset_index(drop=True)


def usage_sums(
    session: Session, batch_ids: Sequence[int], start: date, end: date
) -> tuple[pd.Series, pd.Series]:
    """Per student, the sum of minutes (thousandths) and of sessions of the rows dated
    ``start``..``end`` inclusive in ``batch_ids``. Usage is additive across batches, and the
    database adds a million rows far faster than moving them into Python would."""
    if not batch_ids:
        empty = pd.Series([], dtype="int64", index=pd.Index([], name="student_id"))
        return empty, empty.copy()
    result = session.execute(
        select(
            usage_rows.c.student_id,
            func.sum(usage_rows.c.minutes),
            func.sum(usage_rows.c.sessions),
        )
        .where(
            usage_rows.c.batch_id.in_(list(batch_ids)),
            usage_rows.c.date >= start,
            usage_rows.c.date <= end,
        )
        .group_by(usage_rows.c.student_id)
    ).all()
    index = pd.Index([row[0] for row in result], name="student_id", dtype=object)
    # PostgreSQL sums BIGINT into NUMERIC (Decimal): back to exact Python ints.
    minutes = pd.Series([int(row[1]) for row in result], index=index, dtype="int64")
    sessions = pd.Series([int(row[2]) for row in result], index=index, dtype="int64")
    return minutes, sessions

"""The assessments feed: one score per student, assessment and window (SPEC §2)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date

import numpy as np
import pandas as pd

from app.feeds.batch import Batch
from app.feeds.values import to_dates, to_thousandths

KEY = ("student_id", "assessment", "window")


def check_assessments(
    batch: Batch,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
) -> Callable[[], pd.DataFrame]:
    """Check every assessment row; return how to build the frame once no problem was found.

    Scores and growth targets are finite decimals with at most three places (kept as
    thousandths); ``test_date`` must fall within the term; (student_id, assessment, window)
    is unique within the batch; students must be on ``roster_ids`` when it is given.
    """
    texts = {name: batch.identifiers(name, required=True) for name in KEY}
    batch.on_roster("student_id", roster_ids)
    scores = batch.convert("score", to_thousandths, required=True)
    targets = batch.convert("growth_target", to_thousandths, required=False)
    levels = batch.identifiers("proficiency_level", required=False)
    test_dates = batch.convert("test_date", to_dates, required=False)
    batch.within_term("test_date", test_dates, term_start, term_end)
    if all(values is not None for values in texts.values()):
        keys = pd.DataFrame(texts)[batch.filled(*KEY)]
        batch.duplicates(keys, None, "same student_id, assessment and window", shown=KEY)

    def build() -> pd.DataFrame:
        assert scores is not None
        rows = batch.rows
        return pd.DataFrame(
            copy=False,
            data={
                **{name: pd.Series(values, dtype=object) for name, values in texts.items()},
                "score": pd.Series(scores.values, dtype="int64"),
                "growth_target": _optional_integers(targets, rows),
                "proficiency_level": pd.Series(
                    levels if levels is not None else np.full(rows, None, dtype=object),
                    dtype=object,
                ),
                "test_date": pd.Series(
                    test_dates.values
                    if test_dates is not None
                    else np.full(rows, np.datetime64("NaT", "ns")),
                    dtype="datetime64[ns]",
                ),
            },
        )

    return build


def _optional_integers(converted, rows: int) -> pd.Series:  # type: ignore[no-untyped-def]
    if converted is None:
        return pd.Series(pd.arrays.IntegerArray(np.zeros(rows, np.int64), np.ones(rows, bool)))
    return pd.Series(pd.arrays.IntegerArray(converted.values, converted.empty.copy()))

"""The roster feed: one row per student (SPEC §2)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from app.feeds.batch import Batch
from app.feeds.values import Converted, to_booleans, to_grades

FLAGS = ("ell", "sped", "econ_disadv")


def check_roster(batch: Batch) -> Callable[[], pd.DataFrame]:
    """Check every roster row; return how to build the frame once no problem was found.

    student_id is unique within the batch; grade is ``K`` or 0–12; the flags are nullable
    true/false.
    """
    student_ids = batch.identifiers("student_id", required=True)
    grades = batch.convert("grade", to_grades, required=True)
    school_ids = batch.identifiers("school_id", required=False)
    flags = {name: batch.convert(name, to_booleans, required=False) for name in FLAGS}
    if student_ids is not None:
        keys = pd.DataFrame({"student_id": student_ids})[batch.filled("student_id")]
        batch.duplicates(keys, "student_id", "same student_id")

    def build() -> pd.DataFrame:
        assert student_ids is not None and grades is not None
        rows = batch.rows
        return pd.DataFrame(
            copy=False,
            data={
                "student_id": pd.Series(student_ids, dtype=object),
                "grade": pd.Series(grades.values, dtype="int64"),
                "school_id": pd.Series(
                    school_ids if school_ids is not None else np.full(rows, None, dtype=object),
                    dtype=object,
                ),
                **{name: _flag(flags[name], rows) for name in FLAGS},
            },
        )

    return build


def _flag(converted: Converted | None, rows: int) -> pd.Series:
    if converted is None:
        return pd.Series(pd.arrays.BooleanArray(np.zeros(rows, bool), np.ones(rows, bool)))
    return pd.Series(pd.arrays.BooleanArray(converted.values, converted.empty.copy()))

"""The per-student audit CSV of an evaluation, safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

from app.csv_safety import neutralise_frame


def students_csv(students: pd.DataFrame) -> bytes:
    """One row per population student (``EvaluationResult.students``); true/false as
    ``true``/``false``, missing values as empty cells, text cells neutralised."""
    frame = students.copy()
    for name in frame.columns:
        column = frame[name]
        if column.dtype == bool or isinstance(column.dtype, pd.BooleanDtype):
            frame[name] = (
                column.astype("boolean")
                .map({True: "true", False: "false"}, na_action="ignore")
                .astype(object)
            )
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")

"""Offline sums of a clean usage or schedule file, straight from its compact columns.

``app.engine.sums.summed_totals`` adds up a feed *frame*; a state's usage log (48M rows) as a
frame of Python strings and timestamps would not fit in memory. A clean batch read by
``app.feeds.clean`` holds each row as a roster position, a day number and integers, which
is all a sum needs. The result is what ``summed_totals`` gives for the same rows (the engine
counts a student without rows as 0 whether or not the index names them): the per-student
total of a column over each measure's window, in the feed's units, exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.engine import Definition
from app.engine.sums import BLANK, SumWindow, sum_windows
from app.feeds.clean import CleanFeed
from app.feeds.clean_columns import day_number

# float64 adds whole numbers exactly below 2**53, so bincount's sums are exact when the
# largest value times the number of rows is below it (every summed column is ≥ 0).
EXACT_FLOAT_SUM = 2**53
SLICE_ROWS = 1 << 22


def summed_columns(definition: Definition, feed: str) -> set[str]:
    """The columns of ``feed`` that the contract's measures add up."""
    return {window.field for window in sum_windows(definition).values() if window.feed == feed}


def clean_totals(definition: Definition, clean: CleanFeed) -> dict[str, pd.Series]:
    """Each of the contract's measures over ``clean``'s feed: student_id → int64 total."""
    windows = {
        name: window
        for name, window in sum_windows(definition).items()
        if window.feed == clean.feed
    }
    students = clean.columns["student_id"]
    assert students.labels is not None
    index = pd.Index(students.labels, dtype=object, name="student_id")
    distinct = list(dict.fromkeys(windows.values()))
    sums = {
        window: pd.Series(totals, index=index)
        for window, totals in zip(distinct, _window_sums(clean, distinct, len(index)), strict=True)
    }
    return {name: sums[window] for name, window in windows.items()}


def _window_sums(clean: CleanFeed, windows: list[SumWindow], students: int) -> list[np.ndarray]:
    """Per window, each roster position's total. A slice of rows at a time, so the masks
    and copies stay small beside a state's 48M rows; a column is read once per slice for
    all the windows that sum it, and a window that covers every row needs no mask."""
    codes = clean.columns["student_id"].values
    days = clean.columns["date"].values
    if clean.rows == 0:
        return [np.zeros(students, dtype=np.int64) for _ in windows]
    first_day, last_day = int(days.min()), int(days.max())
    totals = [np.zeros(students, dtype=np.int64) for _ in windows]
    for start in range(0, clean.rows, SLICE_ROWS):
        rows = slice(start, start + SLICE_ROWS)
        amounts: dict[str, np.ndarray] = {}
        for window, total in zip(windows, totals, strict=True):
            if window.field not in amounts:
                amounts[window.field] = _amounts(clean, window.field, rows)
            weights = amounts[window.field]
            first, last = day_number(window.start), day_number(window.end)
            if first > first_day or last < last_day:
                inside = (days[rows] >= first) & (days[rows] <= last)
                weights = np.where(inside, weights, 0)
            total += _sum_by(codes[rows], weights, students)
    return totals


def _amounts(clean: CleanFeed, field: str, rows: slice) -> np.ndarray:
    column = clean.columns.get(field)
    if column is None:  # not sent: every row counts as blank
        return np.full(len(range(clean.rows)[rows]), BLANK[field], dtype=np.int64)
    if column.empty is None:
        return column.values[rows]
    return np.where(column.empty[rows], BLANK[field], column.values[rows])


def _sum_by(codes: np.ndarray, amounts: np.ndarray, size: int) -> np.ndarray:
    if int(amounts.max(initial=0)) * len(amounts) < EXACT_FLOAT_SUM:
        sums = np.bincount(codes, weights=amounts, minlength=size)
        return sums.astype(np.int64)
    exact = np.zeros(size, dtype=np.int64)
    np.add.at(exact, codes, amounts)
    return exact

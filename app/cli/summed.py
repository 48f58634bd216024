"""Offline sums of a clean usage or schedule file, straight from its compact columns.

``app.engine.sums.summed_totals`` adds up a feed *frame*; a state's usage log (48M rows) as a
frame of Python strings and timestamps would not fit in memory. A clean batch read by
``app.feeds.clean`` holds each row as a roster position, a day number and integers, which
is all a sum needs. The result is what ``summed_totals`` gives for the same rows (the engine
counts a student without rows as 0 whether or not the index names them): the per-student
total of a column over each measure's window, in the feed's units, exact.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from app.engine import Definition
from app.engine.sums import BLANK, SumWindow, sum_windows
from app.feeds.clean import CleanFeed

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
    sums: dict[SumWindow, pd.Series] = {}
    result: dict[str, pd.Series] = {}
    for name, window in windows.items():
        if window not in sums:
            sums[window] = pd.Series(_window_sums(clean, window, len(index)), index=index)
        result[name] = sums[window]
    return result


def _window_sums(clean: CleanFeed, window: SumWindow, students: int) -> np.ndarray:
    """Per roster position, the window's total; a slice of rows at a time, so the masks and
    copies stay small beside a state's 48M rows."""
    codes = clean.columns["student_id"].values
    days = clean.columns["date"].values
    column = clean.columns.get(window.field)
    first, last = _day(window.start), _day(window.end)
    totals = np.zeros(students, dtype=np.int64)
    for start in range(0, clean.rows, SLICE_ROWS):
        rows = slice(start, start + SLICE_ROWS)
        inside = (days[rows] >= first) & (days[rows] <= last)
        if column is None:
            amounts = np.full(int(inside.sum()), BLANK[window.field], dtype=np.int64)
        elif column.empty is None:
            amounts = column.values[rows][inside]
        else:
            amounts = np.where(column.empty[rows], BLANK[window.field], column.values[rows])[inside]
        totals += _sum_by(codes[rows][inside], amounts, students)
    return totals


def _sum_by(codes: np.ndarray, amounts: np.ndarray, size: int) -> np.ndarray:
    if int(amounts.max(initial=0)) * len(amounts) < EXACT_FLOAT_SUM:
        sums = np.bincount(codes, weights=amounts, minlength=size)
        return sums.astype(np.int64)
    exact = np.zeros(size, dtype=np.int64)
    np.add.at(exact, codes, amounts)
    return exact


def _day(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))

"""Summed measures (SPEC §1 ``usage:`` and ``schedule:``): what each sums, and the sums.

A summed measure is a column of the usage or schedule feed added up per student over an
inclusive date range. :func:`sum_windows` declares that, so the service can run the sums in
SQL and hand the totals to :func:`app.engine.evaluate.evaluate_from_totals`; the offline path
computes them from the rows with :func:`summed_totals`. Totals are in the feed's units:
minutes and minutes_offered in thousandths, sessions, lessons and sessions_offered whole. The
data layer stores a blank ``sessions``/``sessions_offered`` as 1 and a blank ``lessons``/
``minutes_offered`` as 0, so a sum is a plain sum (a missing column here counts as blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.engine.definition import Definition, ScheduleMeasure, UsageMeasure
from app.engine.frames import QUANTITY_SCALE

SumField = Literal["minutes", "sessions", "lessons", "minutes_offered", "sessions_offered"]
Ints = npt.NDArray[np.int64]

# The feed column each measure sums, and how many of its units make one unit of the measure.
SCHEDULE_FIELDS: dict[str, SumField] = {
    "sessions": "sessions_offered",
    "minutes": "minutes_offered",
}
SUM_SCALE: dict[str, int] = {
    "minutes": QUANTITY_SCALE,
    "minutes_offered": QUANTITY_SCALE,
    "sessions": 1,
    "lessons": 1,
    "sessions_offered": 1,
}
# What a blank (or absent) column counts as: one session offered or used, no lessons/minutes.
BLANK: dict[str, int] = {
    "minutes": 0,
    "sessions": 1,
    "lessons": 0,
    "minutes_offered": 0,
    "sessions_offered": 1,
}


@dataclass(frozen=True)
class SumWindow:
    """What a summed measure adds up: ``field`` of the ``feed`` rows dated ``start``..``end``
    inclusive."""

    feed: Literal["usage", "schedule"]
    field: SumField
    start: date
    end: date


def sum_windows(definition: Definition) -> dict[str, SumWindow]:
    """Each usage or schedule measure's feed, column and inclusive date range (defaults: the
    contract term)."""
    windows: dict[str, SumWindow] = {}
    for name, measure in definition.measures.items():
        start = definition.term.start
        end = definition.term.end
        if isinstance(measure, UsageMeasure):
            windows[name] = SumWindow(
                "usage", measure.usage, measure.from_ or start, measure.to or end
            )
        elif isinstance(measure, ScheduleMeasure):
            field = SCHEDULE_FIELDS[measure.schedule]
            windows[name] = SumWindow("schedule", field, measure.from_ or start, measure.to or end)
    return windows


def summed_totals(
    definition: Definition, usage: pd.DataFrame, schedule: pd.DataFrame | None = None
) -> dict[str, pd.Series]:
    """Per summed measure, each student's total: a Series student_id → int64 in the feed's
    units. Students without rows may be absent; they count as 0. Rows outside the window are
    ignored; nothing is rounded. ``schedule`` None is a schedule without rows."""
    windows = sum_windows(definition)
    frames = {"usage": usage, "schedule": schedule}
    result: dict[str, pd.Series] = {}
    for feed in ("usage", "schedule"):
        wanted = {name: window for name, window in windows.items() if window.feed == feed}
        frame = frames[feed]
        if not wanted:
            continue
        if frame is None or frame.empty:
            nobody = pd.Index([], dtype=object, name="student_id")
            result.update({name: pd.Series([], dtype="int64", index=nobody) for name in wanted})
            continue
        result.update(_totals(frame, wanted))
    return result


def _totals(frame: pd.DataFrame, windows: dict[str, SumWindow]) -> dict[str, pd.Series]:
    codes, students = factorize_runs(frame["student_id"].to_numpy(dtype=object))
    index = pd.Index(students, dtype=object, name="student_id")
    days = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[ns]")
    columns = {field: _column(frame, field) for field in {w.field for w in windows.values()}}
    totals: dict[SumWindow, pd.Series] = {}
    result: dict[str, pd.Series] = {}
    for name, window in windows.items():
        if window not in totals:
            start = np.datetime64(window.start, "ns")
            stop = np.datetime64(window.end + timedelta(days=1), "ns")  # end day inclusive
            amounts = np.where((days >= start) & (days < stop), columns[window.field], 0)
            sums = np.zeros(len(students), dtype=np.int64)
            np.add.at(sums, codes, amounts)  # integer sums: exact, unlike bincount's floats
            totals[window] = pd.Series(sums, index=index)
        result[name] = totals[window]
    return result


def _column(frame: pd.DataFrame, field: str) -> Ints:
    if field not in frame:
        return np.full(len(frame), BLANK[field], dtype=np.int64)
    column = frame[field]
    if column.hasnans:
        column = column.fillna(BLANK[field])
    return column.to_numpy(dtype=np.int64)


def factorize_runs(values: npt.NDArray[np.object_]) -> tuple[Ints, npt.NDArray[np.object_]]:
    """``pd.factorize`` that hashes each run of equal neighbours once.

    Usage logs usually arrive grouped by student (an export, an ORDER BY), so comparing
    neighbours and hashing only run heads is much cheaper than hashing every row; in the
    worst case (no runs at all) it costs one extra comparison pass.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    change = np.empty(len(values), dtype=np.bool_)
    change[0] = True
    np.not_equal(values[1:], values[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    run_codes, uniques = pd.factorize(values[starts])
    lengths = np.diff(np.append(starts, len(values)))
    return np.repeat(run_codes.astype(np.int64), lengths), np.asarray(uniques, dtype=object)


def usage_totals(definition: Definition, usage: pd.DataFrame) -> dict[str, pd.Series]:
    """The sums of :func:`summed_totals` without a schedule (kept for the benchmark)."""
    return summed_totals(definition, usage)

"""Per-student measure values (SPEC §1, Measures), computed for all students at once.

A measure is held as two aligned numpy arrays over the population: ``values`` (int64 counting
``1/scale`` units, or bool for true/false measures) and ``present`` (False = null). Integer
units keep every sum and comparison exact; the arrays keep 100,000 students fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.engine.definition import AssessmentMeasure, Definition, UsageMeasure
from app.engine.frames import QUANTITY_SCALE

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

# How many units of the input column make one unit of the measure (see app/engine/frames.py).
USAGE_SCALE = {"minutes": QUANTITY_SCALE, "sessions": 1}


def clamp_int64(bound: int) -> int:
    """A comparison bound squeezed into int64, where it compares the same with every value."""
    info = np.iinfo(np.int64)
    return max(info.min, min(info.max, bound))


@dataclass(frozen=True)
class UsageWindow:
    """What a usage measure sums: ``field`` of the usage rows dated ``start``..``end``
    inclusive. The service can run this aggregation in SQL and pass the totals in."""

    field: Literal["minutes", "sessions"]
    start: date
    end: date


@dataclass(frozen=True)
class MeasureValues:
    """One measure for every population student; a number stands for ``values / scale``."""

    name: str
    kind: Literal["number", "flag"]
    scale: int
    values: npt.NDArray[np.int64] | npt.NDArray[np.bool_]
    present: Bools


def usage_windows(definition: Definition) -> dict[str, UsageWindow]:
    """Each usage measure's column and inclusive date range (defaults: the contract term)."""
    return {
        name: UsageWindow(
            field=measure.usage,
            start=measure.from_ or definition.term.start,
            end=measure.to or definition.term.end,
        )
        for name, measure in definition.measures.items()
        if isinstance(measure, UsageMeasure)
    }


def positions_in(ids: npt.NDArray[np.object_], values: npt.NDArray[np.object_]) -> Ints:
    """For each of ``values``, its position in the unique ``ids``, or −1 if absent.

    One factorisation of both arrays together: pandas numbers values in order of first
    appearance, so the ids (first, and unique) get codes 0..n−1. That is one hash pass over
    the strings, measured several times faster than ``Index.get_indexer`` on object ids.
    """
    codes, _ = pd.factorize(np.concatenate([ids, values]))
    found = codes[len(ids) :]
    return np.where((found >= 0) & (found < len(ids)), found, -1).astype(np.int64)


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
    """Per usage measure, each student's total: a Series student_id → int64 in the input's
    units (minutes in thousandths, whole sessions). Students without rows may be absent;
    they count as 0. Rows outside the window are ignored; nothing is rounded."""
    windows = usage_windows(definition)
    if not windows:
        return {}
    codes, students = factorize_runs(usage["student_id"].to_numpy(dtype=object))
    index = pd.Index(students, dtype=object, name="student_id")
    days = pd.to_datetime(usage["date"]).to_numpy(dtype="datetime64[ns]")
    columns = {
        field: usage[field].to_numpy(dtype=np.int64)
        for field in {w.field for w in windows.values()}
    }
    totals: dict[UsageWindow, pd.Series] = {}
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


def usage_measure(
    name: str,
    field: str,
    totals: pd.Series | None,
    ids: npt.NDArray[np.object_],
    positions: dict[int, Ints],
) -> MeasureValues:
    """A usage total for every population student; no rows means 0, never null.
    ``positions`` caches where each totals index's students sit in the population."""
    values = np.zeros(len(ids), dtype=np.int64)
    if totals is not None and not totals.empty:
        key = id(totals.index)
        if key not in positions:
            positions[key] = positions_in(ids, totals.index.to_numpy(dtype=object))
        where = positions[key]
        found = where >= 0
        values[where[found]] = totals.to_numpy(dtype=np.int64)[found]
    present = np.ones(len(ids), dtype=np.bool_)
    return MeasureValues(name, "number", USAGE_SCALE[field], values, present)


@dataclass(frozen=True)
class Scores:
    """One assessment window's rows aligned to the population."""

    score: Ints
    has_score: Bools
    growth_target: Ints
    has_growth_target: Bools


def window_scores(
    assessments: pd.DataFrame, pairs: set[tuple[str, str]], ids: npt.NDArray[np.object_]
) -> dict[tuple[str, str], Scores]:
    """The score and growth target (thousandths) of each population student in each
    (assessment, window) pair; students are matched once for all pairs."""
    size = len(ids)
    positions = positions_in(ids, assessments["student_id"].to_numpy(dtype=object))
    assessment_codes, assessment_names = pd.factorize(assessments["assessment"])
    window_codes, window_names = pd.factorize(assessments["window"])
    score = assessments["score"].to_numpy(dtype=np.int64)
    target_column = assessments["growth_target"]
    target = target_column.fillna(0).to_numpy(dtype=np.int64)
    has_target = target_column.notna().to_numpy(dtype=np.bool_)
    result: dict[tuple[str, str], Scores] = {}
    for assessment, window in pairs:
        aligned = Scores(
            score=np.zeros(size, dtype=np.int64),
            has_score=np.zeros(size, dtype=np.bool_),
            growth_target=np.zeros(size, dtype=np.int64),
            has_growth_target=np.zeros(size, dtype=np.bool_),
        )
        a_code = _code(assessment_names, assessment)
        w_code = _code(window_names, window)
        rows = np.flatnonzero(
            (assessment_codes == a_code) & (window_codes == w_code) & (positions >= 0)
        )
        where = positions[rows]
        if len(where) and np.bincount(where, minlength=size).max() > 1:
            raise ValueError(f"more than one {assessment} score in {window} for a student")
        aligned.score[where] = score[rows]
        aligned.has_score[where] = True
        aligned.growth_target[where] = target[rows]
        aligned.has_growth_target[where] = has_target[rows]
        result[(assessment, window)] = aligned
    return result


def _code(names: Any, name: str) -> int:
    matches = np.flatnonzero(np.asarray(names, dtype=object) == name)
    return int(matches[0]) if len(matches) else -2  # -2 matches no row (-1 is a null)


def assessment_measure(
    name: str,
    measure: AssessmentMeasure,
    scores: dict[tuple[str, str], Scores],
) -> MeasureValues:
    """A score, growth (W2 − W1) or met_target (growth ≥ target) for every student; null when
    any input is missing. Scores and growth are in thousandths, like the feed."""
    if measure.value == "score":
        assert measure.window is not None
        one = scores[(measure.assessment, measure.window)]
        return MeasureValues(name, "number", QUANTITY_SCALE, one.score, one.has_score)
    assert measure.from_window is not None and measure.to_window is not None
    first = scores[(measure.assessment, measure.from_window)]
    second = scores[(measure.assessment, measure.to_window)]
    growth = second.score - first.score
    present = first.has_score & second.has_score
    if measure.value == "growth":
        return MeasureValues(name, "number", QUANTITY_SCALE, growth, present)
    if measure.target is not None:
        # growth/1000 ≥ target ⇔ growth ≥ ceil(target × 1000), since growth is whole thousandths
        met = growth >= clamp_int64(math.ceil(Fraction(measure.target) * QUANTITY_SCALE))
    else:
        met = growth >= first.growth_target
        present = present & first.has_growth_target
    return MeasureValues(name, "flag", 1, met & present, present)


def needed_windows(definition: Definition) -> set[tuple[str, str]]:
    """Every (assessment, window) pair some measure reads."""
    pairs: set[tuple[str, str]] = set()
    for measure in definition.measures.values():
        if isinstance(measure, AssessmentMeasure):
            for window in (measure.window, measure.from_window, measure.to_window):
                if window is not None:
                    pairs.add((measure.assessment, window))
    return pairs


def compute_measures(
    definition: Definition,
    ids: npt.NDArray[np.object_],
    assessments: pd.DataFrame,
    totals: dict[str, pd.Series],
) -> dict[str, MeasureValues]:
    """Every measure of the definition for the population ``ids`` (in that order)."""
    scores = window_scores(assessments, needed_windows(definition), ids)
    positions: dict[int, Ints] = {}
    result: dict[str, MeasureValues] = {}
    for name, measure in definition.measures.items():
        if isinstance(measure, UsageMeasure):
            series = totals.get(name)
            result[name] = usage_measure(name, measure.usage, series, ids, positions)
        else:
            result[name] = assessment_measure(name, measure, scores)
    return result

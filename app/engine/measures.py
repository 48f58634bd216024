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
from typing import Literal

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


def usage_totals(definition: Definition, usage: pd.DataFrame) -> dict[str, pd.Series]:
    """Per usage measure, each student's total: a Series student_id → int64 in the input's
    units (minutes in thousandths, whole sessions). Students without rows may be absent;
    they count as 0. Rows outside the window are ignored; nothing is rounded."""
    windows = usage_windows(definition)
    if not windows:
        return {}
    # Factorise the ids once: grouping by small integer codes is far cheaper than hashing
    # five million strings again for every measure.
    codes, students = pd.factorize(usage["student_id"], sort=False)
    days = pd.to_datetime(usage["date"]).to_numpy(dtype="datetime64[ns]")
    totals: dict[UsageWindow, pd.Series] = {}
    result: dict[str, pd.Series] = {}
    for name, window in windows.items():
        if window not in totals:
            start = np.datetime64(window.start, "ns")
            stop = np.datetime64(window.end + timedelta(days=1), "ns")  # end day inclusive
            inside = (days >= start) & (days < stop)
            amounts = usage[window.field].to_numpy(dtype=np.int64)
            sums = np.zeros(len(students), dtype=np.int64)
            np.add.at(sums, codes[inside], amounts[inside])
            totals[window] = pd.Series(sums, index=pd.Index(students, name="student_id"))
        result[name] = totals[window]
    return result


def usage_measure(name: str, field: str, totals: pd.Series | None, ids: pd.Index) -> MeasureValues:
    """A usage total for every population student; no rows means 0, never null."""
    if totals is None or totals.empty:
        values = np.zeros(len(ids), dtype=np.int64)
    else:
        values = totals.reindex(ids, fill_value=0).to_numpy(dtype=np.int64)
    present = np.ones(len(ids), dtype=np.bool_)
    return MeasureValues(name, "number", USAGE_SCALE[field], values, present)


@dataclass(frozen=True)
class Scores:
    """One assessment window's rows aligned to the population."""

    score: Ints
    has_score: Bools
    growth_target: Ints
    has_growth_target: Bools


def window_scores(assessments: pd.DataFrame, assessment: str, window: str, ids: pd.Index) -> Scores:
    """The score and growth target (thousandths) of each population student in one window."""
    rows = assessments[
        (assessments["assessment"] == assessment) & (assessments["window"] == window)
    ]
    rows = rows.set_index("student_id")
    if not rows.index.is_unique:
        raise ValueError(f"more than one {assessment} score in {window} for a student")
    aligned = rows.reindex(ids)
    score = aligned["score"]
    target = aligned["growth_target"]
    return Scores(
        score=score.fillna(0).to_numpy(dtype=np.int64),
        has_score=score.notna().to_numpy(dtype=np.bool_),
        growth_target=target.fillna(0).to_numpy(dtype=np.int64),
        has_growth_target=target.notna().to_numpy(dtype=np.bool_),
    )


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
    ids: pd.Index,
    assessments: pd.DataFrame,
    totals: dict[str, pd.Series],
) -> dict[str, MeasureValues]:
    """Every measure of the definition for the population ``ids`` (in that order)."""
    scores = {
        pair: window_scores(assessments, pair[0], pair[1], ids)
        for pair in sorted(needed_windows(definition))
    }
    result: dict[str, MeasureValues] = {}
    for name, measure in definition.measures.items():
        if isinstance(measure, UsageMeasure):
            result[name] = usage_measure(name, measure.usage, totals.get(name), ids)
        else:
            result[name] = assessment_measure(name, measure, scores)
    return result

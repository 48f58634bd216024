"""Per-student measure values (SPEC §1, Measures), computed for all students at once.

A measure is held as aligned numpy arrays over the population: ``values`` (int64 counting
``1/scale`` units, or bool for true/false measures) and ``present`` (False = null). A ratio
measure (``percent_of_typical``) also has ``denominators``: its value is ``values /
denominators`` exactly (growth and typical growth, both in thousandths). Integer units keep
every sum and comparison exact; the arrays keep 100,000 students fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.engine.assessments import IgnoredRows, WindowRows, positions_in, window_rows
from app.engine.definition import AssessmentMeasure, Definition
from app.engine.frames import QUANTITY_SCALE
from app.engine.sums import SUM_SCALE, sum_windows

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


def clamp_int64(bound: int) -> int:
    """A comparison bound squeezed into int64, where it compares the same with every value."""
    info = np.iinfo(np.int64)
    return max(info.min, min(info.max, bound))


@dataclass(frozen=True)
class MeasureValues:
    """One measure for every population student; a number stands for ``values / scale``
    (or ``values / denominators`` when those are given)."""

    name: str
    kind: Literal["number", "flag"]
    scale: int
    values: npt.NDArray[np.int64] | npt.NDArray[np.bool_]
    present: Bools
    denominators: Ints | None = None

    def exact(self, index: int) -> Fraction:
        """One student's value, exactly."""
        if self.denominators is not None:
            return Fraction(int(self.values[index]), int(self.denominators[index]))
        return Fraction(int(self.values[index]), self.scale)


def at_least_mask(measure: MeasureValues, bound: Fraction) -> Bools:
    """Students whose value ≥ ``bound``, exactly; null never is.

    Whole ``1/scale`` units: ``v ≥ x`` is ``units ≥ ceil(x × scale)``, one vectorised compare.
    A ratio ``n/d ≥ p/q`` (d > 0) is ``n × q ≥ p × d``, in Python integers (no overflow).
    """
    if measure.denominators is not None:
        left = measure.values.astype(object) * bound.denominator
        right = measure.denominators.astype(object) * bound.numerator
        return measure.present & np.asarray(left >= right, dtype=np.bool_)
    return measure.present & (measure.values >= clamp_int64(math.ceil(bound * measure.scale)))


def at_most_mask(measure: MeasureValues, bound: Fraction) -> Bools:
    if measure.denominators is not None:
        left = measure.values.astype(object) * bound.denominator
        right = measure.denominators.astype(object) * bound.numerator
        return measure.present & np.asarray(left <= right, dtype=np.bool_)
    return measure.present & (measure.values <= clamp_int64(math.floor(bound * measure.scale)))


def summed_measure(
    name: str,
    scale: int,
    totals: pd.Series | None,
    ids: npt.NDArray[np.object_],
    positions: dict[int, Ints],
) -> MeasureValues:
    """A usage or schedule total for every population student; no rows means 0, never
    null. ``positions`` caches where each totals index's students sit in the population."""
    values = np.zeros(len(ids), dtype=np.int64)
    if totals is not None and not totals.empty:
        key = id(totals.index)
        if key not in positions:
            positions[key] = positions_in(ids, totals.index.to_numpy(dtype=object))
        where = positions[key]
        found = where >= 0
        values[where[found]] = totals.to_numpy(dtype=np.int64)[found]
    present = np.ones(len(ids), dtype=np.bool_)
    return MeasureValues(name, "number", scale, values, present)


def assessment_measure(
    name: str, measure: AssessmentMeasure, rows: dict[tuple[str, str], WindowRows]
) -> MeasureValues:
    """A score, growth (W2 − W1), met_target (growth ≥ target), percent_of_typical (growth ÷
    the W1 row's typical growth, null unless that is > 0) or growth_percentile (the W2 row's,
    needing both rows) for every student; null when any input is missing. Scores and growth
    are in thousandths, like the feed."""
    if measure.value == "score":
        assert measure.window is not None
        one = rows[(measure.assessment, measure.window)]
        return MeasureValues(name, "number", QUANTITY_SCALE, one.score, one.has_score)
    assert measure.from_window is not None and measure.to_window is not None
    first = rows[(measure.assessment, measure.from_window)]
    second = rows[(measure.assessment, measure.to_window)]
    growth = second.score - first.score
    present = first.has_score & second.has_score
    if measure.value == "growth":
        return MeasureValues(name, "number", QUANTITY_SCALE, growth, present)
    if measure.value == "growth_percentile":
        percentile, has_percentile = second.values["growth_percentile"]
        return MeasureValues(name, "number", 1, percentile, present & has_percentile)
    if measure.value == "percent_of_typical":
        typical, has_typical = first.values["typical_growth"]
        usable = present & has_typical & (typical > 0)
        denominators = np.where(usable, typical, 1).astype(np.int64)
        return MeasureValues(name, "number", 1, growth, usable, denominators)
    if measure.target is not None:
        # growth/1000 ≥ target ⇔ growth ≥ ceil(target × 1000), since growth is whole thousandths
        met = growth >= clamp_int64(math.ceil(Fraction(measure.target) * QUANTITY_SCALE))
    else:
        target, has_target = first.values["growth_target"]
        met = growth >= target
        present = present & has_target
    return MeasureValues(name, "flag", 1, met & present, present)


def compute_measures(
    definition: Definition,
    ids: npt.NDArray[np.object_],
    assessments: pd.DataFrame,
    totals: dict[str, pd.Series],
) -> tuple[dict[str, MeasureValues], IgnoredRows]:
    """Every measure of the definition for the population ``ids`` (in that order), and the
    assessment rows the validity rules ignored."""
    rows, ignored = window_rows(definition, assessments, ids)
    sums = sum_windows(definition)
    positions: dict[int, Ints] = {}
    result: dict[str, MeasureValues] = {}
    for name, measure in definition.measures.items():
        if isinstance(measure, AssessmentMeasure):
            result[name] = assessment_measure(name, measure, rows)
        else:
            scale = SUM_SCALE[sums[name].field]
            result[name] = summed_measure(name, scale, totals.get(name), ids, positions)
    return result, ignored

"""Conditions (``where``, ``eligibility``, ``served``) as boolean masks over the population
(SPEC §1)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from app.engine.definition import Condition
from app.engine.measures import Bools, MeasureValues, at_least_mask, at_most_mask


def condition_mask(condition: Condition, measure: MeasureValues) -> Bools:
    """Which students meet ``condition``; a null value never meets it (exact compares)."""
    if condition.is_ is not None:
        return measure.present & np.asarray(measure.values == condition.is_, dtype=np.bool_)
    if condition.at_least is not None:
        return at_least_mask(measure, Fraction(condition.at_least))
    assert condition.at_most is not None
    return at_most_mask(measure, Fraction(condition.at_most))


def all_conditions(
    conditions: list[Condition], measures: dict[str, MeasureValues], size: int
) -> Bools:
    """Students meeting every condition (an empty list is met by everyone)."""
    mask = np.ones(size, dtype=np.bool_)
    for condition in conditions:
        mask &= condition_mask(condition, measures[condition.measure])
    return mask


def all_present(
    conditions: list[Condition], measures: dict[str, MeasureValues], size: int
) -> Bools:
    """Students whose measures named in ``conditions`` are all non-null."""
    mask = np.ones(size, dtype=np.bool_)
    for condition in conditions:
        mask &= measures[condition.measure].present
    return mask

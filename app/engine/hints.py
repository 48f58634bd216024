"""What would raise a vendor's earnings (SPEC §6, Vendor): hints computed from an evaluation.

Nothing here restates a tranche rule. A hint asks the engine's own rule (``apply_rule``) what
a line would earn if k more (or fewer) students met the metric's condition, and searches for
the smallest such k; the eligibility hint counts students with the engine's own condition
masks. Counts are exact integers; every amount comes from ``apply_rule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from app.engine.conditions import all_conditions, condition_mask
from app.engine.definition import (
    Condition,
    Definition,
    LinearTranche,
    PenaltyTranche,
    PerUnitTranche,
    ThresholdTranche,
    TieredTranche,
)
from app.engine.descriptions import condition_phrase
from app.engine.metrics import MetricResult
from app.engine.result import EvaluationResult
from app.engine.rules import apply_rule
from app.engine.tranches import evaluate_tranches

# "Within 10% of the gate" (SPEC §6): a student whose value is at least 90% of an `at_least`
# bound (or at most 110% of an `at_most` bound) without meeting it.
NEAR_GATE = Decimal("0.10")

SteppedTranche = ThresholdTranche | TieredTranche | LinearTranche | PerUnitTranche | PenaltyTranche


@dataclass(frozen=True)
class RaiseHint:
    """``students`` more (or fewer) students meeting ``metric``'s condition would take the
    line's rule amount from ``amount_now`` to ``amount_then`` (before max_total and holdback).
    ``full_at``: for linear and per-unit lines, the count that reaches the most the rule pays.
    ``total_now``/``total_then``: what the whole contract earns, with max_total applied by the
    engine (``evaluate_tranches``): a line can rise while the total stays at the maximum."""

    tranche: str
    metric: str
    direction: Literal["more", "fewer"]
    students: int
    amount_now: Decimal
    amount_then: Decimal
    condition: str
    base: str
    total_now: Decimal
    total_then: Decimal
    full_at: int | None = None
    amount_full: Decimal | None = None

    @property
    def raises_total(self) -> bool:
        return self.total_then > self.total_now


@dataclass(frozen=True)
class GateHint:
    """``near`` students of the population miss the eligibility condition on ``measure`` by
    at most 10% of its bound, and meet every other eligibility condition."""

    measure: str
    condition: str
    near: int


def raising_hints(definition: Definition, result: EvaluationResult) -> list[RaiseHint]:
    """For each tranche paid on a share or count of students, the fewest students that would
    raise what its rule pays. Lines whose metric is a mean or median, or indeterminate, or
    already at their most, get no hint."""
    hints: list[RaiseHint] = []
    for tranche in definition.tranches:
        if not isinstance(tranche, SteppedTranche):
            continue
        metric = result.metrics.get(tranche.metric)
        if metric is None or metric.value is None or metric.numerator is None:
            continue
        hint = _hint_for(definition, result, tranche, metric)
        if hint is not None:
            hints.append(hint)
    return hints


def _hint_for(
    definition: Definition,
    result: EvaluationResult,
    tranche: SteppedTranche,
    metric: MetricResult,
) -> RaiseHint | None:
    value_with = _value_with(metric)
    if value_with is None:
        return None
    now = _amount(tranche, value_with, 1)(0)
    for direction, sign in (("more", 1), ("fewer", -1)):
        amount = _amount(tranche, value_with, sign)
        limit = _room(metric, direction)
        best = amount(limit) if limit else now
        if best <= now:
            continue
        students = _fewest(limit, amount, now.__lt__)
        then = amount(students)
        full_at, amount_full = None, None
        if isinstance(tranche, LinearTranche | PerUnitTranche) and best > then:
            full_at = _fewest(limit, amount, best.__le__)
            amount_full = best
        spec = definition.metrics[tranche.metric]
        return RaiseHint(
            tranche=tranche.key,
            metric=tranche.metric,
            direction="more" if sign > 0 else "fewer",
            students=students,
            amount_now=now,
            amount_then=then,
            condition=" and ".join(
                condition_phrase(c, definition.measures[c.measure], definition.term)
                for c in getattr(spec, "where", [])
            ),
            base="eligible student" if metric.base == "eligible" else "student",
            total_now=_total(definition, result, metric, value_with, 0),
            total_then=_total(definition, result, metric, value_with, sign * students),
            full_at=full_at,
            amount_full=amount_full,
        )
    return None


def _total(
    definition: Definition,
    result: EvaluationResult,
    metric: MetricResult,
    value_with: Callable[[int], Fraction],
    moved: int,
) -> Decimal:
    """The contract's total earned, by the engine's own tranche walk (max_total included),
    with ``moved`` more students meeting ``metric``'s condition."""
    metrics = dict(result.metrics)
    metrics[metric.name] = replace(
        metric, value=value_with(moved), numerator=(metric.numerator or 0) + moved
    )
    cards = {line.key: line.card for line in result.tranches if line.card is not None}
    lines = evaluate_tranches(definition, metrics, cards, result.obligations, result.as_of)
    return sum((line.earned for line in lines), Decimal("0.00"))


def _amount(
    tranche: SteppedTranche, value_with: Callable[[int], Fraction], sign: int
) -> Callable[[int], Decimal]:
    """What the line's rule pays (the engine's ``apply_rule``) with k students moved."""
    return lambda k: apply_rule(tranche, value_with(sign * k)).amount


def gate_hints(definition: Definition, result: EvaluationResult) -> list[GateHint]:
    """For each numeric eligibility condition, the students who fail only it and are within
    10% of its bound: the ones a little more use would make eligible."""
    measures = result.detail.measures
    size = len(result.detail.eligible)
    hints: list[GateHint] = []
    for index, condition in enumerate(definition.eligibility):
        measure = measures.get(condition.measure)
        if measure is None or measure.kind != "number" or condition.is_ is not None:
            continue
        others = [c for i, c in enumerate(definition.eligibility) if i != index]
        near_condition = _relaxed(condition)
        missing = ~condition_mask(condition, measure)
        near = (
            missing
            & condition_mask(near_condition, measure)
            & all_conditions(others, measures, size)
        )
        hints.append(
            GateHint(
                measure=condition.measure,
                condition=condition_phrase(
                    condition, definition.measures[condition.measure], definition.term
                ),
                near=int(np.count_nonzero(near)),
            )
        )
    return hints


def _relaxed(condition: Condition) -> Condition:
    """The same condition with its bound moved 10% towards the students who miss it."""
    if condition.at_least is not None:
        bound = Decimal(condition.at_least) * (1 - NEAR_GATE)
        return Condition(measure=condition.measure, at_least=bound)
    assert condition.at_most is not None
    bound = Decimal(condition.at_most) * (1 + NEAR_GATE)
    return Condition(measure=condition.measure, at_most=bound)


def _value_with(metric: MetricResult) -> Callable[[int], Fraction] | None:
    """The metric's exact value if ``k`` more students (negative: fewer) met its condition."""
    hits = metric.numerator or 0
    if metric.kind == "share_of" and metric.counted:
        counted = metric.counted
        return lambda k: Fraction(hits + k, counted)
    if metric.kind == "count_of":
        return lambda k: Fraction(hits + k)
    return None


def _room(metric: MetricResult, direction: str) -> int:
    """How many students could still start (or stop) meeting the condition."""
    hits = metric.numerator or 0
    pool = metric.counted if metric.kind == "share_of" else metric.base_count
    return max(0, pool - hits) if direction == "more" else hits


def _fewest(limit: int, amount: Callable[[int], Decimal], enough: Callable[[Decimal], bool]) -> int:
    """The smallest k in 1..limit whose amount is ``enough``, given that ``amount(limit)`` is.
    Every rule is monotone in its metric, so a bisection finds the step exactly."""
    low, high = 1, limit
    while low < high:
        middle = (low + high) // 2
        if enough(amount(middle)):
            high = middle
        else:
            low = middle + 1
    return low

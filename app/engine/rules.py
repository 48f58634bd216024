"""Each tranche type's own rule (SPEC §1, Tranches), before obligations, max_total and
holdback. Exact: an amount is a ``Fraction`` of the exact metric, rounded half-up to the cent
once; a rate card adds whole-cent pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from app.engine.definition import (
    LinearTranche,
    MetricTranche,
    PenaltyTranche,
    PerUnitTranche,
    RateCardTranche,
    ThresholdTranche,
    Tier,
    TieredTranche,
)
from app.engine.measures import Bools, Ints, MeasureValues, at_least_mask
from app.engine.metrics import BaseName
from app.engine.money import ZERO, round_cents


@dataclass(frozen=True)
class RuleOutcome:
    """What a tranche's own rule gives, before max_total and holdback.

    ``amount`` is rounded half-up to the cent (negative for a penalty's deduction). The other
    fields say how it was reached, for the explanation: whether a threshold was met, which
    tier, the linear progress (clamped to 0..1), the per-unit product before the cap.
    """

    amount: Decimal
    met: bool | None = None
    tier: Tier | None = None
    progress: Fraction | None = None
    unclamped: Fraction | None = None
    product: Fraction | None = None
    capped: bool = False


def apply_rule(tranche: MetricTranche, value: Fraction) -> RuleOutcome:
    """The amount ``tranche`` earns for the exact metric ``value``."""
    if isinstance(tranche, ThresholdTranche):
        if tranche.at_least is not None:
            met = value >= Fraction(tranche.at_least)
        else:
            assert tranche.at_most is not None
            met = value <= Fraction(tranche.at_most)
        return RuleOutcome(amount=tranche.amount if met else ZERO, met=met)
    if isinstance(tranche, TieredTranche):
        reached = [tier for tier in tranche.tiers if value >= Fraction(tier.at_least)]
        best = max(reached, key=lambda tier: tier.at_least, default=None)
        return RuleOutcome(amount=best.pay if best else ZERO, tier=best)
    if isinstance(tranche, LinearTranche):
        floor, target = Fraction(tranche.floor), Fraction(tranche.target)
        # One formula for both directions: with floor > target both differences are negative.
        unclamped = (value - floor) / (target - floor)
        progress = min(max(unclamped, Fraction(0)), Fraction(1))
        amount = round_cents(Fraction(tranche.amount) * progress)
        return RuleOutcome(amount=amount, progress=progress, unclamped=unclamped)
    assert isinstance(tranche, PerUnitTranche | PenaltyTranche)
    product = max(Fraction(0), Fraction(tranche.rate) * value)
    # SPEC: penalty = −min(round_half_up(max(0, rate × metric)), cap): round, then cap.
    rounded = round_cents(product)
    capped = tranche.cap is not None and rounded > tranche.cap
    amount = tranche.cap if capped and tranche.cap is not None else rounded
    if isinstance(tranche, PenaltyTranche):
        amount = -amount
    return RuleOutcome(amount=amount + ZERO, product=product, capped=capped)


@dataclass(frozen=True)
class RateCard:
    """A rate card over its base: ``levels`` (ascending) with how many students reached each
    as their highest, ``below`` students with a value under every level, ``excused_paid``
    excused students paid the largest level (``pay_full``). ``total`` = the sum before the cap;
    ``amount`` after it. ``level_of`` gives each population student's level index (−1: none)."""

    base: BaseName
    base_count: int
    counted: int
    levels: list[tuple[Tier, int]]
    below: int
    excused_paid: int
    largest_pay: Decimal
    total: Decimal
    amount: Decimal
    capped: bool
    insufficient: bool
    counted_mask: Bools
    level_of: Ints = field(repr=False)
    min_coverage: Decimal | None = None
    min_count: int | None = None
    excused: int = 0  # excused students of the population, in no rate card's base

    @property
    def coverage(self) -> Fraction | None:
        return Fraction(self.counted, self.base_count) if self.base_count else None


def rate_card(
    tranche: RateCardTranche,
    measure: MeasureValues,
    bases: dict[BaseName, Bools],
    excused: Bools,
    pay_full: bool,
) -> RateCard:
    """Each student of ``over`` with a value earns the pay of the highest level it meets;
    with ``pay_full``, each excused student of the population earns the largest pay."""
    in_base = bases[tranche.over]
    counted_mask = in_base & measure.present
    levels = sorted(tranche.levels, key=lambda level: level.at_least)
    level_of = np.full(len(in_base), -1, dtype=np.int64)
    for index, level in enumerate(levels):  # ascending: a higher level overwrites a lower one
        level_of[counted_mask & at_least_mask(measure, Fraction(level.at_least))] = index
    counts = np.bincount(level_of[level_of >= 0], minlength=len(levels))
    reached = [(level, int(count)) for level, count in zip(levels, counts, strict=True)]
    largest = max((level.pay for level in levels), default=ZERO)
    excused_paid = int(excused.sum()) if pay_full else 0
    total = sum((level.pay * count for level, count in reached), ZERO) + largest * excused_paid
    capped = tranche.cap is not None and total > tranche.cap
    amount = tranche.cap if capped and tranche.cap is not None else total
    counted = int(counted_mask.sum())
    base_count = int(in_base.sum())
    insufficient = (
        counted == 0
        or (
            tranche.min_coverage is not None
            and Fraction(counted, base_count) < Fraction(tranche.min_coverage)
        )
        or (tranche.min_count is not None and counted < tranche.min_count)
    )
    return RateCard(
        base=tranche.over,
        base_count=base_count,
        counted=counted,
        levels=reached,
        below=counted - int(counts.sum()),
        excused_paid=excused_paid,
        largest_pay=largest,
        total=total,
        amount=amount,
        capped=capped,
        insufficient=insufficient,
        counted_mask=counted_mask,
        level_of=level_of,
        min_coverage=tranche.min_coverage,
        min_count=tranche.min_count,
        excused=int(excused.sum()),
    )

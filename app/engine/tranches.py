"""Tranche lines (SPEC §1, Tranches): each type's rule, then max_total, holdback and status.

Every step is exact: a rule's amount is a ``Fraction`` of the exact metric, rounded half-up to
the cent once; max_total, holdback and totals then work on ``Decimal`` cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from app.engine.definition import (
    Definition,
    FixedTranche,
    LinearTranche,
    PerUnitTranche,
    ThresholdTranche,
    Tier,
    TieredTranche,
    Tranche,
)
from app.engine.explanations import explain_line
from app.engine.metrics import MetricResult
from app.engine.money import ZERO, round_cents

Status = Literal["pending", "indeterminate", "earned", "not_earned"]


@dataclass(frozen=True)
class RuleOutcome:
    """What a tranche's own rule gives, before max_total and holdback.

    ``amount`` is rounded half-up to the cent. The other fields say how it was reached, for
    the explanation: whether a threshold was met, which tier, the linear progress
    (clamped to 0..1), the per-unit product before the cap.
    """

    amount: Decimal
    met: bool | None = None
    tier: Tier | None = None
    progress: Fraction | None = None
    unclamped: Fraction | None = None
    product: Fraction | None = None
    capped: bool = False


@dataclass(frozen=True)
class TrancheLine:
    """One evaluated tranche. Money in currency units with two places."""

    key: str
    type: str
    status: Status
    metric: str | None
    due: date
    earned: Decimal
    held: Decimal
    payable: Decimal
    explanation: str
    before_max_total: Decimal

    @property
    def is_due(self) -> bool:
        return self.status != "pending"


def apply_rule(tranche: Tranche, value: Fraction) -> RuleOutcome:
    """The amount ``tranche`` earns for the exact metric ``value`` (not for fixed tranches)."""
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
    assert isinstance(tranche, PerUnitTranche)
    product = max(Fraction(0), Fraction(tranche.rate) * value)
    capped = tranche.cap is not None and product > Fraction(tranche.cap)
    amount = round_cents(Fraction(tranche.cap) if capped and tranche.cap is not None else product)
    return RuleOutcome(amount=amount, product=product, capped=capped)


@dataclass(frozen=True)
class MaxTotalShare:
    """What max_total left a line: ``earned`` and, for the explanation, how much the lines
    walked before it had already taken and which lines those were."""

    earned: Decimal
    taken_before: Decimal
    earlier: tuple[str, ...]


def walk_max_total(definition: Definition, amounts: list[Decimal]) -> list[MaxTotalShare]:
    """``max_total`` (SPEC §1): the lines walked in order of ``due`` (ties: definition order),
    each at its amount already rounded to the cent, pending ones at their projection. A line
    that would pass the maximum is reduced so the total equals it; later lines get 0. So a
    line never depends on a line due after it. ``amounts`` and the result are in definition
    order."""
    shares = [MaxTotalShare(amount, ZERO, ()) for amount in amounts]
    if definition.max_total is None:
        return shares
    order = sorted(range(len(amounts)), key=lambda i: (definition.tranches[i].due, i))
    running = ZERO
    earlier: list[str] = []
    for index in order:
        earned = min(amounts[index], max(ZERO, definition.max_total - running))
        shares[index] = MaxTotalShare(earned, running, tuple(earlier))
        running += earned
        if earned > 0:
            earlier.append(definition.tranches[index].key)
    return shares


def evaluate_tranches(
    definition: Definition, metrics: dict[str, MetricResult], as_of: date
) -> list[TrancheLine]:
    """Every tranche line in definition order, with max_total, holdback and status applied.

    max_total walks the lines in due order (see :func:`walk_max_total`); holdback applies to
    non-fixed lines until closeout (``as_of ≥ term.end``).
    """
    closeout = as_of >= definition.term.end
    outcomes: list[RuleOutcome] = []
    for tranche in definition.tranches:
        metric = None if isinstance(tranche, FixedTranche) else metrics[tranche.metric]
        if isinstance(tranche, FixedTranche):
            outcome = RuleOutcome(amount=tranche.amount)
        elif metric is None or metric.value is None:
            outcome = RuleOutcome(amount=ZERO)  # indeterminate: never silently paid or refused
        else:
            outcome = apply_rule(tranche, metric.value)
        outcomes.append(outcome)
    shares = walk_max_total(definition, [outcome.amount for outcome in outcomes])
    lines: list[TrancheLine] = []
    for tranche, outcome, share in zip(definition.tranches, outcomes, shares, strict=True):
        metric = None if isinstance(tranche, FixedTranche) else metrics[tranche.metric]
        earned = share.earned
        held = ZERO
        if (
            definition.holdback is not None
            and not isinstance(tranche, FixedTranche)
            and not closeout
        ):
            held = round_cents(Fraction(earned) * Fraction(definition.holdback))
        status = line_status(tranche, metric, earned, as_of)
        explanation = explain_line(definition, tranche, metric, outcome, share, held, status, as_of)
        lines.append(
            TrancheLine(
                key=tranche.key,
                type=tranche.type,
                status=status,
                metric=None if isinstance(tranche, FixedTranche) else tranche.metric,
                due=tranche.due,
                earned=earned,
                held=held,
                payable=earned - held,
                explanation=explanation,
                before_max_total=outcome.amount,
            )
        )
    return lines


def line_status(
    tranche: Tranche, metric: MetricResult | None, earned: Decimal, as_of: date
) -> Status:
    """First match wins: pending (not yet due), indeterminate, earned (> 0), not_earned."""
    if as_of < tranche.due:
        return "pending"
    if metric is not None and metric.insufficient:
        return "indeterminate"
    return "earned" if earned > 0 else "not_earned"

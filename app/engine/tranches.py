"""Tranche lines (SPEC §1, Tranches): each type's rule, what obligations and insufficient
data decide, then max_total, holdback and status.

Every step is exact: a rule's amount is rounded half-up to the cent once; max_total, holdback
and totals then work on ``Decimal`` cents.
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
    PenaltyTranche,
    RateCardTranche,
    Tranche,
    full_amount,
)
from app.engine.explanations import explain_line
from app.engine.measures import Bools, MeasureValues
from app.engine.metrics import BaseName, MetricResult
from app.engine.money import ZERO, round_cents
from app.engine.obligations import Covering, ObligationStatus, covering
from app.engine.rules import RateCard, RuleOutcome, apply_rule, rate_card

Status = Literal["pending", "indeterminate", "deducted", "earned", "not_earned"]
# How a line's amount was decided: by its rule; or, its data being insufficient, by its
# if_indeterminate (review/full/zero); or by a due obligation covering it.
Basis = Literal["fixed", "rule", "review", "full", "zero", "obligation_missed", "obligation_open"]


@dataclass(frozen=True)
class Decision:
    """A line's amount before max_total and holdback, and everything that explains it."""

    basis: Basis
    outcome: RuleOutcome
    metric: MetricResult | None = None
    card: RateCard | None = None
    covering: Covering | None = None

    @property
    def indeterminate(self) -> bool:
        return self.basis in ("review", "obligation_open")


@dataclass(frozen=True)
class MaxTotalShare:
    """What max_total left a line: ``earned`` and, for the explanation, how much the lines
    walked before it had already taken and which lines those were."""

    earned: Decimal
    taken_before: Decimal
    earlier: tuple[str, ...]


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
    measure: str | None = None
    card: RateCard | None = None

    @property
    def is_due(self) -> bool:
        return self.status != "pending"


def decide(
    definition: Definition,
    tranche: Tranche,
    metrics: dict[str, MetricResult],
    cards: dict[str, RateCard],
    statuses: dict[str, ObligationStatus],
    as_of: date,
) -> Decision:
    """The amount of one line before max_total: obligations first (a missed one outranks
    everything, an open one makes the line indeterminate), then insufficient data by
    ``if_indeterminate``, then the type's own rule."""
    if isinstance(tranche, FixedTranche):
        return Decision("fixed", RuleOutcome(amount=tranche.amount))
    metric = None if isinstance(tranche, RateCardTranche) else metrics[tranche.metric]
    card = cards.get(tranche.key)
    effect = covering(definition, tranche.key, statuses, as_of)

    def decided(basis: Basis, amount: Decimal) -> Decision:
        return Decision(basis, RuleOutcome(amount=amount), metric, card, effect)

    full = full_amount(tranche)
    if effect is not None and effect.effect == "missed":
        assert full is not None  # covered per_unit/rate_card need a cap (tranche_checks.py)
        return decided("obligation_missed", full)
    if effect is not None:
        return decided("obligation_open", ZERO)
    insufficient = card.insufficient if card is not None else metric is None or metric.value is None
    if insufficient:
        if tranche.if_indeterminate == "full":
            assert full is not None  # 'full' on an uncapped per_unit/rate_card is refused
            return decided("full", full)
        return decided("zero" if tranche.if_indeterminate == "zero" else "review", ZERO)
    if card is not None:
        outcome = RuleOutcome(amount=card.amount, capped=card.capped)
    else:
        assert metric is not None and metric.value is not None
        assert not isinstance(tranche, RateCardTranche)
        outcome = apply_rule(tranche, metric.value)
    return Decision("rule", outcome, metric, card, effect)


def walk_max_total(definition: Definition, amounts: list[Decimal]) -> list[MaxTotalShare]:
    """``max_total`` (SPEC §1): the non-penalty lines walked in order of ``due`` (ties:
    definition order), each at its amount already rounded to the cent, pending ones at their
    projection. A line that would pass the maximum is reduced so the total equals it; later
    lines get 0. So a line never depends on a line due after it. Penalties are not walked.
    ``amounts`` and the result are in definition order."""
    shares = [MaxTotalShare(amount, ZERO, ()) for amount in amounts]
    if definition.max_total is None:
        return shares
    order = sorted(
        (i for i, t in enumerate(definition.tranches) if not isinstance(t, PenaltyTranche)),
        key=lambda i: (definition.tranches[i].due, i),
    )
    running = ZERO
    earlier: list[str] = []
    for index in order:
        earned = min(amounts[index], max(ZERO, definition.max_total - running))
        shares[index] = MaxTotalShare(earned, running, tuple(earlier))
        running += earned
        if earned > 0:
            earlier.append(definition.tranches[index].key)
    return shares


def rate_cards(
    definition: Definition,
    measures: dict[str, MeasureValues],
    bases: dict[BaseName, Bools],
    excused: Bools,
) -> dict[str, RateCard]:
    """Every rate_card tranche's card, by tranche key."""
    pay_full = definition.accountability is not None and (
        definition.accountability.excused == "pay_full"
    )
    return {
        tranche.key: rate_card(tranche, measures[tranche.measure], bases, excused, pay_full)
        for tranche in definition.tranches
        if isinstance(tranche, RateCardTranche)
    }


def evaluate_tranches(
    definition: Definition,
    metrics: dict[str, MetricResult],
    cards: dict[str, RateCard],
    statuses: dict[str, ObligationStatus],
    as_of: date,
) -> list[TrancheLine]:
    """Every tranche line in definition order, with max_total, holdback and status applied.

    Holdback applies to lines that are neither fixed nor penalties, until closeout
    (``as_of ≥ term.end``).
    """
    closeout = as_of >= definition.term.end
    decisions = [
        decide(definition, tranche, metrics, cards, statuses, as_of)
        for tranche in definition.tranches
    ]
    shares = walk_max_total(definition, [decision.outcome.amount for decision in decisions])
    lines: list[TrancheLine] = []
    for tranche, decision, share in zip(definition.tranches, decisions, shares, strict=True):
        earned = share.earned
        held = ZERO
        if (
            definition.holdback is not None
            and not isinstance(tranche, FixedTranche | PenaltyTranche)
            and not closeout
        ):
            held = round_cents(Fraction(earned) * Fraction(definition.holdback))
        status = line_status(tranche, decision, earned, as_of)
        explanation = explain_line(definition, tranche, decision, share, held, status, as_of)
        lines.append(
            TrancheLine(
                key=tranche.key,
                type=tranche.type,
                status=status,
                metric=getattr(tranche, "metric", None),
                due=tranche.due,
                earned=earned,
                held=held,
                payable=earned - held,
                explanation=explanation,
                before_max_total=decision.outcome.amount,
                measure=tranche.measure if isinstance(tranche, RateCardTranche) else None,
                card=decision.card,
            )
        )
    return lines


def line_status(tranche: Tranche, decision: Decision, earned: Decimal, as_of: date) -> Status:
    """First match wins: pending (not yet due), indeterminate, deducted (< 0), earned (> 0),
    not_earned."""
    if as_of < tranche.due:
        return "pending"
    if decision.indeterminate:
        return "indeterminate"
    if earned < 0:
        return "deducted"
    return "earned" if earned > 0 else "not_earned"

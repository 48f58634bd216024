"""Plain-language explanations of tranche lines that a finance clerk can check by hand.

Each sentence names the counts, the rule and the arithmetic, e.g. "84 of 120 eligible students
with both map_reading scores (70.00%) met their map_reading growth target; floor 40.00%,
target 60.00% ⇒ 100% of $50,000.00 = $50,000.00", and then what obligations, insufficient
data, max_total and holdback did to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from app.engine.definition import (
    Definition,
    FixedTranche,
    LinearTranche,
    MetricTranche,
    PenaltyTranche,
    PerUnitTranche,
    RateCardTranche,
    ThresholdTranche,
    TieredTranche,
    Tranche,
)
from app.engine.descriptions import (
    BASE_PHRASE,
    Money,
    data_phrase,
    describe_metric,
    exact_versus,
    excused_note,
    measure_label,
    shown,
)
from app.engine.metrics import MetricResult
from app.engine.money import percent, plain_number, round_cents
from app.engine.rules import RateCard, RuleOutcome

if TYPE_CHECKING:
    from app.engine.tranches import Decision, MaxTotalShare, Status

STATUS_WORDS = {
    "disputed": "is disputed (the vendor says it was missed)",
    "unknown": "has no settled status (no record from the district)",
}


def explain_line(
    definition: Definition,
    tranche: Tranche,
    decision: Decision,
    share: MaxTotalShare,
    held: Decimal,
    status: Status,
    as_of: date,
) -> str:
    """The whole explanation of one line: rule, obligations or insufficient data, max_total,
    holdback, and the pending note."""
    money = Money(definition.currency)
    amount = decision.outcome.amount
    if isinstance(tranche, FixedTranche):
        text = f"Fixed amount {money(tranche.amount)}"
    else:
        described = _described(definition, tranche, decision)
        if decision.basis == "obligation_missed":
            assert decision.covering is not None
            missed = ", ".join(
                f"district obligation '{item.key}' missed on {item.due}"
                for item in decision.covering.obligations
            )
            if isinstance(tranche, PenaltyTranche):
                text = f"no deduction: {missed}"
            else:
                text = f"paid in full: {missed} ⇒ {money(amount)}"
        elif decision.basis == "obligation_open":
            assert decision.covering is not None
            open_ = "; ".join(
                f"district obligation '{item.key}' (due {item.due}) {STATUS_WORDS[state]}"
                for item, state in zip(
                    decision.covering.obligations, decision.covering.statuses, strict=True
                )
            )
            text = f"indeterminate: {open_} ⇒ earns {money(amount)} until reviewed"
        elif decision.basis == "review":
            text = f"{described} ⇒ indeterminate: earns {money(amount)} until reviewed"
        elif decision.basis == "full":
            text = f"{described} ⇒ not enough data, so paid in full as the contract says ⇒ {money(amount)}"
        elif decision.basis == "zero":
            text = f"{described} ⇒ not enough data, so nothing is paid as the contract says ⇒ {money(amount)}"
        elif decision.card is not None:
            text = described
        else:
            assert decision.metric is not None and not isinstance(tranche, RateCardTranche)
            text = f"{described}; {_rule(tranche, decision.metric, decision.outcome, money)}"
    text += _max_total_note(definition, amount, share, money)
    text += _holdback_note(definition, tranche, share.earned, held, as_of, money)
    text = text[0].upper() + text[1:]
    if status == "pending":
        text = f"Not yet due (due {tranche.due}); projection if it were due now: {text}"
    return text + "."


def _described(definition: Definition, tranche: Tranche, decision: Decision) -> str:
    if decision.card is not None:
        assert isinstance(tranche, RateCardTranche)
        return describe_card(definition, tranche, decision.card)
    assert decision.metric is not None and not isinstance(tranche, FixedTranche | RateCardTranche)
    return describe_metric(definition, definition.metrics[tranche.metric], decision.metric)


def describe_card(definition: Definition, tranche: RateCardTranche, card: RateCard) -> str:
    """The count per level, the pay-in-full of excused students, the sum and the cap."""
    money = Money(definition.currency)
    base = BASE_PHRASE[card.base]
    measure = definition.measures[tranche.measure]
    data = data_phrase([tranche.measure], definition.measures)
    label = measure_label(measure)
    head = f"rate card on {label}: {card.counted} of {card.base_count} {base}{data}"
    if card.insufficient:
        notes = []
        if card.counted == 0:
            notes.append("nobody to pay by it")
        coverage = card.coverage
        if card.min_coverage is not None and coverage is not None and coverage < card.min_coverage:
            notes.append(
                f"coverage {percent(coverage)} is below the required {percent(card.min_coverage)}"
            )
        if card.min_count is not None and card.counted < card.min_count:
            notes.append(f"fewer than the required {card.min_count} students with values")
        return head + "".join(f"; {note}" for note in notes)
    parts = [
        f"{count} at least {plain_number(level.at_least)} × {money(level.pay)} = {money(level.pay * count)}"
        for level, count in reversed(card.levels)
    ]
    parts.append(f"{card.below} below every level")
    if card.excused_paid:
        parts.append(
            f"{card.excused_paid} excused students paid in full × {money(card.largest_pay)}"
            f" = {money(card.largest_pay * card.excused_paid)}"
        )
    text = f"{head}: " + ", ".join(parts) + f" ⇒ {money(card.total)}"
    if card.capped and tranche.cap is not None:
        text += f", capped at {money(tranche.cap)} ⇒ {money(card.amount)}"
    elif tranche.cap is not None:
        text += f" (cap {money(tranche.cap)})"
    excused = _excused_of(definition, card)
    return text + excused


def _excused_of(definition: Definition, card: RateCard) -> str:
    """Excused students left out of the card (unless paid in full, which says so itself)."""
    return "" if card.excused_paid else excused_note(card.excused)


def _rule(tranche: MetricTranche, metric: MetricResult, outcome: RuleOutcome, money: Money) -> str:
    assert metric.value is not None
    value, is_share = metric.value, metric.is_share
    if isinstance(tranche, ThresholdTranche):
        bound = tranche.at_least if tranche.at_least is not None else tranche.at_most
        assert bound is not None
        word = "at least" if tranche.at_least is not None else "at most"
        need = f"needs {word} {shown(bound, is_share)}{exact_versus(value, bound, is_share)}"
        verdict = "met" if outcome.met else "not met"
        return f"{need} ⇒ {verdict} ⇒ {money(outcome.amount)}"
    if isinstance(tranche, TieredTranche):
        tiers = sorted(tranche.tiers, key=lambda tier: tier.at_least)
        listed = ", ".join(
            f"at least {shown(t.at_least, is_share)} pays {money(t.pay)}" for t in tiers
        )
        close = "".join(exact_versus(value, t.at_least, is_share) for t in tiers)
        if outcome.tier is None:
            return f"tiers: {listed}{close} ⇒ below every tier ⇒ {money(outcome.amount)}"
        reached = shown(outcome.tier.at_least, is_share)
        return (
            f"tiers: {listed}{close} ⇒ reaches the tier at least {reached}"
            f" ⇒ {money(outcome.amount)}"
        )
    if isinstance(tranche, LinearTranche):
        assert outcome.progress is not None and outcome.unclamped is not None
        bounds = f"floor {shown(tranche.floor, is_share)}, target {shown(tranche.target, is_share)}"
        if tranche.floor > tranche.target:
            bounds += " (lower is better)"
        progress = percent(outcome.progress, min_places=0)
        clamp = ""
        if outcome.unclamped != outcome.progress:
            clamp = f" (limited from {percent(outcome.unclamped, min_places=0)})"
        return f"{bounds} ⇒ {progress}{clamp} of {money(tranche.amount)} = {money(outcome.amount)}"
    assert isinstance(tranche, PerUnitTranche | PenaltyTranche) and outcome.product is not None
    product = f"{plain_number(value)} × {money.rate(tranche.rate)}"
    if value < 0:
        product += " is negative, so 0"
    size = money(abs(outcome.amount))
    if isinstance(tranche, PenaltyTranche):
        if outcome.capped:
            uncapped = money(round_cents(outcome.product))
            return f"{product} = {uncapped}, capped at {money(tranche.cap)} ⇒ {size} deducted"
        return f"{product} = {size} deducted (cap {money(tranche.cap)})"
    if outcome.capped and tranche.cap is not None:
        uncapped = money(round_cents(outcome.product))
        return f"{product} = {uncapped}, capped at {money(tranche.cap)} ⇒ {size}"
    return f"{product} ⇒ {size}"


def _max_total_note(
    definition: Definition, computed: Decimal, share: MaxTotalShare, money: Money
) -> str:
    """Names the cap and what the lines due before this one already took (SPEC §1)."""
    if definition.max_total is None or share.earned == computed:
        return ""
    limit = money(definition.max_total)
    before = ", ".join(share.earlier)
    if share.earned == 0:
        return (
            f"; earns {money(share.earned)} instead of {money(computed)}: the lines due before"
            f" it ({before}) already take the contract maximum of {limit}"
        )
    taken = (
        f"less {money(share.taken_before)} taken by the lines due before it ({before})"
        if share.earlier
        else "and no line due before it took anything"
    )
    return (
        f"; reduced from {money(computed)} to {money(share.earned)}: the contract maximum of"
        f" {limit} {taken}"
    )


def _holdback_note(
    definition: Definition,
    tranche: Tranche,
    earned: Decimal,
    held: Decimal,
    as_of: date,
    money: Money,
) -> str:
    if (
        definition.holdback is None
        or isinstance(tranche, FixedTranche | PenaltyTranche)
        or earned == 0
    ):
        return ""
    if as_of >= definition.term.end:
        return (
            f"; closeout (term ended {definition.term.end}): nothing is held back any more,"
            f" {money(earned)} payable"
        )
    share = percent(definition.holdback, min_places=0)
    return f"; {share} held back until closeout: {money(held)} held, {money(earned - held)} payable"

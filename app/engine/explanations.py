"""Plain-language explanations a finance clerk can check by hand.

Each sentence names the counts, the rule and the arithmetic, e.g. "84 of 120 eligible students
with both map_reading scores (70.00%) met their map_reading growth target; floor 40.00%,
target 60.00% ⇒ 100% of $50,000.00 = $50,000.00". Shares show as percentages, other numbers
as plain decimals, money with its currency.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from app.engine.definition import (
    AssessmentMeasure,
    Condition,
    CountOf,
    Definition,
    FixedTranche,
    LinearTranche,
    MeanOf,
    Measure,
    Metric,
    PerUnitTranche,
    ShareOf,
    Term,
    ThresholdTranche,
    TieredTranche,
    Tranche,
    UsageMeasure,
)
from app.engine.metrics import MetricResult
from app.engine.money import money_display, percent, plain_number, round_cents

if TYPE_CHECKING:
    from app.engine.tranches import MaxTotalShare, RuleOutcome, Status

BASE_PHRASE = {"population": "students in the population", "eligible": "eligible students"}


def explain_line(
    definition: Definition,
    tranche: Tranche,
    metric: MetricResult | None,
    outcome: RuleOutcome,
    share: MaxTotalShare,
    held: Decimal,
    status: Status,
    as_of: date,
) -> str:
    """The whole explanation of one line: rule, max_total, holdback, and pending notes."""
    money = _money(definition)
    earned = share.earned
    if isinstance(tranche, FixedTranche):
        text = f"Fixed amount {money(tranche.amount)}"
    else:
        assert metric is not None
        described = describe_metric(definition, definition.metrics[tranche.metric], metric)
        if metric.value is None:
            text = f"{described} ⇒ indeterminate: earns {money(Decimal(0))} until reviewed"
        else:
            text = f"{described}; {_rule(tranche, metric, outcome, money)}"
    text += _max_total_note(definition, outcome.amount, share, money)
    text += _holdback_note(definition, tranche, earned, held, as_of, money)
    text = text[0].upper() + text[1:]
    if status == "pending":
        text = f"Not yet due (due {tranche.due}); projection if it were due now: {text}"
    return text + "."


def _money(definition: Definition) -> Money:
    return Money(definition.currency)


class Money:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, amount: Decimal) -> str:
        return money_display(amount, self.currency)

    def rate(self, rate: Decimal) -> str:
        """A rate keeps its extra places (``$0.125``) but shows at least cents."""
        exponent = rate.as_tuple().exponent
        places = max(2, -exponent) if isinstance(exponent, int) else 2
        text = f"{abs(rate):,.{places}f}"
        if self.currency == "USD":
            return f"${text}"
        return f"{text} {self.currency}"


def _number(value: Fraction | Decimal, metric: MetricResult) -> str:
    return percent(value) if metric.is_share else plain_number(value)


def _rule(tranche: Tranche, metric: MetricResult, outcome: RuleOutcome, money: Money) -> str:
    if isinstance(tranche, ThresholdTranche):
        if tranche.at_least is not None:
            need = f"needs at least {_number(tranche.at_least, metric)}"
        else:
            assert tranche.at_most is not None
            need = f"needs at most {_number(tranche.at_most, metric)}"
        verdict = "met" if outcome.met else "not met"
        return f"{need} ⇒ {verdict} ⇒ {money(outcome.amount)}"
    if isinstance(tranche, TieredTranche):
        tiers = sorted(tranche.tiers, key=lambda tier: tier.at_least)
        listed = ", ".join(
            f"at least {_number(t.at_least, metric)} pays {money(t.pay)}" for t in tiers
        )
        if outcome.tier is None:
            return f"tiers: {listed} ⇒ below every tier ⇒ {money(outcome.amount)}"
        reached = _number(outcome.tier.at_least, metric)
        return f"tiers: {listed} ⇒ reaches the tier at least {reached} ⇒ {money(outcome.amount)}"
    if isinstance(tranche, LinearTranche):
        assert outcome.progress is not None and outcome.unclamped is not None
        bounds = f"floor {_number(tranche.floor, metric)}, target {_number(tranche.target, metric)}"
        if tranche.floor > tranche.target:
            bounds += " (lower is better)"
        share = percent(outcome.progress, min_places=0)
        clamp = ""
        if outcome.unclamped != outcome.progress:
            clamp = f" (limited from {percent(outcome.unclamped, min_places=0)})"
        return f"{bounds} ⇒ {share}{clamp} of {money(tranche.amount)} = {money(outcome.amount)}"
    assert isinstance(tranche, PerUnitTranche) and outcome.product is not None
    assert metric.value is not None
    product = f"{plain_number(metric.value)} × {money.rate(tranche.rate)}"
    if metric.value < 0:
        product += " is negative, so 0"
    if outcome.capped and tranche.cap is not None:
        uncapped = money(round_cents(outcome.product))
        return f"{product} = {uncapped}, capped at {money(tranche.cap)} ⇒ {money(outcome.amount)}"
    return f"{product} ⇒ {money(outcome.amount)}"


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
    if definition.holdback is None or isinstance(tranche, FixedTranche) or earned == 0:
        return ""
    if as_of >= definition.term.end:
        return (
            f"; closeout (term ended {definition.term.end}): nothing is held back any more,"
            f" {money(earned)} payable"
        )
    share = percent(definition.holdback, min_places=0)
    return f"; {share} held back until closeout: {money(held)} held, {money(earned - held)} payable"


def describe_metric(definition: Definition, metric: Metric, result: MetricResult) -> str:
    """The metric's counts and value in words, with its coverage when that makes it
    insufficient."""
    base = BASE_PHRASE[result.base]
    if isinstance(metric, ShareOf | CountOf):
        data = _data_phrase([c.measure for c in metric.where], definition.measures)
        conditions = " and ".join(
            _condition_phrase(c, definition.measures[c.measure], definition.term)
            for c in metric.where
        )
        if isinstance(metric, CountOf):
            text = f"{result.numerator} of {result.denominator} {base} {conditions}"
        elif result.counted == 0:
            text = f"no {base}{data} to measure"
        else:
            share = percent(Fraction(result.numerator or 0, result.counted))
            text = f"{result.numerator} of {result.counted} {base}{data} ({share}) {conditions}"
    else:
        name = metric.mean_of if isinstance(metric, MeanOf) else metric.median_of
        measure = definition.measures[name]
        data = _data_phrase([name], definition.measures)
        word = "mean" if isinstance(metric, MeanOf) else "median"
        label = _measure_label(measure)
        if result.counted == 0:
            text = f"no {base}{data} to take the {word} {label} of"
        elif result.value is None:
            text = f"{word} {label} of {result.counted} of {result.base_count} {base}{data}"
        else:
            value = plain_number(result.value)
            counted = f"{result.counted} of {result.base_count} {base}{data}"
            text = f"the {word} {label} of {counted} is {value}"
    return text + _coverage_note(result, base)


def _coverage_note(result: MetricResult, base: str) -> str:
    if not result.insufficient or result.counted == 0:
        return ""
    assert result.coverage is not None and result.min_coverage is not None
    return (
        f"; coverage {percent(result.coverage)} ({result.counted} of {result.base_count} {base})"
        f" is below the required {percent(result.min_coverage)}"
    )


def _data_phrase(names: list[str], measures: dict[str, Measure]) -> str:
    """' with both map_reading scores' etc.: the data a student needs to be counted."""
    phrases: list[str] = []
    for name in dict.fromkeys(names):
        measure = measures[name]
        if isinstance(measure, UsageMeasure):
            continue  # no usage rows is 0 minutes, never missing
        if measure.value == "score":
            phrase = f"a {measure.assessment} score in {measure.window}"
        else:
            phrase = (
                f"both {measure.assessment} scores ({measure.from_window}, {measure.to_window})"
            )
            if measure.value == "met_target" and measure.target is None:
                phrase += " and a growth target"
        if phrase not in phrases:
            phrases.append(phrase)
    return f" with {' and '.join(phrases)}" if phrases else ""


def _measure_label(measure: Measure) -> str:
    if isinstance(measure, UsageMeasure):
        return f"{measure.usage} of use"
    if measure.value == "score":
        return f"{measure.assessment} score in {measure.window}"
    return f"{measure.assessment} growth ({measure.from_window} to {measure.to_window})"


def _condition_phrase(condition: Condition, measure: Measure, term: Term) -> str:
    if isinstance(measure, AssessmentMeasure) and measure.value == "met_target":
        if measure.target is not None:
            target = plain_number(measure.target)
            goal = f"grew at least {target} points on {measure.assessment}"
            return goal if condition.is_ else f"did not grow at least {target} points"
        goal = f"their {measure.assessment} growth target"
        return f"met {goal}" if condition.is_ else f"did not meet {goal}"
    if condition.at_least is not None:
        direction, bound = "at least", condition.at_least
    else:
        assert condition.at_most is not None
        direction, bound = "at most", condition.at_most
    number = plain_number(bound)
    if isinstance(measure, UsageMeasure):
        start, end = measure.from_ or term.start, measure.to or term.end
        span = f" ({start} to {end})"
        unit = "minutes" if measure.usage == "minutes" else "sessions"
        return f"had {direction} {number} {unit} of use{span}"
    if measure.value == "score":
        return f"scored {direction} {number} on {measure.assessment} in {measure.window}"
    return f"grew {direction} {number} points on {measure.assessment}"

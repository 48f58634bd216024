"""Metrics, measures and conditions in words, for explanations a finance clerk can check.

Shares show as percentages, other numbers as plain decimals, money with its currency.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from app.engine.definition import (
    AssessmentMeasure,
    Condition,
    CountOf,
    Definition,
    MeanOf,
    Measure,
    Metric,
    ScheduleMeasure,
    ShareOf,
    Term,
    UsageMeasure,
)
from app.engine.metrics import MetricResult
from app.engine.money import money_display, percent, plain_number

BASE_PHRASE = {"population": "students in the population", "eligible": "eligible students"}


class Money:
    """Money for people in the contract's currency."""

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


def shown(value: Fraction | Decimal, is_share: bool) -> str:
    return percent(value) if is_share else plain_number(value)


def exact_versus(value: Fraction, bound: Decimal, is_share: bool) -> str:
    """When ``value`` and ``bound`` look equal once rounded but are not, the exact value, so
    that no explanation shows two equal-looking numbers with a decision against them."""
    if value == Fraction(bound) or shown(value, is_share) != shown(bound, is_share):
        return ""
    side = "below" if value < Fraction(bound) else "above"
    return f" (the exact value {value.numerator}/{value.denominator} is just {side} it)"


def excused_note(excused: int) -> str:
    if not excused:
        return ""
    word = "student" if excused == 1 else "students"
    return f" ({excused} excused {word} not counted)"


def describe_metric(definition: Definition, metric: Metric, result: MetricResult) -> str:
    """The metric's counts and value in words, with why it is insufficient when it is."""
    base = BASE_PHRASE[result.base]
    if isinstance(metric, ShareOf | CountOf):
        data = data_phrase([c.measure for c in metric.where], definition.measures)
        conditions = " and ".join(
            condition_phrase(c, definition.measures[c.measure], definition.term)
            for c in metric.where
        )
        if isinstance(metric, CountOf):
            if result.base_count == 0:
                text = f"no {base} to count"
            else:
                text = f"{result.numerator} of {result.denominator} {base} {conditions}"
        elif result.counted == 0:
            text = f"no {base}{data} to measure"
        else:
            share = percent(Fraction(result.numerator or 0, result.counted))
            text = f"{result.numerator} of {result.counted} {base}{data} ({share}) {conditions}"
    else:
        name = metric.mean_of if isinstance(metric, MeanOf) else metric.median_of
        measure = definition.measures[name]
        data = data_phrase([name], definition.measures)
        word = "mean" if isinstance(metric, MeanOf) else "median"
        label = measure_label(measure)
        if result.counted == 0:
            text = f"no {base}{data} to take the {word} {label} of"
        elif result.value is None:
            text = f"{word} {label} of {result.counted} of {result.base_count} {base}{data}"
        else:
            value = plain_number(result.value)
            counted = f"{result.counted} of {result.base_count} {base}{data}"
            text = f"the {word} {label} of {counted} is {value}"
    return text + excused_note(result.excused) + shortfall_note(result, base)


def shortfall_note(result: MetricResult, base: str) -> str:
    """Why a metric with data is still insufficient: coverage or count below the minimum."""
    if not result.insufficient:
        return ""
    notes = []
    if result.below_min_coverage:
        assert result.coverage is not None and result.min_coverage is not None
        notes.append(
            f"coverage {percent(result.coverage)} ({result.counted} of {result.base_count}"
            f" {base}) is below the required {percent(result.min_coverage)}"
        )
    if result.below_min_count and result.base_count:
        size = result.base_count if result.kind == "count_of" else result.counted
        what = base if result.kind == "count_of" else "students with values"
        notes.append(f"only {size} {what}, fewer than the required {result.min_count}")
    return "".join(f"; {note}" for note in notes)


def data_phrase(names: list[str], measures: dict[str, Measure]) -> str:
    """' with both map_reading scores' etc.: the data a student needs to be counted."""
    phrases: list[str] = []
    for name in dict.fromkeys(names):
        measure = measures[name]
        if not isinstance(measure, AssessmentMeasure):
            continue  # no usage or schedule rows is 0, never missing
        if measure.value == "score":
            phrase = f"a {measure.assessment} score in {measure.window}"
        else:
            phrase = (
                f"both {measure.assessment} scores ({measure.from_window}, {measure.to_window})"
            )
            if measure.value == "met_target" and measure.target is None:
                phrase += " and a growth target"
            elif measure.value == "percent_of_typical":
                phrase += " and a typical growth"
            elif measure.value == "growth_percentile":
                phrase += " and a growth percentile"
        if phrase not in phrases:
            phrases.append(phrase)
    return f" with {' and '.join(phrases)}" if phrases else ""


SUM_UNITS = {
    "minutes": "minutes of use",
    "sessions": "sessions of use",
    "lessons": "lessons completed",
}
OFFERED_UNITS = {"minutes": "minutes offered", "sessions": "sessions offered"}


def measure_label(measure: Measure) -> str:
    if isinstance(measure, UsageMeasure):
        return SUM_UNITS[measure.usage]
    if isinstance(measure, ScheduleMeasure):
        return OFFERED_UNITS[measure.schedule]
    if measure.value == "score":
        return f"{measure.assessment} score in {measure.window}"
    span = f"({measure.from_window} to {measure.to_window})"
    if measure.value == "percent_of_typical":
        return f"{measure.assessment} growth as a share of typical growth {span}"
    if measure.value == "growth_percentile":
        return f"{measure.assessment} growth percentile {span}"
    return f"{measure.assessment} growth {span}"


def condition_phrase(condition: Condition, measure: Measure, term: Term) -> str:
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
    if isinstance(measure, UsageMeasure | ScheduleMeasure):
        start, end = measure.from_ or term.start, measure.to or term.end
        return f"had {direction} {number} {measure_label(measure)} ({start} to {end})"
    if measure.value == "score":
        return f"scored {direction} {number} on {measure.assessment} in {measure.window}"
    if measure.value == "percent_of_typical":
        return f"grew {direction} {number} × their typical {measure.assessment} growth"
    if measure.value == "growth_percentile":
        return f"had a {measure.assessment} growth percentile of {direction} {number}"
    return f"grew {direction} {number} points on {measure.assessment}"

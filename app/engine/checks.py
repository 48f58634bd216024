"""Rules that relate the parts of a definition to each other (SPEC §1).

Each function yields problems instead of raising, so that one load reports all of them. Parts
that failed their own validation arrive as ``None`` and are skipped here: their problems are
already reported, and naming them "unknown" as well would only mislead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from app.engine.definition import (
    AssessmentMeasure,
    Condition,
    CountOf,
    FixedTranche,
    Header,
    LinearTranche,
    MeanOf,
    MedianOf,
    Metric,
    ShareOf,
    Term,
    ThresholdTranche,
    TieredTranche,
    Tranche,
    UsageMeasure,
    iso_day,
)
from app.engine.problems import DefinitionProblem, join_path

Measures = Mapping[str, UsageMeasure | AssessmentMeasure | None]


def check_definition(
    raw: Mapping[str, Any],
    header: Header | None,
    measures: Measures,
    eligibility: list[Condition | None],
    metrics: Mapping[str, Metric | None],
    tranches: list[Tranche | None],
) -> list[DefinitionProblem]:
    """Every cross-reference problem of a definition whose parts were validated separately."""
    term = None
    try:  # the term alone, so that a bad key elsewhere in the header does not hide due dates
        parsed = Term.model_validate(raw.get("term"))
        term = (parsed.start, parsed.end)
    except ValidationError:
        pass  # already reported with the header
    problems = []
    if term is not None and term[0] > term[1]:
        problems.append(DefinitionProblem("term.end", f"{term[1]} is before the start {term[0]}"))
        term = None
    problems.extend(_header(header))
    for name, measure in measures.items():
        problems.extend(_measure(join_path("measures", name), measure, term))
    for index, condition in enumerate(eligibility):
        problems.extend(_condition(join_path("eligibility", index), condition, measures))
    raw_metrics = raw.get("metrics")
    for name, metric in metrics.items():
        path = join_path("metrics", name)
        problems.extend(_metric(path, metric, measures))
        if metric is None and isinstance(raw_metrics, Mapping):
            # The metric is broken elsewhere; its conditions can still be checked on their own.
            where = (
                raw_metrics[name].get("where") if isinstance(raw_metrics[name], Mapping) else None
            )
            for index, condition in enumerate(where if isinstance(where, list) else []):
                quiet = _quietly(Condition, condition)
                problems.extend(_condition(join_path(path, "where", index), quiet, measures))
    raw_tranches = raw.get("tranches")
    if isinstance(raw_tranches, list):
        if not raw_tranches:
            problems.append(DefinitionProblem("tranches", "must list at least one tranche"))
        problems.extend(_tranche_keys(raw_tranches))
    for index, tranche in enumerate(tranches):
        path = join_path("tranches", index)
        if tranche is None and isinstance(raw_tranches, list):
            problems.extend(_broken_tranche(path, raw_tranches[index], metrics, term))
        problems.extend(_tranche(path, tranche, metrics, term))
    return problems


def _quietly(model: type[Condition], raw: Any) -> Condition | None:
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None  # already reported


def _broken_tranche(
    path: str, raw: Any, metrics: Mapping[str, Metric | None], term: tuple[date, date] | None
) -> Iterator[DefinitionProblem]:
    """The references of a tranche that failed its own validation, checked from the raw."""
    if not isinstance(raw, Mapping):
        return
    name = raw.get("metric")
    if isinstance(name, str) and raw.get("type") != "fixed" and name not in metrics:
        yield DefinitionProblem(join_path(path, "metric"), f"unknown metric {name!r}")
    try:
        due = iso_day(raw.get("due"))
    except ValueError:
        return  # already reported
    outside = _due_outside(due, term)
    if outside:
        yield DefinitionProblem(join_path(path, "due"), outside)


def _header(header: Header | None) -> Iterator[DefinitionProblem]:
    if header is None:
        return
    if header.vendor == header.district:
        yield DefinitionProblem("vendor", "must differ from the district")
    for field in ("grades", "schools"):
        if getattr(header.population, field) == []:
            path = f"population.{field}"
            yield DefinitionProblem(path, "must not be empty (leave it out to include everyone)")


def _outside(day: date, term: tuple[date, date] | None) -> str | None:
    if term is None or term[0] <= day <= term[1]:
        return None
    return f"{day} is outside the term {term[0]}..{term[1]}"


def latest_due(term_end: date) -> date:
    """Two years after the term's end (SPEC §1): contracts settle after the school year."""
    try:
        return term_end.replace(year=term_end.year + 2)
    except ValueError:  # 29 February
        return term_end.replace(year=term_end.year + 2, day=28)


def _due_outside(day: date, term: tuple[date, date] | None) -> str | None:
    if term is None or term[0] <= day <= latest_due(term[1]):
        return None
    return (
        f"{day} is outside {term[0]}..{latest_due(term[1])}"
        " (from the term's start to two years after its end)"
    )


def _measure(
    path: str, measure: UsageMeasure | AssessmentMeasure | None, term: tuple[date, date] | None
) -> Iterator[DefinitionProblem]:
    if isinstance(measure, UsageMeasure):
        for field, day in (("from", measure.from_), ("to", measure.to)):
            outside = _outside(day, term) if day is not None else None
            if outside:
                yield DefinitionProblem(join_path(path, field), outside)
        if measure.from_ and measure.to and measure.from_ > measure.to:
            yield DefinitionProblem(join_path(path, "to"), f"is before from ({measure.from_})")
    elif isinstance(measure, AssessmentMeasure):
        yield from _assessment_measure(path, measure)


def _assessment_measure(path: str, measure: AssessmentMeasure) -> Iterator[DefinitionProblem]:
    if measure.value == "score":
        if measure.window is None:
            yield DefinitionProblem(join_path(path, "window"), "required for value: score")
        for field in ("from_window", "to_window"):
            if getattr(measure, field) is not None:
                message = "not allowed with value: score (use window)"
                yield DefinitionProblem(join_path(path, field), message)
    else:
        for field in ("from_window", "to_window"):
            if getattr(measure, field) is None:
                message = f"required for value: {measure.value}"
                yield DefinitionProblem(join_path(path, field), message)
        if measure.window is not None:
            message = f"not allowed with value: {measure.value} (use from_window and to_window)"
            yield DefinitionProblem(join_path(path, "window"), message)
        if measure.from_window is not None and measure.from_window == measure.to_window:
            yield DefinitionProblem(join_path(path, "to_window"), "must differ from from_window")
    if measure.target is not None and measure.value != "met_target":
        yield DefinitionProblem(join_path(path, "target"), "allowed only with value: met_target")


def _measure_kind(name: str, measures: Measures) -> str | None:
    """'flag' (true/false), 'number', or None when the measure is broken (already reported)."""
    measure = measures[name]
    if measure is None:
        return None
    return "flag" if isinstance(measure, AssessmentMeasure) and measure.is_flag else "number"


def _condition(
    path: str, condition: Condition | None, measures: Measures
) -> Iterator[DefinitionProblem]:
    if condition is None:
        return
    given = [f for f in ("at_least", "at_most", "is_") if getattr(condition, f) is not None]
    if len(given) != 1:
        yield DefinitionProblem(path, "a condition needs exactly one of at_least, at_most, is")
    if condition.measure not in measures:
        message = f"unknown measure {condition.measure!r}"
        yield DefinitionProblem(join_path(path, "measure"), message)
        return
    kind = _measure_kind(condition.measure, measures)
    if kind == "number" and condition.is_ is not None:
        message = f"'is' applies only to true/false measures; {condition.measure!r} is a number"
        yield DefinitionProblem(join_path(path, "is"), message)
    if kind == "flag":
        for field in ("at_least", "at_most"):
            if getattr(condition, field) is not None:
                message = f"applies only to numbers; {condition.measure!r} is true/false"
                yield DefinitionProblem(join_path(path, field), message)


def _metric(path: str, metric: Metric | None, measures: Measures) -> Iterator[DefinitionProblem]:
    if isinstance(metric, ShareOf | CountOf):
        if not metric.where:
            yield DefinitionProblem(join_path(path, "where"), "must list at least one condition")
        for index, condition in enumerate(metric.where):
            yield from _condition(join_path(path, "where", index), condition, measures)
    elif isinstance(metric, MeanOf | MedianOf):
        field = "mean_of" if isinstance(metric, MeanOf) else "median_of"
        measure = metric.mean_of if isinstance(metric, MeanOf) else metric.median_of
        if measure not in measures:
            yield DefinitionProblem(join_path(path, field), f"unknown measure {measure!r}")
        elif _measure_kind(measure, measures) == "flag":
            message = f"applies only to numbers; {measure!r} is true/false"
            yield DefinitionProblem(join_path(path, field), message)


def _tranche_keys(raw_tranches: list[Any]) -> Iterator[DefinitionProblem]:
    """Duplicate keys, read from the raw list so a line broken elsewhere still counts."""
    first_index: dict[str, int] = {}
    for index, tranche in enumerate(raw_tranches):
        key = tranche.get("key") if isinstance(tranche, Mapping) else None
        if not isinstance(key, str):
            continue
        if key in first_index:
            message = f"duplicate tranche key {key!r} (also tranches[{first_index[key]}])"
            yield DefinitionProblem(join_path("tranches", index, "key"), message)
        else:
            first_index[key] = index


def _tranche(
    path: str,
    tranche: Tranche | None,
    metrics: Mapping[str, Metric | None],
    term: tuple[date, date] | None,
) -> Iterator[DefinitionProblem]:
    if tranche is None:
        return
    outside = _due_outside(tranche.due, term)
    if outside:
        yield DefinitionProblem(join_path(path, "due"), outside)
    if isinstance(tranche, FixedTranche):
        return
    if tranche.metric not in metrics:
        yield DefinitionProblem(join_path(path, "metric"), f"unknown metric {tranche.metric!r}")
    is_share = isinstance(metrics.get(tranche.metric), ShareOf)
    thresholds: list[tuple[str, Decimal | None]] = []
    if isinstance(tranche, ThresholdTranche):
        if (tranche.at_least is None) == (tranche.at_most is None):
            yield DefinitionProblem(path, "a threshold needs exactly one of at_least, at_most")
        thresholds = [("at_least", tranche.at_least), ("at_most", tranche.at_most)]
    elif isinstance(tranche, TieredTranche):
        yield from _tiers(path, tranche)
        thresholds = [(f"tiers[{i}].at_least", t.at_least) for i, t in enumerate(tranche.tiers)]
    elif isinstance(tranche, LinearTranche):
        if tranche.floor == tranche.target:
            yield DefinitionProblem(join_path(path, "target"), "must differ from floor")
        thresholds = [("floor", tranche.floor), ("target", tranche.target)]
    for field, value in thresholds:
        if is_share and value is not None and not 0 <= value <= 1:
            message = f"{tranche.metric!r} is a share, so this must be between 0 and 1, got {value}"
            yield DefinitionProblem(f"{path}.{field}", message)


def _tiers(path: str, tranche: TieredTranche) -> Iterator[DefinitionProblem]:
    if not tranche.tiers:
        yield DefinitionProblem(join_path(path, "tiers"), "must list at least one tier")
    seen: dict[Decimal, int] = {}
    for index, tier in enumerate(tranche.tiers):
        if tier.at_least in seen:
            message = f"duplicate at_least {tier.at_least} (also tiers[{seen[tier.at_least]}])"
            yield DefinitionProblem(join_path(path, "tiers", index, "at_least"), message)
        else:
            seen[tier.at_least] = index

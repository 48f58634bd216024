"""Definition rules about conditions, obligations and tranches (SPEC §1), as problems."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from app.engine.definition import (
    AssessmentMeasure,
    Condition,
    FixedTranche,
    LinearTranche,
    Measure,
    Metric,
    Obligation,
    PerUnitTranche,
    RateCardTranche,
    ShareOf,
    ThresholdTranche,
    Tier,
    TieredTranche,
    Tranche,
)
from app.engine.fields import iso_day
from app.engine.problems import DefinitionProblem, join_path

Measures = Mapping[str, Measure | None]
Period = tuple[date, date]


def latest_due(term_end: date) -> date:
    """Two years after the term's end (SPEC §1): contracts settle after the school year."""
    try:
        return term_end.replace(year=term_end.year + 2)
    except ValueError:  # 29 February
        return term_end.replace(year=term_end.year + 2, day=28)


def due_outside(day: date, term: Period | None) -> str | None:
    if term is None or term[0] <= day <= latest_due(term[1]):
        return None
    return (
        f"{day} is outside {term[0]}..{latest_due(term[1])}"
        " (from the term's start to two years after its end)"
    )


def measure_kind(name: str, measures: Measures) -> Literal["flag", "number"] | None:
    """'flag' (true/false), 'number', or None when the measure is broken (already reported)."""
    measure = measures[name]
    if measure is None:
        return None
    return "flag" if isinstance(measure, AssessmentMeasure) and measure.is_flag else "number"


def condition_problems(
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
    kind = measure_kind(condition.measure, measures)
    if kind == "number" and condition.is_ is not None:
        message = f"'is' applies only to true/false measures; {condition.measure!r} is a number"
        yield DefinitionProblem(join_path(path, "is"), message)
    if kind == "flag":
        for field in ("at_least", "at_most"):
            if getattr(condition, field) is not None:
                message = f"applies only to numbers; {condition.measure!r} is true/false"
                yield DefinitionProblem(join_path(path, field), message)


def check_obligations(
    raw: Mapping[str, Any],
    obligations: list[Obligation | None],
    tranches: list[Tranche | None],
    term: Period | None,
) -> Iterator[DefinitionProblem]:
    """Unique keys, dues within bounds, and ``covers`` naming tranches that can be covered."""
    raw_tranches = raw.get("tranches")
    known = {
        item.get("key"): item
        for item in (raw_tranches if isinstance(raw_tranches, list) else [])
        if isinstance(item, Mapping) and isinstance(item.get("key"), str)
    }
    parsed = {tranche.key: tranche for tranche in tranches if tranche is not None}
    first: dict[str, int] = {}
    for index, obligation in enumerate(obligations):
        if obligation is None:
            continue
        path = join_path("obligations", index)
        if obligation.key in first:
            message = f"duplicate obligation key {obligation.key!r} (also obligations[{first[obligation.key]}])"
            yield DefinitionProblem(join_path(path, "key"), message)
        first.setdefault(obligation.key, index)
        outside = due_outside(obligation.due, term)
        if outside:
            yield DefinitionProblem(join_path(path, "due"), outside)
        for position, key in enumerate(obligation.covers):
            where = join_path(path, "covers", position)
            if key not in known:
                yield DefinitionProblem(where, f"unknown tranche {key!r}")
                continue
            if known[key].get("type") == "fixed":
                yield DefinitionProblem(where, f"{key!r} is a fixed tranche: it cannot be covered")
            tranche = parsed.get(key)
            if isinstance(tranche, PerUnitTranche | RateCardTranche) and tranche.cap is None:
                message = (
                    f"{key!r} is a {tranche.type} tranche without a cap: covering it needs one"
                )
                yield DefinitionProblem(where, message)


def check_tranches(
    raw: Mapping[str, Any],
    measures: Measures,
    metrics: Mapping[str, Metric | None],
    obligations: list[Obligation | None],
    tranches: list[Tranche | None],
    term: Period | None,
) -> Iterator[DefinitionProblem]:
    raw_tranches = raw.get("tranches")
    if isinstance(raw_tranches, list):
        if not raw_tranches:
            yield DefinitionProblem("tranches", "must list at least one tranche")
        yield from _tranche_keys(raw_tranches)
    for index, tranche in enumerate(tranches):
        path = join_path("tranches", index)
        if tranche is None and isinstance(raw_tranches, list):
            yield from _broken_tranche(path, raw_tranches[index], metrics, term)
        yield from _tranche(path, tranche, measures, metrics, term)


def _broken_tranche(
    path: str, raw: Any, metrics: Mapping[str, Metric | None], term: Period | None
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
    outside = due_outside(due, term)
    if outside:
        yield DefinitionProblem(join_path(path, "due"), outside)


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
    measures: Measures,
    metrics: Mapping[str, Metric | None],
    term: Period | None,
) -> Iterator[DefinitionProblem]:
    if tranche is None:
        return
    outside = due_outside(tranche.due, term)
    if outside:
        yield DefinitionProblem(join_path(path, "due"), outside)
    if isinstance(tranche, FixedTranche):
        return
    uncapped = isinstance(tranche, PerUnitTranche | RateCardTranche) and tranche.cap is None
    if uncapped and tranche.if_indeterminate == "full":
        message = f"'full' needs a cap: an uncapped {tranche.type} has no full amount"
        yield DefinitionProblem(join_path(path, "if_indeterminate"), message)
    if isinstance(tranche, RateCardTranche):
        yield from _rate_card(path, tranche, measures)
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
        yield from _levels(join_path(path, "tiers"), tranche.tiers, "tier")
        thresholds = [(f"tiers[{i}].at_least", t.at_least) for i, t in enumerate(tranche.tiers)]
    elif isinstance(tranche, LinearTranche):
        if tranche.floor == tranche.target:
            yield DefinitionProblem(join_path(path, "target"), "must differ from floor")
        thresholds = [("floor", tranche.floor), ("target", tranche.target)]
    for field, value in thresholds:
        if is_share and value is not None and not 0 <= value <= 1:
            message = f"{tranche.metric!r} is a share, so this must be between 0 and 1, got {value}"
            yield DefinitionProblem(f"{path}.{field}", message)


def _rate_card(
    path: str, tranche: RateCardTranche, measures: Measures
) -> Iterator[DefinitionProblem]:
    if tranche.measure not in measures:
        message = f"unknown measure {tranche.measure!r}"
        yield DefinitionProblem(join_path(path, "measure"), message)
    elif measure_kind(tranche.measure, measures) == "flag":
        message = f"a rate card pays by a number; {tranche.measure!r} is true/false"
        yield DefinitionProblem(join_path(path, "measure"), message)
    yield from _levels(join_path(path, "levels"), tranche.levels, "level")


def _levels(path: str, levels: list[Tier], word: str) -> Iterator[DefinitionProblem]:
    if not levels:
        yield DefinitionProblem(path, f"must list at least one {word}")
    seen: dict[Decimal, int] = {}
    for index, level in enumerate(levels):
        if level.at_least in seen:
            field = path.rsplit(".", 1)[-1]
            message = f"duplicate at_least {level.at_least} (also {field}[{seen[level.at_least]}])"
            yield DefinitionProblem(join_path(path, index, "at_least"), message)
        else:
            seen[level.at_least] = index

"""Rules that relate the parts of a definition to each other (SPEC §1).

Each function yields problems instead of raising, so that one load reports all of them. Parts
that failed their own validation arrive as ``None`` and are skipped here: their problems are
already reported, and naming them "unknown" as well would only mislead. The tranche rules are
in :mod:`app.engine.tranche_checks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.engine.definition import (
    AssessmentMeasure,
    Condition,
    CountOf,
    Header,
    MeanOf,
    Measure,
    MedianOf,
    Metric,
    Obligation,
    ShareOf,
    Term,
    Tranche,
)
from app.engine.problems import DefinitionProblem, join_path
from app.engine.tranche_checks import (
    Measures,
    Period,
    check_obligations,
    check_tranches,
    condition_problems,
    measure_kind,
)


def check_definition(
    raw: Mapping[str, Any],
    header: Header | None,
    measures: Measures,
    eligibility: list[Condition | None],
    obligations: list[Obligation | None],
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
    problems.extend(_header(header, measures, term))
    windows = set(header.assessment_rules.windows) if header is not None else None
    if header is not None and not header.assessment_rules.windows:
        windows = None  # no declared windows: any window name is the feed's business
    for name, measure in measures.items():
        problems.extend(_measure(join_path("measures", name), measure, term, windows))
    for index, condition in enumerate(eligibility):
        problems.extend(condition_problems(join_path("eligibility", index), condition, measures))
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
                quiet = _quietly(condition)
                problems.extend(
                    condition_problems(join_path(path, "where", index), quiet, measures)
                )
    problems.extend(check_obligations(raw, obligations, tranches, term))
    problems.extend(check_tranches(raw, measures, metrics, obligations, tranches, term))
    return problems


def _quietly(raw: Any) -> Condition | None:
    try:
        return Condition.model_validate(raw)
    except ValidationError:
        return None  # already reported


def _header(
    header: Header | None, measures: Measures, term: Period | None
) -> Iterator[DefinitionProblem]:
    if header is None:
        return
    if header.vendor == header.district:
        yield DefinitionProblem("vendor", "must differ from the district")
    for field in ("grades", "schools"):
        if getattr(header.population, field) == []:
            path = f"population.{field}"
            yield DefinitionProblem(path, "must not be empty (leave it out to include everyone)")
    for name, window in header.assessment_rules.windows.items():
        path = join_path("assessment_rules.windows", name)
        if window.from_ > window.to:
            yield DefinitionProblem(join_path(path, "to"), f"is before from ({window.from_})")
    if header.accountability is not None:
        if not header.accountability.served:
            message = "must list at least one condition (leave accountability out otherwise)"
            yield DefinitionProblem("accountability.served", message)
        for index, condition in enumerate(header.accountability.served):
            path = join_path("accountability.served", index)
            yield from condition_problems(path, condition, measures)


def outside_term(day: date, term: Period | None) -> str | None:
    if term is None or term[0] <= day <= term[1]:
        return None
    return f"{day} is outside the term {term[0]}..{term[1]}"


def _measure(
    path: str, measure: Measure | None, term: Period | None, windows: set[str] | None
) -> Iterator[DefinitionProblem]:
    if measure is None:
        return
    if not isinstance(measure, AssessmentMeasure):
        for field, day in (("from", measure.from_), ("to", measure.to)):
            outside = outside_term(day, term) if day is not None else None
            if outside:
                yield DefinitionProblem(join_path(path, field), outside)
        if measure.from_ and measure.to and measure.from_ > measure.to:
            yield DefinitionProblem(join_path(path, "to"), f"is before from ({measure.from_})")
        return
    yield from _assessment_measure(path, measure)
    for field in ("window", "from_window", "to_window"):
        name = getattr(measure, field)
        if windows is not None and name is not None and name not in windows:
            listed = ", ".join(sorted(windows))
            message = f"unknown window {name!r} (assessment_rules.windows lists {listed})"
            yield DefinitionProblem(join_path(path, field), message)


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


def _metric(path: str, metric: Metric | None, measures: Measures) -> Iterator[DefinitionProblem]:
    if isinstance(metric, ShareOf | CountOf):
        if not metric.where:
            yield DefinitionProblem(join_path(path, "where"), "must list at least one condition")
        for index, condition in enumerate(metric.where):
            yield from condition_problems(join_path(path, "where", index), condition, measures)
    elif isinstance(metric, MeanOf | MedianOf):
        field = "mean_of" if isinstance(metric, MeanOf) else "median_of"
        measure = metric.mean_of if isinstance(metric, MeanOf) else metric.median_of
        if measure not in measures:
            yield DefinitionProblem(join_path(path, field), f"unknown measure {measure!r}")
        elif measure_kind(measure, measures) == "flag":
            message = f"applies only to numbers; {measure!r} is true/false"
            yield DefinitionProblem(join_path(path, field), message)

"""Facts about the evaluated population, read from the engine's per-student detail.

Everything here counts students with numpy and turns the counts into exact `Fraction`s and
decimal text; nothing is recomputed that the engine already decided (eligibility, who met a
metric). Arrays are aligned to the population, in the engine's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from app.engine.definition import AssessmentMeasure, Condition, Definition, UsageMeasure
from app.engine.measures import MeasureValues
from app.engine.money import plain_number
from app.engine.result import EvaluationResult
from app.reports.schemas import DosageBin, MissingScores


@dataclass(frozen=True)
class Dosage:
    """The usage measure the fidelity gate reads (else the contract's first usage measure)."""

    measure: str
    values: MeasureValues
    gate: Decimal | None  # the gate's `at_least` on that measure, if it has one


def dosage(definition: Definition, result: EvaluationResult) -> Dosage | None:
    measures = result.detail.measures
    usage = [name for name, m in definition.measures.items() if isinstance(m, UsageMeasure)]
    for condition in definition.eligibility:
        if condition.measure in usage and condition.at_least is not None:
            return Dosage(condition.measure, measures[condition.measure], condition.at_least)
    if usage:
        return Dosage(usage[0], measures[usage[0]], None)
    return None


def assessment_measure(definition: Definition, value: str) -> str | None:
    """The first measure of the given kind (`growth`, `met_target`)."""
    return next(
        (
            name
            for name, m in definition.measures.items()
            if isinstance(m, AssessmentMeasure) and m.value == value
        ),
        None,
    )


def exact_values(measure: MeasureValues, mask: np.ndarray | None = None) -> list[Decimal]:
    """The present values (restricted to `mask`) as exact Decimals, in population order."""
    keep = measure.present if mask is None else measure.present & mask
    return [Decimal(int(v)) / measure.scale for v in measure.values[keep]]


def missing_scores(definition: Definition, result: EvaluationResult) -> list[MissingScores]:
    size = len(result.detail.eligible)
    rows = []
    for name, measure in definition.measures.items():
        if not isinstance(measure, AssessmentMeasure):
            continue
        windows = [w for w in (measure.window, measure.from_window, measure.to_window) if w]
        present = int(result.detail.measures[name].present.sum())
        rows.append(
            MissingScores(
                measure=name,
                assessment=measure.assessment,
                windows=windows,
                missing=size - present,
                of=size,
            )
        )
    return rows


def students_with_usage(definition: Definition, result: EvaluationResult) -> np.ndarray:
    """Population students with more than zero of any usage measure."""
    served = np.zeros(len(result.detail.eligible), dtype=np.bool_)
    for name, measure in definition.measures.items():
        if isinstance(measure, UsageMeasure):
            served |= result.detail.measures[name].values > 0
    return served


def dosage_distribution(found: Dosage | None) -> list[DosageBin]:
    """Students per dosage band: quarters of the gate and "at or above the gate"; without a
    gate, five equal bands up to the largest value. Bands are [at_least, below)."""
    if found is None:
        return []
    values, scale = found.values.values.astype(np.int64), found.values.scale
    if found.gate is not None and found.gate > 0:
        gate = Fraction(found.gate)
        edges = [gate * k / 4 for k in range(5)]
    else:
        top = Fraction(int(values.max()) if len(values) else 0, scale)
        step = max(Fraction(math.ceil(top / 5)), Fraction(1))
        edges = [step * k for k in range(5)]
    bins = []
    for index, low in enumerate(edges):
        high = edges[index + 1] if index + 1 < len(edges) else None
        inside = values >= math.ceil(low * scale)
        if high is not None:
            inside &= values < math.ceil(high * scale)
        label = f"{plain_number(low)}–{plain_number(high)}" if high else f"≥ {plain_number(low)}"
        bins.append(
            DosageBin(
                label=label,
                at_least=plain_number(low),
                below=plain_number(high) if high is not None else None,
                students=int(inside.sum()),
            )
        )
    return bins


def describe_condition(condition: Condition) -> str:
    if condition.is_ is not None:
        return f"{condition.measure} is {'true' if condition.is_ else 'false'}"
    if condition.at_least is not None:
        return f"{condition.measure} ≥ {plain_number(condition.at_least)}"
    return f"{condition.measure} ≤ {plain_number(condition.at_most or 0)}"


HISTOGRAM_BINS = 20


def histogram(sorted_values: list[Decimal]) -> list[tuple[Decimal, Decimal, int]]:
    """(low, high, count) bins of whole-number width over the values, low inclusive: counts
    of students, never one student's value, for readers who may not see per-student points."""
    if not sorted_values:
        return []
    low = math.floor(sorted_values[0])
    width = max(1, math.ceil((math.floor(sorted_values[-1]) + 1 - low) / HISTOGRAM_BINS))
    counts: dict[int, int] = {}
    for value in sorted_values:
        index = math.floor((value - low) / width)
        counts[index] = counts.get(index, 0) + 1
    last = max(counts)
    return [
        (Decimal(low + i * width), Decimal(low + (i + 1) * width), counts.get(i, 0))
        for i in range(last + 1)
    ]

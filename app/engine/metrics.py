"""Population-level metrics (SPEC §1, Metrics), exact.

numpy counts and sums integers; every ratio, mean and median is then a ``Fraction`` of those
integers, so 3 of 4 is exactly 3/4 and 2/3 never becomes 0.666667 in a comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from app.engine.conditions import all_conditions, all_present
from app.engine.definition import CountOf, MeanOf, Metric, ShareOf
from app.engine.measures import Bools, MeasureValues

MetricKind = Literal["share_of", "count_of", "mean_of", "median_of"]


@dataclass(frozen=True)
class MetricResult:
    """A metric's exact value (None when insufficient) and how it was reached.

    ``base_count`` students are in the base; ``counted`` of them have the data the metric
    reads; ``coverage`` = counted / base_count (None for an empty base). For share_of,
    numerator/denominator are the students meeting ``where`` / counted; for count_of, the
    students meeting ``where`` / base_count; for mean_of and median_of both are None.
    Per-student masks (in population order) are kept for the audit CSV.
    """

    name: str
    kind: MetricKind
    value: Fraction | None
    numerator: int | None
    denominator: int | None
    coverage: Fraction | None
    insufficient: bool
    base: Literal["population", "eligible"]
    base_count: int
    counted: int
    min_coverage: Decimal | None
    in_base: Bools
    counted_mask: Bools
    met: Bools | None

    @property
    def is_share(self) -> bool:
        return self.kind == "share_of"


def compute_metric(
    name: str,
    metric: Metric,
    measures: dict[str, MeasureValues],
    eligible: Bools,
) -> MetricResult:
    """One metric over the population (all arrays are aligned to the population)."""
    size = len(eligible)
    if isinstance(metric, ShareOf | CountOf):
        base_name = metric.share_of if isinstance(metric, ShareOf) else metric.count_of
    else:
        base_name = metric.over
    in_base = eligible.copy() if base_name == "eligible" else np.ones(size, dtype=np.bool_)
    base_count = int(in_base.sum())
    if isinstance(metric, ShareOf | CountOf):
        counted_mask = in_base & all_present(metric.where, measures, size)
        met = counted_mask & all_conditions(metric.where, measures, size)
    else:
        measure = measures[metric.mean_of if isinstance(metric, MeanOf) else metric.median_of]
        counted_mask = in_base & measure.present
        met = None
    counted = int(counted_mask.sum())
    coverage = Fraction(counted, base_count) if base_count else None
    common = {
        "name": name,
        "base": base_name,
        "base_count": base_count,
        "counted": counted,
        "coverage": coverage,
        "in_base": in_base,
        "counted_mask": counted_mask,
        "met": met,
    }
    if isinstance(metric, CountOf):
        hits = int(met.sum()) if met is not None else 0
        # A count is never insufficient: 0 of an empty base is still a count of 0.
        return MetricResult(
            kind="count_of",
            value=Fraction(hits),
            numerator=hits,
            denominator=base_count,
            insufficient=False,
            min_coverage=None,
            **common,  # type: ignore[arg-type]
        )
    sufficient = counted > 0 and (
        metric.min_coverage is None
        or (coverage is not None and coverage >= Fraction(metric.min_coverage))
    )
    if isinstance(metric, ShareOf):
        hits = int(met.sum()) if met is not None else 0
        return MetricResult(
            kind="share_of",
            value=Fraction(hits, counted) if sufficient else None,
            numerator=hits,
            denominator=counted,
            insufficient=not sufficient,
            min_coverage=metric.min_coverage,
            **common,  # type: ignore[arg-type]
        )
    measure = measures[metric.mean_of if isinstance(metric, MeanOf) else metric.median_of]
    values = measure.values[counted_mask].astype(np.int64)
    value: Fraction | None = None
    if sufficient:
        if isinstance(metric, MeanOf):
            value = Fraction(int(values.sum()), counted * measure.scale)
        else:
            value = _median(values, measure.scale)
    kind: MetricKind = "mean_of" if isinstance(metric, MeanOf) else "median_of"
    return MetricResult(
        kind=kind,
        value=value,
        numerator=None,
        denominator=None,
        insufficient=not sufficient,
        min_coverage=metric.min_coverage,
        **common,  # type: ignore[arg-type]
    )


def _median(values: np.ndarray, scale: int) -> Fraction:
    """The exact median; of an even count, the mean of the middle two."""
    ordered = np.sort(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(int(ordered[middle]), scale)
    return Fraction(int(ordered[middle - 1]) + int(ordered[middle]), 2 * scale)

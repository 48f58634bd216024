"""Population-level metrics (SPEC §1, Metrics), exact.

numpy counts and sums integers; every ratio, mean and median is then a ``Fraction`` of those
integers, so 3 of 4 is exactly 3/4 and 2/3 never becomes 0.666667 in a comparison. Excused
students are not in any base: the caller passes the bases without them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from app.engine.conditions import all_conditions, all_present
from app.engine.definition import CountOf, MeanOf, Metric, ShareOf
from app.engine.intervals import Interval, normal, wilson
from app.engine.measures import Bools, MeasureValues

MetricKind = Literal["share_of", "count_of", "mean_of", "median_of"]
BaseName = Literal["population", "eligible"]


@dataclass(frozen=True)
class MetricResult:
    """A metric's exact value (None when insufficient) and how it was reached.

    ``base_count`` students are in the base; ``counted`` of them have the data the metric
    reads; ``coverage`` = counted / base_count (None for an empty base). For share_of,
    numerator/denominator are the students meeting ``where`` / counted; for count_of, the
    students meeting ``where`` / base_count; for mean_of and median_of both are None.
    ``interval`` is the 95 % interval (share_of: Wilson; mean_of: normal), None otherwise.
    Per-student masks (in population order) are kept for the audit CSV.
    """

    name: str
    kind: MetricKind
    value: Fraction | None
    numerator: int | None
    denominator: int | None
    coverage: Fraction | None
    insufficient: bool
    base: BaseName
    base_count: int
    counted: int
    min_coverage: Decimal | None
    in_base: Bools
    counted_mask: Bools
    met: Bools | None
    min_count: int | None = None
    interval: Interval | None = None
    excused: int = 0  # excused students of the population, left out of every base

    @property
    def is_share(self) -> bool:
        return self.kind == "share_of"

    @property
    def below_min_coverage(self) -> bool:
        return (
            self.min_coverage is not None
            and self.coverage is not None
            and self.coverage < Fraction(self.min_coverage)
        )

    @property
    def below_min_count(self) -> bool:
        """Fewer than ``min_count`` students with values (count_of: in the base)."""
        size = self.base_count if self.kind == "count_of" else self.counted
        return self.min_count is not None and size < self.min_count


def exact_sums(measure: MeasureValues, mask: Bools) -> tuple[Fraction, Fraction]:
    """Σx and Σx² of the measure over ``mask``, exactly (Python integers: no overflow)."""
    values = measure.values[mask].astype(np.int64)
    if measure.denominators is None:
        big = values.astype(object)
        total = Fraction(int(values.sum()), measure.scale)
        return total, Fraction(int(np.sum(big * big)), measure.scale**2)
    # Ratios: group by denominator (typical growth repeats a lot), one Fraction per group.
    distinct, inverse = np.unique(measure.denominators[mask], return_inverse=True)
    sums = np.zeros(len(distinct), dtype=object)
    squares = np.zeros(len(distinct), dtype=object)
    big = values.astype(object)
    np.add.at(sums, inverse.reshape(-1), big)
    np.add.at(squares, inverse.reshape(-1), big * big)
    total = sum(
        (Fraction(int(s), int(d)) for s, d in zip(sums, distinct, strict=True)), Fraction(0)
    )
    square_total = sum(
        (Fraction(int(s), int(d) ** 2) for s, d in zip(squares, distinct, strict=True)),
        Fraction(0),
    )
    return total, square_total


def median(measure: MeasureValues, mask: Bools) -> Fraction:
    """The exact median; of an even count, the mean of the middle two."""
    if measure.denominators is None:
        ordered = np.sort(measure.values[mask].astype(np.int64))
        values = [Fraction(int(ordered[i]), measure.scale) for i in _middle(len(ordered))]
    else:
        indices = np.flatnonzero(mask)
        exact = sorted(measure.exact(int(i)) for i in indices)
        values = [exact[i] for i in _middle(len(exact))]
    return sum(values, Fraction(0)) / len(values)


def average(
    kind: Literal["mean_of", "median_of"], measure: MeasureValues, mask: Bools
) -> Fraction | None:
    """The exact mean or median of the measure's present values within ``mask`` (None when
    there are none): what a mean_of/median_of metric computes, for any group of students."""
    chosen = mask & measure.present
    count = int(chosen.sum())
    if not count:
        return None
    if kind == "mean_of":
        return exact_sums(measure, chosen)[0] / count
    return median(measure, chosen)


def _middle(count: int) -> list[int]:
    half = count // 2
    return [half] if count % 2 else [half - 1, half]


def compute_metric(
    name: str,
    metric: Metric,
    measures: dict[str, MeasureValues],
    bases: dict[BaseName, Bools],
    excused: int = 0,
) -> MetricResult:
    """One metric over the population (all arrays are aligned to the population); ``bases``
    are without the ``excused`` students."""
    base_name: BaseName
    if isinstance(metric, ShareOf | CountOf):
        base_name = metric.share_of if isinstance(metric, ShareOf) else metric.count_of
    else:
        base_name = metric.over
    in_base = bases[base_name].copy()
    size = len(in_base)
    base_count = int(in_base.sum())
    if isinstance(metric, ShareOf | CountOf):
        counted_mask = in_base & all_present(metric.where, measures, size)
        met = counted_mask & all_conditions(metric.where, measures, size)
    else:
        measure = measures[metric.mean_of if isinstance(metric, MeanOf) else metric.median_of]
        counted_mask = in_base & measure.present
        met = None
    counted = int(counted_mask.sum())
    common = {
        "name": name,
        "base": base_name,
        "base_count": base_count,
        "counted": counted,
        "coverage": Fraction(counted, base_count) if base_count else None,
        "in_base": in_base,
        "counted_mask": counted_mask,
        "met": met,
        "min_count": metric.min_count,
        "excused": excused,
    }
    if isinstance(metric, CountOf):
        hits = int(met.sum()) if met is not None else 0
        result = MetricResult(
            kind="count_of",
            value=Fraction(hits),
            numerator=hits,
            denominator=base_count,
            insufficient=False,
            min_coverage=None,
            **common,  # type: ignore[arg-type]
        )
        # 0 of a non-empty base is a real count; nobody to count usually means missing data.
        return _settled(result, base_count == 0 or result.below_min_count)
    if isinstance(metric, ShareOf):
        hits = int(met.sum()) if met is not None else 0
        result = MetricResult(
            kind="share_of",
            value=Fraction(hits, counted) if counted else None,
            numerator=hits,
            denominator=counted,
            insufficient=False,
            min_coverage=metric.min_coverage,
            interval=wilson(hits, counted),
            **common,  # type: ignore[arg-type]
        )
        return _settled(result, counted == 0 or result.below_min_coverage or result.below_min_count)
    measure = measures[metric.mean_of if isinstance(metric, MeanOf) else metric.median_of]
    value: Fraction | None = None
    interval: Interval | None = None
    if counted:
        if isinstance(metric, MeanOf):
            total, squares = exact_sums(measure, counted_mask)
            value = total / counted
            interval = normal(total, squares, counted)
        else:
            value = median(measure, counted_mask)
    kind: MetricKind = "mean_of" if isinstance(metric, MeanOf) else "median_of"
    result = MetricResult(
        kind=kind,
        value=value,
        numerator=None,
        denominator=None,
        insufficient=False,
        min_coverage=metric.min_coverage,
        interval=interval,
        **common,  # type: ignore[arg-type]
    )
    return _settled(result, counted == 0 or result.below_min_coverage or result.below_min_count)


def _settled(result: MetricResult, insufficient: bool) -> MetricResult:
    """An insufficient metric has no value and no interval, but keeps its counts."""
    if not insufficient:
        return result
    return replace(result, value=None, interval=None, insufficient=True)

"""Outcomes by school, grade and subgroup, with small groups suppressed.

Each group's figures reuse the engine's per-student masks (who is in a metric's base, who has
the data, who met it), so a group's numbers always add up to the contract's.

Suppression: a group with fewer students than the threshold shows no figures, and further
groups are hidden until no hidden group can be worked out from the totals and the shown groups
(complementary suppression, `suppressed_groups`).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import pandas as pd

from app.engine.measures import MeasureValues
from app.engine.metrics import MetricResult, average
from app.engine.money import six_places
from app.engine.result import EvaluationResult
from app.reports.schemas import BreakdownRow, GroupMetric

SUBGROUPS = ("ell", "sped", "econ_disadv")


def group_masks(roster: pd.DataFrame) -> Iterable[tuple[str, str, np.ndarray]]:
    """(dimension, group label, mask) for every school, grade and subgroup value present."""
    schools = roster["school_id"].astype(object).where(roster["school_id"].notna(), None)
    for school in sorted({s for s in schools if s is not None}):
        yield "school", str(school), (schools == school).to_numpy(dtype=np.bool_)
    if schools.isna().any():
        yield "school", "(none)", schools.isna().to_numpy(dtype=np.bool_)
    grades = roster["grade"].astype(int)
    for grade in sorted(set(grades)):
        yield "grade", "K" if grade == 0 else str(grade), (grades == grade).to_numpy(dtype=np.bool_)
    for column in SUBGROUPS:
        if column not in roster:
            continue
        flags = roster[column].astype("boolean")
        for label, mask in (
            ("true", flags.eq(True).fillna(False)),
            ("false", flags.eq(False).fillna(False)),
            ("unknown", flags.isna()),
        ):
            array = mask.to_numpy(dtype=np.bool_)
            if array.any():
                yield column, label, array


def group_metric(
    result: MetricResult, measure: MeasureValues | None, group: np.ndarray
) -> GroupMetric:
    """The metric restricted to one group: the same definition, computed by the engine."""
    if result.kind in ("share_of", "count_of"):
        assert result.met is not None
        hits = int((result.met & group).sum())
        if result.kind == "count_of":
            return GroupMetric(
                numerator=hits, denominator=int((result.in_base & group).sum()), value=str(hits)
            )
        counted = int((result.counted_mask & group).sum())
        share = six_places(Fraction(hits, counted)) if counted else None
        return GroupMetric(numerator=hits, denominator=counted, value=share)
    assert result.kind in ("mean_of", "median_of")
    exact = None if measure is None else average(result.kind, measure, result.counted_mask & group)
    return GroupMetric(
        numerator=None, denominator=None, value=None if exact is None else six_places(exact)
    )


def breakdown_rows(
    result: EvaluationResult, metric_measures: dict[str, str | None], *, suppress_below: int | None
) -> list[BreakdownRow]:
    """One row per group. `metric_measures` names the measure a mean/median metric averages;
    `suppress_below` is None for a reader who may see every group (the district)."""
    detail = result.detail
    rows: list[BreakdownRow] = []
    sizes: dict[tuple[str, str], int] = {}
    for dimension, label, mask in group_masks(detail.roster):
        metrics = {}
        for name, metric in result.metrics.items():
            measure_name = metric_measures.get(name)
            measure = detail.measures[measure_name] if measure_name else None
            metrics[name] = group_metric(metric, measure, mask)
        sizes[(dimension, label)] = int(mask.sum())
        rows.append(
            BreakdownRow(
                dimension=dimension,
                group=label,
                suppressed=False,
                students=int(mask.sum()),
                eligible=int((detail.eligible & mask).sum()),
                metrics=metrics,
            )
        )
    if suppress_below is None:
        return rows
    hidden = suppressed_groups(sizes, suppress_below)
    return [
        _suppressed(row, small=row.students is not None and row.students < suppress_below)
        if (row.dimension, row.group) in hidden
        else row
        for row in rows
    ]


def suppressed_groups(sizes: dict[tuple[str, str], int], threshold: int) -> set[tuple[str, str]]:
    """Groups below the threshold, plus complementary ones (primary, then secondary
    suppression, per dimension).

    Each dimension's groups partition the population, and the contract's totals are shown:
    whatever is hidden in a dimension can be worked out *as a whole* by subtracting the shown
    groups from the totals. So the hidden groups of a dimension must together hold at least
    `threshold` students, and be at least two (one hidden group would be its own whole). Until
    both hold, the smallest shown group is hidden too (ties by name).
    """
    hidden = {group for group, size in sizes.items() if size < threshold}
    for dimension in {d for d, _ in sizes}:
        in_dimension = sorted(
            ((size, group) for group, size in sizes.items() if group[0] == dimension)
        )
        shown = [group for _, group in in_dimension if group not in hidden]
        hidden_size = sum(size for size, group in in_dimension if group in hidden)
        hidden_count = len(in_dimension) - len(shown)
        while hidden_count and shown and (hidden_count == 1 or hidden_size < threshold):
            complement = shown.pop(0)
            hidden.add(complement)
            hidden_size += sizes[complement]
            hidden_count += 1
    return hidden


def _suppressed(row: BreakdownRow, *, small: bool) -> BreakdownRow:
    return BreakdownRow(
        dimension=row.dimension,
        group=row.group,
        suppressed=True,
        suppression_reason="small group" if small else "protects a small group",
        students=None,
        eligible=None,
        metrics=None,
    )

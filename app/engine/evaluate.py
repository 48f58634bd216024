"""Evaluating a contract: the one pure function everything that computes money calls.

(definition, roster, assessments, usage [, schedule, obligation records], as_of) →
:class:`EvaluationResult`. No I/O, no database, no global state; the frames follow
:mod:`app.engine.frames`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from app.engine.conditions import all_conditions
from app.engine.definition import Definition
from app.engine.measures import Bools, compute_measures
from app.engine.metrics import BaseName, compute_metric
from app.engine.money import ZERO
from app.engine.obligations import ObligationRecord, obligation_statuses
from app.engine.result import EvaluationResult, PopulationDetail, Totals
from app.engine.sums import summed_totals
from app.engine.tranches import TrancheLine, evaluate_tranches, rate_cards

# Recorded on every statement: bump it whenever a change could move any number or status.
ENGINE_VERSION = "2.0.0"


def select_population(definition: Definition, roster: pd.DataFrame) -> pd.DataFrame:
    """The roster rows the contract covers (its grade and school filters), ordered by
    student_id so that the audit detail never depends on upload order."""
    keep = np.ones(len(roster), dtype=np.bool_)
    if definition.population.grades is not None:
        keep &= roster["grade"].isin(definition.population.grades).to_numpy(dtype=np.bool_)
    if definition.population.schools is not None:
        schools = roster["school_id"].isin(definition.population.schools)
        keep &= schools.to_numpy(dtype=np.bool_)
    population = roster.loc[keep]
    if not population["student_id"].is_unique:
        raise ValueError("the roster lists a student_id more than once")
    return population.sort_values("student_id", kind="stable").reset_index(drop=True)


def evaluate_from_totals(
    definition: Definition,
    roster: pd.DataFrame,
    assessments: pd.DataFrame,
    usage_totals: dict[str, pd.Series],
    as_of: date,
    version: int = 1,
    obligations: Sequence[ObligationRecord] = (),
) -> EvaluationResult:
    """Evaluate with usage and schedule already summed per measure (see
    :func:`app.engine.sums.sum_windows`): ``usage_totals[measure]`` maps student_id → int total
    in the feed's units (minutes in thousandths, whole sessions and lessons); a missing
    student or measure counts as 0. ``obligations`` are every record of either party.

    Metric values are exact fractions; each line's amount is rounded half-up to the cent once,
    then max_total and holdback (also rounded half-up to the cent) are applied in cents.
    """
    population = select_population(definition, roster)
    ids = population["student_id"].astype(str).to_numpy(dtype=object)
    size = len(ids)
    measures, ignored = compute_measures(definition, ids, assessments, usage_totals)
    excused: Bools = np.zeros(size, dtype=np.bool_)
    if definition.accountability is not None:
        excused = ~all_conditions(definition.accountability.served, measures, size)
    eligible = ~excused & all_conditions(definition.eligibility, measures, size)
    bases: dict[BaseName, Bools] = {"population": ~excused, "eligible": eligible}
    excused_count = int(excused.sum())
    metrics = {
        name: compute_metric(name, metric, measures, bases, excused_count)
        for name, metric in definition.metrics.items()
    }
    cards = rate_cards(definition, measures, bases, excused)
    statuses = obligation_statuses(definition, obligations)
    lines = evaluate_tranches(definition, metrics, cards, statuses, as_of)
    return EvaluationResult(
        contract=definition.key,
        version=version,
        as_of=as_of,
        currency=definition.currency,
        metrics=metrics,
        tranches=lines,
        totals=sum_lines(lines),
        engine_version=ENGINE_VERSION,
        ignored_rows=ignored,
        obligations=statuses,
        detail=PopulationDetail(
            roster=population, measures=measures, eligible=eligible, excused=excused
        ),
    )


def evaluate_contract(
    definition: Definition,
    roster: pd.DataFrame,
    assessments: pd.DataFrame,
    usage: pd.DataFrame,
    as_of: date,
    version: int = 1,
    schedule: pd.DataFrame | None = None,
    obligations: Sequence[ObligationRecord] = (),
) -> EvaluationResult:
    """Evaluate from the usage (and schedule) rows themselves: ``summed_totals`` then
    :func:`evaluate_from_totals`. Same units and rounding; no schedule = no schedule rows."""
    totals = summed_totals(definition, usage, schedule)
    return evaluate_from_totals(
        definition, roster, assessments, totals, as_of, version, obligations=obligations
    )


def sum_lines(lines: list[TrancheLine]) -> Totals:
    """Due lines make the totals (penalties included); pending lines only count toward
    ``projected``."""
    due = [line for line in lines if line.is_due]
    return Totals(
        earned=sum((line.earned for line in due), ZERO),
        held=sum((line.held for line in due), ZERO),
        payable=sum((line.payable for line in due), ZERO),
        projected=sum((line.earned for line in lines), ZERO),
    )

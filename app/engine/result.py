"""The evaluation result: the JSON of SPEC §1 and the per-student audit detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from app.engine.assessments import IgnoredRows
from app.engine.measures import MeasureValues
from app.engine.metrics import MetricResult
from app.engine.money import money_text, plain_number, six_places
from app.engine.obligations import ObligationStatus
from app.engine.tranches import TrancheLine


@dataclass(frozen=True)
class Totals:
    """Sums of the due lines' earned/held/payable; ``projected`` = earned of every line."""

    earned: Decimal
    held: Decimal
    payable: Decimal
    projected: Decimal


@dataclass(frozen=True)
class PopulationDetail:
    """What the audit CSV is built from: the population and its per-student arrays (each
    student's measures, whether excused, whether eligible); what each counted toward is in
    the metrics' and rate cards' masks (see :func:`students_frame`)."""

    roster: pd.DataFrame  # the population's roster rows, in evaluation order
    measures: dict[str, MeasureValues]
    eligible: np.ndarray
    excused: np.ndarray


@dataclass
class EvaluationResult:
    """One evaluation of one contract version at ``as_of``."""

    contract: str
    version: int
    as_of: date
    currency: str
    metrics: dict[str, MetricResult]
    tranches: list[TrancheLine]
    totals: Totals
    engine_version: str
    detail: PopulationDetail = field(repr=False)
    ignored_rows: IgnoredRows = field(default_factory=IgnoredRows)
    obligations: dict[str, ObligationStatus] = field(default_factory=dict)

    @property
    def population(self) -> dict[str, int]:
        """Students of the population, how many were excused, how many are eligible."""
        return {
            "students": len(self.detail.eligible),
            "excused": int(self.detail.excused.sum()),
            "eligible": int(self.detail.eligible.sum()),
        }

    def to_json(self) -> dict[str, Any]:
        """The §1 evaluation document as JSON-ready values: money as 2-place strings, metric
        values and coverage as strings rounded half-up to 6 places, counts as integers."""
        return {
            "contract": self.contract,
            "version": self.version,
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "population": self.population,
            "ignored_rows": {
                "outside_window": self.ignored_rows.outside_window,
                "rapid_guessing": self.ignored_rows.rapid_guessing,
            },
            "obligations": dict(self.obligations),
            "metrics": {name: metric_json(result) for name, result in self.metrics.items()},
            "tranches": [line_json(line) for line in self.tranches],
            "totals": {
                "earned": money_text(self.totals.earned),
                "held": money_text(self.totals.held),
                "payable": money_text(self.totals.payable),
                "projected": money_text(self.totals.projected),
            },
        }

    @cached_property
    def students(self) -> pd.DataFrame:
        """One row per population student: roster columns, each measure (numbers as exact
        decimal text, true/false as booleans, null when missing), ``excused``, ``eligible``,
        per metric ``<metric>.base`` / ``.counted`` (has the data) / ``.met`` (share_of,
        count_of), and per rate card ``<tranche>.base`` / ``.counted`` / ``.level`` (the
        ``at_least`` of the level paid, as text; null when none)."""
        return students_frame(self.detail, self.metrics, self.tranches)


def metric_json(result: MetricResult) -> dict[str, Any]:
    return {
        "value": None if result.value is None else six_places(result.value),
        "numerator": result.numerator,
        "denominator": result.denominator,
        "coverage": None if result.coverage is None else six_places(result.coverage),
        "insufficient": result.insufficient,
        "interval": None
        if result.interval is None
        else [f"{result.interval[0]:f}", f"{result.interval[1]:f}"],
    }


def line_json(line: TrancheLine) -> dict[str, Any]:
    return {
        "key": line.key,
        "type": line.type,
        "status": line.status,
        "metric": line.metric,
        "measure": line.measure,
        "due": line.due.isoformat(),
        "earned": money_text(line.earned),
        "held": money_text(line.held),
        "payable": money_text(line.payable),
        "explanation": line.explanation,
    }


ROSTER_DETAIL = ("student_id", "grade", "school_id")
FLAGS = ("excused", "eligible")


def students_frame(
    detail: PopulationDetail,
    metrics: dict[str, MetricResult],
    lines: list[TrancheLine] | None = None,
) -> pd.DataFrame:
    frame = detail.roster.loc[:, [c for c in ROSTER_DETAIL if c in detail.roster]].copy()
    frame = frame.reset_index(drop=True)
    for name, measure in detail.measures.items():
        column = name if name not in (*ROSTER_DETAIL, *FLAGS) else f"measure.{name}"
        if measure.kind == "flag":
            flags = pd.array(measure.values.astype(bool), dtype="boolean")
            flags[~measure.present] = pd.NA
            frame[column] = flags
        elif measure.denominators is not None:
            frame[column] = ratio_texts(measure)
        else:
            frame[column] = decimal_texts(measure.values, measure.present, measure.scale)
    frame["excused"] = detail.excused
    frame["eligible"] = detail.eligible
    for name, result in metrics.items():
        frame[f"{name}.base"] = result.in_base
        frame[f"{name}.counted"] = result.counted_mask
        if result.met is not None:
            frame[f"{name}.met"] = result.met
    for line in lines or []:
        if line.card is None:
            continue
        card = line.card
        frame[f"{line.key}.base"] = _base_of(card, detail)
        frame[f"{line.key}.counted"] = card.counted_mask
        names = np.array([f"{level.at_least:f}" for level, _ in card.levels] + [None], dtype=object)
        frame[f"{line.key}.level"] = pd.Series(names[card.level_of], dtype=object)
    return frame


def _base_of(card: Any, detail: PopulationDetail) -> np.ndarray:
    return detail.eligible if card.base == "eligible" else ~detail.excused


def decimal_texts(values: np.ndarray, present: np.ndarray, scale: int) -> pd.Series:
    """Exact decimal text of each value (None when absent), formatting each distinct value
    once: scores and totals repeat a lot across 100,000 students."""
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = np.array([decimal_text(int(value), scale) for value in distinct], dtype=object)
    column = texts[inverse.reshape(-1)] if len(values) else np.zeros(0, dtype=object)
    column[~present] = None
    return pd.Series(column, dtype=object)


def ratio_texts(measure: MeasureValues) -> pd.Series:
    """A ratio measure (percent_of_typical) per student: exact when it terminates within 6
    places, else rounded half-up to 6 (``1.5``, ``0.333333``); None when absent."""
    column = np.full(len(measure.values), None, dtype=object)
    cache: dict[tuple[int, int], str] = {}
    for index in np.flatnonzero(measure.present):
        pair = (int(measure.values[index]), int(measure.denominators[index]))  # type: ignore[index]
        if pair not in cache:
            cache[pair] = plain_number(Fraction(*pair))
        column[index] = cache[pair]
    return pd.Series(column, dtype=object)


def decimal_text(units: int, scale: int) -> str:
    """``units / scale`` as exact decimal text without trailing zeros (``905.5``)."""
    whole, rest = divmod(abs(units), scale)
    sign = "-" if units < 0 else ""
    if not rest:
        return f"{sign}{whole}"
    width = len(str(scale)) - 1
    return f"{sign}{whole}.{str(rest).rjust(width, '0').rstrip('0')}"

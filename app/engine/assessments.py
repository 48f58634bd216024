"""Assessment rows aligned to the population, after the validity rules (SPEC §1).

A row is *ignored* (as if absent) when its window is listed under
``assessment_rules.windows`` and its ``test_date`` is missing or outside ``[from, to]``
(``outside_window``), or when ``max_rapid_guessing`` is set and its ``rapid_guessing`` is at
least that share (``rapid_guessing``). A row failing both counts once, as outside its window;
a blank ``rapid_guessing`` is kept. The counts are over the rows of population students.
Optional columns absent from the frame are treated as all-null, so older callers still work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.engine.definition import AssessmentMeasure, AssessmentRules, Definition
from app.engine.frames import QUANTITY_SCALE

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
# The optional integer columns read per window (thousandths, except growth_percentile 1-99).
VALUE_COLUMNS = ("growth_target", "typical_growth", "growth_percentile")


@dataclass(frozen=True)
class WindowRows:
    """One (assessment, window) pair's rows aligned to the population: ``score`` and each
    optional column, with a presence mask each (``has_score`` = the student has the row)."""

    score: Ints
    has_score: Bools
    values: dict[str, tuple[Ints, Bools]]


@dataclass(frozen=True)
class IgnoredRows:
    outside_window: int = 0
    rapid_guessing: int = 0


def needed_windows(definition: Definition) -> set[tuple[str, str]]:
    """Every (assessment, window) pair some measure reads."""
    pairs: set[tuple[str, str]] = set()
    for measure in definition.measures.values():
        if isinstance(measure, AssessmentMeasure):
            for window in (measure.window, measure.from_window, measure.to_window):
                if window is not None:
                    pairs.add((measure.assessment, window))
    return pairs


def optional_ints(frame: pd.DataFrame, column: str) -> tuple[Ints, Bools]:
    """An optional nullable integer column as (values with 0 for null, present)."""
    if column not in frame:
        return np.zeros(len(frame), dtype=np.int64), np.zeros(len(frame), dtype=np.bool_)
    series = frame[column]
    present = series.notna().to_numpy(dtype=np.bool_)
    return series.fillna(0).to_numpy(dtype=np.int64), present


def ignored_rows(
    rules: AssessmentRules, frame: pd.DataFrame, in_population: Bools
) -> tuple[Bools, IgnoredRows]:
    """Which rows the validity rules ignore, and how many of the population's, by reason."""
    size = len(frame)
    outside = np.zeros(size, dtype=np.bool_)
    if rules.windows and size:
        has_date = (
            frame["test_date"].notna().to_numpy(dtype=np.bool_)
            if "test_date" in frame
            else np.zeros(size, dtype=np.bool_)
        )
        days = (
            pd.to_datetime(frame["test_date"]).to_numpy(dtype="datetime64[ns]")
            if "test_date" in frame
            else np.zeros(size, dtype="datetime64[ns]")
        )
        windows = frame["window"].to_numpy(dtype=object)
        for name, span in rules.windows.items():
            start = np.datetime64(span.from_, "ns")
            stop = np.datetime64(span.to + timedelta(days=1), "ns")
            inside = has_date & (days >= start) & (days < stop)
            outside |= (windows == name) & ~inside
    rushed = np.zeros(size, dtype=np.bool_)
    if rules.max_rapid_guessing is not None and size:
        values, present = optional_ints(frame, "rapid_guessing")
        # rapid/1000 ≥ share ⇔ rapid ≥ ceil(share × 1000): rapid is whole thousandths
        bound = math.ceil(Fraction(rules.max_rapid_guessing) * QUANTITY_SCALE)
        rushed = present & (values >= bound) & ~outside
    counts = IgnoredRows(
        outside_window=int((outside & in_population).sum()),
        rapid_guessing=int((rushed & in_population).sum()),
    )
    return outside | rushed, counts


def window_rows(
    definition: Definition,
    assessments: pd.DataFrame,
    ids: npt.NDArray[np.object_],
) -> tuple[dict[tuple[str, str], WindowRows], IgnoredRows]:
    """Every (assessment, window) pair the measures read, aligned to the population ``ids``
    (students matched once for all pairs), after the validity rules."""
    size = len(ids)
    positions = positions_in(ids, assessments["student_id"].to_numpy(dtype=object))
    ignored, counts = ignored_rows(definition.assessment_rules, assessments, positions >= 0)
    assessment_codes, assessment_names = pd.factorize(assessments["assessment"])
    window_codes, window_names = pd.factorize(assessments["window"])
    score = assessments["score"].to_numpy(dtype=np.int64)
    columns = {column: optional_ints(assessments, column) for column in VALUE_COLUMNS}
    result: dict[tuple[str, str], WindowRows] = {}
    for assessment, window in needed_windows(definition):
        rows = np.flatnonzero(
            (assessment_codes == _code(assessment_names, assessment))
            & (window_codes == _code(window_names, window))
            & (positions >= 0)
            & ~ignored
        )
        where = positions[rows]
        if len(where) and np.bincount(where, minlength=size).max() > 1:
            raise ValueError(f"more than one {assessment} score in {window} for a student")
        aligned = WindowRows(
            score=np.zeros(size, dtype=np.int64),
            has_score=np.zeros(size, dtype=np.bool_),
            values={
                column: (np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.bool_))
                for column in VALUE_COLUMNS
            },
        )
        aligned.score[where] = score[rows]
        aligned.has_score[where] = True
        for column, (values, present) in columns.items():
            aligned.values[column][0][where] = values[rows]
            aligned.values[column][1][where] = present[rows]
        result[(assessment, window)] = aligned
    return result, counts


def _code(names: Any, name: str) -> int:
    matches = np.flatnonzero(np.asarray(names, dtype=object) == name)
    return int(matches[0]) if len(matches) else -2  # -2 matches no row (-1 is a null)


def positions_in(ids: npt.NDArray[np.object_], values: npt.NDArray[np.object_]) -> Ints:
    """For each of ``values``, its position in the unique ``ids``, or −1 if absent.

    One factorisation of both arrays together: pandas numbers values in order of first
    appearance, so the ids (first, and unique) get codes 0..n−1. That is one hash pass over
    the strings, measured several times faster than ``Index.get_indexer`` on object ids.
    """
    codes, _ = pd.factorize(np.concatenate([ids, values]))
    found = codes[len(ids) :]
    return np.where((found >= 0) & (found < len(ids)), found, -1).astype(np.int64)

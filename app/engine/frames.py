"""The shape of the data the engine reads: one pandas DataFrame per feed.

Feeds are parsed and validated outside the engine (``app.feeds``; the service reads them
from the database). By the time a frame reaches :func:`app.engine.evaluate.evaluate_contract`
it holds exactly one row per natural key and typed columns:

roster       student_id: str · grade: int64 (K = 0) · school_id: object (str or None)
             ell, sped, econ_disadv: pandas "boolean" (nullable)
assessments  student_id, assessment, window: str · score: int64 (thousandths, see below)
             growth_target, typical_growth, standard_error, rapid_guessing: "Int64"
             (thousandths, nullable) · growth_percentile: "Int64" (1-99, nullable)
             proficiency_level: object (str or None) · test_date: datetime64[ns] (nullable)
             Optional columns may be absent: the engine reads an absent one as all-null.
usage        student_id: str · date: datetime64[ns] · minutes: int64 (thousandths)
             sessions: int64 (whole sessions) · lessons: int64 (optional, blank = 0)
schedule     student_id: str · date: datetime64[ns] · sessions_offered: int64 (blank = 1)
             minutes_offered: int64 (thousandths, blank = 0)

Quantities that may carry decimals (scores, growth targets, minutes) travel as integers
counting thousandths (``QUANTITY_SCALE``). That keeps sums and comparisons exact while
pandas vectorises them; floats would not be exact, ``Decimal`` objects would not be fast.
Feeds refuse values with more than three decimal places rather than round them.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

QUANTITY_SCALE = 1000
QUANTITY_PLACES = 3

ROSTER_COLUMNS = ("student_id", "grade", "school_id", "ell", "sped", "econ_disadv")
ASSESSMENT_COLUMNS = ("student_id", "assessment", "window", "score", "growth_target")
USAGE_COLUMNS = ("student_id", "date", "minutes", "sessions")


def to_scaled(value: Decimal | int | str) -> int:
    """A decimal quantity as a whole number of thousandths; refuses finer values."""
    scaled = Decimal(value) * QUANTITY_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {QUANTITY_PLACES} decimal places")
    return int(scaled)


def from_scaled(value: int) -> Fraction:
    """The exact quantity that a number of thousandths stands for."""
    return Fraction(int(value), QUANTITY_SCALE)


def empty_roster() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=object),
            "grade": pd.Series([], dtype="int64"),
            "school_id": pd.Series([], dtype=object),
            "ell": pd.Series([], dtype="boolean"),
            "sped": pd.Series([], dtype="boolean"),
            "econ_disadv": pd.Series([], dtype="boolean"),
        }
    )


def empty_assessments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=object),
            "assessment": pd.Series([], dtype=object),
            "window": pd.Series([], dtype=object),
            "score": pd.Series([], dtype="int64"),
            "growth_target": pd.Series([], dtype="Int64"),
        }
    )


def empty_usage() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=object),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "minutes": pd.Series([], dtype="int64"),
            "sessions": pd.Series([], dtype="int64"),
        }
    )


def empty_schedule() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student_id": pd.Series([], dtype=object),
            "date": pd.Series([], dtype="datetime64[ns]"),
            "sessions_offered": pd.Series([], dtype="int64"),
            "minutes_offered": pd.Series([], dtype="int64"),
        }
    )

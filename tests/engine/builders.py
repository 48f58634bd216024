"""Small frames and definitions for engine tests, in the shape of app/engine/frames.py."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from app.engine import (
    Definition,
    EvaluationResult,
    ObligationRecord,
    evaluate_contract,
    load_definition,
)
from app.engine.frames import empty_assessments, empty_schedule, empty_usage, to_scaled

TERM = {"start": "2026-08-01", "end": "2027-07-31"}
CLOSEOUT = date(2027, 7, 31)

GROWTH_MEASURES: dict[str, Any] = {
    "met_goal": {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": "met_target",
    },
    "growth": {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": "growth",
    },
    "minutes": {"usage": "minutes"},
}


def document(**fields: Any) -> dict[str, Any]:
    """A valid definition document with ``fields`` replacing the defaults."""
    base: dict[str, Any] = {
        "key": "test-contract",
        "title": "Test contract",
        "district": "ector-isd",
        "vendor": "bright-tutors",
        "currency": "USD",
        "term": dict(TERM),
        "measures": copy.deepcopy(GROWTH_MEASURES),
        "metrics": {
            "growth_rate": {
                "share_of": "population",
                "where": [{"measure": "met_goal", "is": True}],
            }
        },
        "tranches": [{"key": "base", "type": "fixed", "amount": "1000.00", "due": "2026-10-01"}],
    }
    base.update(fields)
    return base


def definition(**fields: Any) -> Definition:
    return load_definition(document(**fields))


def roster(
    ids: list[str], grades: list[int] | None = None, schools: list[str] | None = None
) -> pd.DataFrame:
    count = len(ids)
    return pd.DataFrame(
        {
            "student_id": pd.Series(ids, dtype=object),
            "grade": pd.Series(grades if grades is not None else [4] * count, dtype="int64"),
            "school_id": pd.Series(
                schools if schools is not None else ["001"] * count, dtype=object
            ),
            "ell": pd.Series([None] * count, dtype="boolean"),
            "sped": pd.Series([None] * count, dtype="boolean"),
            "econ_disadv": pd.Series([None] * count, dtype="boolean"),
        }
    )


def scores(rows: list[tuple[str, str, str, str | int, str | int | None]]) -> pd.DataFrame:
    """Rows of (student, assessment, window, score, growth_target) in plain units."""
    if not rows:
        return empty_assessments()
    return pd.DataFrame(
        {
            "student_id": pd.Series([r[0] for r in rows], dtype=object),
            "assessment": pd.Series([r[1] for r in rows], dtype=object),
            "window": pd.Series([r[2] for r in rows], dtype=object),
            "score": pd.Series([to_scaled(r[3]) for r in rows], dtype="int64"),
            "growth_target": pd.array(
                [None if r[4] is None else to_scaled(r[4]) for r in rows], dtype="Int64"
            ),
        }
    )


SCALED = ("score", "growth_target", "typical_growth", "rapid_guessing", "standard_error")


def assessment_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Assessment rows as mappings with any of the optional columns, in plain units
    (``rapid_guessing`` as a share, e.g. "0.35"; ``test_date`` as YYYY-MM-DD)."""
    if not rows:
        return empty_assessments()

    def column(name: str) -> list[Any]:
        values = [row.get(name) for row in rows]
        if name in SCALED:
            return [None if v is None else to_scaled(str(v)) for v in values]
        return values

    return pd.DataFrame(
        {
            "student_id": pd.Series([str(r["student_id"]) for r in rows], dtype=object),
            "assessment": pd.Series([r["assessment"] for r in rows], dtype=object),
            "window": pd.Series([r["window"] for r in rows], dtype=object),
            "score": pd.Series(column("score"), dtype="int64"),
            **{
                name: pd.array(column(name), dtype="Int64")
                for name in ("growth_target", "typical_growth", "rapid_guessing")
            },
            "growth_percentile": pd.array(column("growth_percentile"), dtype="Int64"),
            "test_date": pd.to_datetime(
                pd.Series([None if v is None else str(v) for v in column("test_date")])
            ).astype("datetime64[ns]"),
        }
    )


def schedule(rows: list[tuple[str, str, int, str | int]]) -> pd.DataFrame:
    """Rows of (student, date, sessions_offered, minutes_offered) in plain units."""
    if not rows:
        return empty_schedule()
    return pd.DataFrame(
        {
            "student_id": pd.Series([r[0] for r in rows], dtype=object),
            "date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            "sessions_offered": pd.Series([r[2] for r in rows], dtype="int64"),
            "minutes_offered": pd.Series([to_scaled(r[3]) for r in rows], dtype="int64"),
        }
    )


def usage(rows: list[tuple[str, str, str | int, int]]) -> pd.DataFrame:
    """Rows of (student, date, minutes, sessions) in plain units."""
    if not rows:
        return empty_usage()
    return pd.DataFrame(
        {
            "student_id": pd.Series([r[0] for r in rows], dtype=object),
            "date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
            "minutes": pd.Series([to_scaled(r[2]) for r in rows], dtype="int64"),
            "sessions": pd.Series([r[3] for r in rows], dtype="int64"),
        }
    )


def growth_cohort(
    met: int, missed: int = 0, missing: int = 0, prefix: str = "s"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A roster and map_reading scores: ``met`` students grew 6 against a target of 5,
    ``missed`` grew 3, ``missing`` have no spring score."""
    ids: list[str] = []
    rows: list[tuple[str, str, str, str | int, str | int | None]] = []
    for kind, count in (("met", met), ("missed", missed), ("missing", missing)):
        for index in range(count):
            student = f"{prefix}-{kind}-{index:04d}"
            ids.append(student)
            rows.append((student, "map_reading", "fall-2026", 200, 5))
            if kind != "missing":
                rows.append(
                    (student, "map_reading", "spring-2027", 206 if kind == "met" else 203, None)
                )
    return roster(ids), scores(rows)


def evaluate(
    contract: Definition,
    students: pd.DataFrame,
    assessments: pd.DataFrame | None = None,
    usage_rows: pd.DataFrame | None = None,
    as_of: date = CLOSEOUT,
    schedule_rows: pd.DataFrame | None = None,
    obligations: Sequence[ObligationRecord] = (),
) -> EvaluationResult:
    return evaluate_contract(
        contract,
        students,
        assessments if assessments is not None else empty_assessments(),
        usage_rows if usage_rows is not None else empty_usage(),
        as_of,
        schedule=schedule_rows,
        obligations=obligations,
    )


def line(result: EvaluationResult, key: str) -> dict[str, Any]:
    lines: list[dict[str, Any]] = result.to_json()["tranches"]
    return next(item for item in lines if item["key"] == key)


def metric(result: EvaluationResult, name: str) -> dict[str, Any]:
    metrics: dict[str, Any] = result.to_json()["metrics"]
    return metrics[name]

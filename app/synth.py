"""Synthetic districts: a roster, assessment results and usage logs that look real enough.

Used by the demo, the benchmarks and tests. Everything is drawn with numpy from one seeded
generator, column by column (no per-student Python loop), so 100,000 students × 50 usage rows
take a second or two and a million students × 50 rows fit in a few GB.

What it models:
- grades (3–8 by default) spread over several schools; ELL, special-education and
  economically-disadvantaged flags at typical rates (a few disadvantaged flags unknown);
- skewed usage: about 8 % of students never log in; the others have a lognormal
  engagement, use the product on distinct school days within their own active span, with
  lognormal minutes per session (one decimal) and sometimes two sessions a day;
- MAP-like scores (RIT, whole numbers around 180–240) rising with grade, a growth target on
  the first window (typical growth for the grade, more for students starting low), growth
  that rises with dosage (hours of use), and about 5 % missing tests per window.

The frames have the shape of ``app.engine.frames`` plus the optional feed columns, and
:func:`write_csv` writes them in the SPEC §2 format that ``app.feeds.parse_feed`` reads back
unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from app.engine.frames import QUANTITY_SCALE, with_every_column
from app.feeds import feed_csv

NEVER_LOGS_IN = 0.08
MISSING_TEST = 0.05
ELL_RATE, SPED_RATE, ECON_RATE, ECON_UNKNOWN = 0.12, 0.14, 0.55, 0.02
SECOND_SESSION = 0.12
LESSONS_PER_SESSION = 1.3
MEDIAN_SESSION_MINUTES, SESSION_SIGMA, MAX_SESSION_MINUTES = 24.0, 0.55, 120.0
TESTING_WEEKS = 3
RUSHED_TEST = 0.04
UNSCHEDULED = 0.06
SEASON_STARTS = {"fall": (9, 8), "winter": (1, 11), "spring": (4, 26), "summer": (7, 6)}
PROFICIENCY_LEVELS = np.array(["below", "approaching", "meets", "exceeds"], dtype=object)


@dataclass(frozen=True)
class SyntheticData:
    roster: pd.DataFrame
    assessments: pd.DataFrame
    usage: pd.DataFrame


def synthesize(
    *,
    students: int,
    usage_per_student: float,
    seed: int,
    term_start: date = date(2026, 8, 1),
    term_end: date = date(2027, 7, 31),
    assessments: Sequence[str] = ("map_reading",),
    windows: Sequence[str] = ("fall-2026", "winter-2027", "spring-2027"),
    usage_start: date = date(2026, 9, 1),
    usage_end: date = date(2027, 5, 15),
    schools: int = 8,
    grades: Sequence[int] = (3, 4, 5, 6, 7, 8),
    growth_scale: float = 1.0,
) -> SyntheticData:
    """A district of ``students`` with about ``usage_per_student`` usage rows each on average.

    ``growth_scale`` stretches a year's growth (and the growth targets with it) for scales
    other than MAP's RIT: i-Ready or Star scaled scores grow two to three times as many points.

    The same arguments always give the same frames. Usage rows are one per student and
    school day (weekdays in ``[usage_start, usage_end]``), so a student's rows never repeat
    a date; a student has at most as many rows as school days.
    """
    if students < 1:
        raise ValueError("students must be at least 1")
    rng = np.random.default_rng(seed)
    roster = _roster(rng, students, schools, grades)
    usage, minutes_by_student = _usage(rng, roster, usage_per_student, usage_start, usage_end)
    scores = _assessments(
        rng, roster, minutes_by_student, assessments, windows, term_start, term_end, growth_scale
    )
    return SyntheticData(roster=roster, assessments=_with_rapid_guessing(scores, seed), usage=usage)


def write_csv(data: SyntheticData, folder: Path | str) -> dict[str, Path]:
    """Write roster.csv, assessments.csv and usage.csv into ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for feed, frame in (
        ("roster", data.roster),
        ("assessments", data.assessments),
        ("usage", data.usage),
    ):
        path = folder / f"{feed}.csv"
        path.write_bytes(feed_csv(feed, frame))  # type: ignore[arg-type]
        paths[feed] = path
    return paths


def _student_ids(students: int) -> np.ndarray:
    width = max(6, len(str(students - 1)))
    return np.array([f"S{number:0{width}d}" for number in range(students)], dtype=object)


def _roster(
    rng: np.random.Generator, students: int, schools: int, grades: Sequence[int]
) -> pd.DataFrame:
    school_ids = np.array([f"SCH{number + 1:03d}" for number in range(schools)], dtype=object)
    econ = rng.random(students) < ECON_RATE
    econ_unknown = rng.random(students) < ECON_UNKNOWN
    return pd.DataFrame(
        copy=False,
        data={
            "student_id": pd.Series(_student_ids(students), dtype=object),
            "grade": pd.Series(rng.choice(np.asarray(grades), students), dtype="int64"),
            "school_id": pd.Series(school_ids[rng.integers(0, schools, students)], dtype=object),
            "ell": pd.Series(rng.random(students) < ELL_RATE, dtype="boolean"),
            "sped": pd.Series(rng.random(students) < SPED_RATE, dtype="boolean"),
            "econ_disadv": pd.Series(pd.arrays.BooleanArray(econ, econ_unknown)),
        },
    )


def _usage(
    rng: np.random.Generator,
    roster: pd.DataFrame,
    usage_per_student: float,
    start: date,
    end: date,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per student and school day; returns the frame and minutes per student."""
    students = len(roster)
    school_days = pd.bdate_range(start, end).to_numpy(dtype="datetime64[ns]")
    days = len(school_days)

    active = rng.random(students) >= NEVER_LOGS_IN
    engagement = rng.lognormal(0.0, 0.7, students) * active
    mean_engagement = engagement.mean() or 1.0
    expected_rows = engagement * (usage_per_student / mean_engagement)
    # each student uses the product within their own span of the year (late starters, drop-outs)
    first_day = (rng.random(students) * 0.15 * days).astype(np.int64)
    last_day = days - (rng.random(students) * 0.25 * days).astype(np.int64)
    span = np.maximum(last_day - first_day, 1)
    counts = np.minimum(rng.poisson(expected_rows), span).astype(np.int64)

    rows = int(counts.sum())
    student = np.repeat(np.arange(students, dtype=np.int64), counts)
    rank = np.arange(rows, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    # stratified days: the span is cut into `count` consecutive, non-empty strata and each row
    # takes one day of its own stratum, so a student's days are distinct and in order
    count_of_row, span_of_row = counts[student], span[student]
    stratum_start = rank * span_of_row // count_of_row
    stratum_end = (rank + 1) * span_of_row // count_of_row
    day = first_day[student] + stratum_start
    day += (rng.random(rows) * (stratum_end - stratum_start)).astype(np.int64)
    del rank, count_of_row, span_of_row, stratum_start, stratum_end

    sessions = 1 + (rng.random(rows) < SECOND_SESSION).astype(np.int64)
    per_session = np.minimum(
        rng.lognormal(np.log(MEDIAN_SESSION_MINUTES), SESSION_SIGMA, rows), MAX_SESSION_MINUTES
    )
    # minutes to one decimal place, in thousandths
    minutes = np.maximum(np.rint(per_session * sessions * 10), 1).astype(np.int64) * 100
    lessons = rng.poisson(LESSONS_PER_SESSION, rows) + (sessions - 1)

    minutes_by_student = np.bincount(student, weights=minutes, minlength=students)
    usage = pd.DataFrame(
        copy=False,
        data={
            "student_id": pd.Series(roster["student_id"].to_numpy()[student], dtype=object),
            "date": pd.Series(school_days[day], dtype="datetime64[ns]"),
            "minutes": pd.Series(minutes, dtype="int64"),
            "sessions": pd.Series(sessions, dtype="int64"),
            "lessons": pd.Series(pd.arrays.IntegerArray(lessons, np.zeros(rows, bool))),
        },
    )
    return with_every_column("usage", usage), minutes_by_student / QUANTITY_SCALE


def _assessments(
    rng: np.random.Generator,
    roster: pd.DataFrame,
    minutes_by_student: np.ndarray,
    assessments: Sequence[str],
    windows: Sequence[str],
    term_start: date,
    term_end: date,
    growth_scale: float,
) -> pd.DataFrame:
    students = len(roster)
    grade = roster["grade"].to_numpy(dtype=np.float64)
    handicap = (
        6.0 * roster["ell"].to_numpy(dtype=bool)
        + 9.0 * roster["sped"].to_numpy(dtype=bool)
        + 3.0 * roster["econ_disadv"].fillna(False).to_numpy(dtype=bool)
    )
    hours = minutes_by_student / 60.0
    dosage_effect = 6.0 * (1.0 - np.exp(-hours / 12.0))
    ids = roster["student_id"].to_numpy()
    last = max(len(windows) - 1, 1)

    parts = []
    for subject, assessment in enumerate(assessments):
        norm = 180.0 + 5.0 * (grade - 3) + 8.0 * subject
        start = rng.normal(norm - handicap, 13.0)
        typical_growth = np.maximum(10.0 - 0.8 * (grade - 3), 3.0) * growth_scale
        target = np.maximum(np.rint(typical_growth + 0.1 * growth_scale * (norm - start)), 1.0)
        growth = 0.7 * typical_growth + growth_scale * (
            dosage_effect + rng.normal(0.0, 5.0, students)
        )
        for index, window in enumerate(windows):
            score = np.rint(start + growth * (index / last) + rng.normal(0.0, 3.0, students))
            taken = rng.random(students) >= MISSING_TEST
            count = int(taken.sum())
            expected = norm + typical_growth * (index / last)
            level = np.digitize(score - expected, [-10.0, 0.0, 12.0])
            test_dates = _test_dates(rng, window, index, len(windows), count, term_start, term_end)
            parts.append(
                pd.DataFrame(
                    copy=False,
                    data={
                        "student_id": pd.Series(ids[taken], dtype=object),
                        "assessment": pd.Series([assessment] * count, dtype=object),
                        "window": pd.Series([window] * count, dtype=object),
                        "score": pd.Series(
                            score[taken].astype(np.int64) * QUANTITY_SCALE, dtype="int64"
                        ),
                        "growth_target": pd.Series(
                            pd.arrays.IntegerArray(
                                target[taken].astype(np.int64) * QUANTITY_SCALE,
                                np.full(count, index != 0),
                            )
                        ),
                        "typical_growth": pd.Series(
                            pd.arrays.IntegerArray(
                                np.rint(typical_growth[taken] * QUANTITY_SCALE).astype(np.int64),
                                np.full(count, index != 0),
                            )
                        ),
                        "proficiency_level": pd.Series(
                            PROFICIENCY_LEVELS[level[taken]], dtype=object
                        ),
                        "test_date": pd.Series(test_dates, dtype="datetime64[ns]"),
                    },
                )
            )
    return with_every_column("assessments", pd.concat(parts, ignore_index=True))


def _with_rapid_guessing(scores: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each test's share of rapid guesses (MAP's RapidGuessingPercentage ÷ 100): most students
    guess on a few items, about 1 in 25 rushes a third or more of the test. Drawn from a
    generator of its own, so the scores stay what the seed always gave."""
    rng = np.random.default_rng([seed, 1])
    rows = len(scores)
    share = np.minimum(rng.beta(0.8, 12.0, rows), 1.0)
    rushed = rng.random(rows) < RUSHED_TEST
    share[rushed] = rng.uniform(0.3, 0.8, int(rushed.sum()))
    thousandths = np.rint(share * QUANTITY_SCALE).astype(np.int64)
    scores = scores.copy()
    scores["rapid_guessing"] = pd.array(thousandths, dtype="Int64")
    return scores


def synthesize_schedule(
    roster: pd.DataFrame,
    *,
    seed: int,
    start: date,
    end: date,
    sessions_per_week: int = 3,
    minutes_per_session: int = 30,
) -> pd.DataFrame:
    """The district's schedule feed: one row per student and school week (its Monday) in
    ``[start, end]`` offering ``sessions_per_week`` sessions. Students join over the first
    tenth of the weeks; about 1 in 16 is dropped from the timetable after one to three weeks,
    the students a contract's ``accountability.served`` rule would excuse."""
    rng = np.random.default_rng([seed, 2])
    mondays = pd.date_range(start, end, freq="W-MON").to_numpy(dtype="datetime64[ns]")
    students, weeks = len(roster), len(mondays)
    first = (rng.random(students) * 0.1 * weeks).astype(np.int64)
    last = np.full(students, weeks, dtype=np.int64)
    dropped = rng.random(students) < UNSCHEDULED
    last[dropped] = np.minimum(first[dropped] + rng.integers(1, 4, int(dropped.sum())), weeks)
    counts = np.maximum(last - first, 0)
    student = np.repeat(np.arange(students, dtype=np.int64), counts)
    week = first[student] + np.arange(len(student)) - np.repeat(np.cumsum(counts) - counts, counts)
    rows = len(student)
    return with_every_column(
        "schedule",
        pd.DataFrame(
            {
                "student_id": pd.Series(roster["student_id"].to_numpy()[student], dtype=object),
                "date": pd.Series(mondays[week], dtype="datetime64[ns]"),
                "sessions_offered": pd.Series(np.full(rows, sessions_per_week), dtype="int64"),
                "minutes_offered": pd.array(
                    np.full(rows, sessions_per_week * minutes_per_session * QUANTITY_SCALE),
                    dtype="Int64",
                ),
            }
        ),
    )


def window_start(window: str) -> date | None:
    """When a seasonal window's testing begins (``fall-2026`` → 8 Sept 2026); None for a name
    that is not season-year. Also orders windows: fall-2026 < winter-2027 < spring-2027."""
    match = re.fullmatch(r"(fall|winter|spring|summer)[-_ ]?(\d{4})", window.lower())
    if match is None:
        return None
    month, day = SEASON_STARTS[match.group(1)]
    return date(int(match.group(2)), month, day)


def _test_dates(
    rng: np.random.Generator,
    window: str,
    index: int,
    windows: int,
    count: int,
    term_start: date,
    term_end: date,
) -> np.ndarray:
    """Dates within the window's testing weeks (``fall-2026`` → from 8 Sept 2026), in term."""
    first = window_start(window)
    if first is None:
        share = (index + 0.5) / windows
        first = term_start + timedelta(days=int((term_end - term_start).days * share))
    offsets = rng.integers(0, TESTING_WEEKS * 7, count)
    lower = np.datetime64(term_start, "D")
    upper = np.datetime64(term_end, "D")
    dates = np.clip(np.datetime64(first, "D") + offsets, lower, upper)
    return dates.astype("datetime64[ns]")

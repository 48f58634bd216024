"""The usage feed: minutes and sessions a student spent on a date (SPEC §2).

Usage rows are additive: several rows for one student and date are allowed (a vendor may log
each session on its own row) and are summed. What is refused is a row that repeats another
exactly (same student, date, minutes, sessions and lessons) — almost always the same record
sent twice — and a student-date whose rows add up to more than 1,440 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.frames import QUANTITY_SCALE
from app.feeds.batch import Batch
from app.feeds.values import Converted, to_dates, to_thousandths, to_whole_numbers

MINUTES_PER_DAY = 1440
DEFAULT_SESSIONS = 1
DENSE_CELLS_PER_ROW = 4


def check_usage(
    batch: Batch,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
) -> Callable[[], pd.DataFrame]:
    """Check every usage row; return how to build the frame once no problem was found.

    minutes: a decimal 0–1440 with at most three places (kept as thousandths), and at most
    1440 a day per student summed over the batch; sessions: a whole number, 1 when empty;
    lessons: a whole number or empty; date within the term.
    """
    student_ids = batch.identifiers("student_id", required=True)
    roster_codes = batch.on_roster("student_id", roster_ids)
    dates = batch.convert("date", to_dates, required=True)
    batch.within_term("date", dates, term_start, term_end)
    minutes = batch.convert("minutes", to_thousandths, required=True)
    if minutes is not None:
        known = ~minutes.empty & ~minutes.invalid
        negative = known & (minutes.values < 0)
        too_many = known & (minutes.values > MINUTES_PER_DAY * QUANTITY_SCALE)
        batch.report(negative, "minutes", "minutes cannot be negative")
        batch.report(
            too_many, "minutes", f"more than {MINUTES_PER_DAY} minutes (a whole day) in one row"
        )
    sessions = batch.convert("sessions", to_whole_numbers, required=False)
    lessons = batch.convert("lessons", to_whole_numbers, required=False)
    session_values = _sessions(sessions, batch.rows)
    if student_ids is not None and dates is not None and minutes is not None:
        comparable = (
            batch.filled("student_id")
            & ~dates.empty
            & ~dates.invalid
            & known
            & ~negative
            & ~too_many
        )
        if roster_codes is not None:
            comparable &= roster_codes >= 0
        _check_days(batch, comparable, roster_codes, dates, minutes, session_values, lessons)

    def build() -> pd.DataFrame:
        assert student_ids is not None and dates is not None and minutes is not None
        return pd.DataFrame(
            copy=False,
            data={
                "student_id": pd.Series(student_ids, dtype=object),
                "date": pd.Series(dates.values, dtype="datetime64[ns]"),
                "minutes": pd.Series(minutes.values, dtype="int64"),
                "sessions": pd.Series(session_values, dtype="int64"),
                "lessons": _lessons(lessons, batch.rows),
            },
        )

    return build


def _sessions(sessions: Converted | None, rows: int) -> np.ndarray:
    if sessions is None:
        return np.full(rows, DEFAULT_SESSIONS, dtype=np.int64)
    return np.where(sessions.empty, DEFAULT_SESSIONS, sessions.values)


def _lessons(lessons: Converted | None, rows: int) -> pd.Series:
    if lessons is None:
        return pd.Series(pd.arrays.IntegerArray(np.zeros(rows, np.int64), np.ones(rows, bool)))
    return pd.Series(pd.arrays.IntegerArray(lessons.values, lessons.empty.copy()))


def _check_days(
    batch: Batch,
    comparable: np.ndarray,
    roster_codes: np.ndarray | None,
    dates: Converted,
    minutes: Converted,
    sessions: np.ndarray,
    lessons: Converted | None,
) -> None:
    """Daily totals over 1440 minutes, and rows that repeat another exactly.

    Only ``comparable`` rows (student, date and minutes usable) are compared. Each
    student-date becomes one integer, student code × days in the batch + day.
    """
    good = np.flatnonzero(comparable)
    if len(good) < 2:
        return
    if roster_codes is not None:
        student_codes = roster_codes[good]
    else:
        student_text = batch.text("student_id")
        assert student_text is not None
        students = pc.dictionary_encode(student_text.take(pa.array(good))).combine_chunks()
        student_codes = np.asarray(students.indices.to_numpy(), dtype=np.int64)
    days = dates.values[good].astype("datetime64[D]").astype(np.int64)
    if _one_row_per_day_in_runs(student_codes, days):
        return  # no student-date has two rows: nothing to add up or compare
    first_day = days.min()
    day_key = student_codes * (days.max() - first_day + 1) + (days - first_day)
    good_minutes = minutes.values[good]
    rows_that_day, day_totals = _per_key(day_key, good_minutes)
    over = day_totals > MINUTES_PER_DAY * QUANTITY_SCALE
    if over.any():
        totals = dict(zip(good[over].tolist(), day_totals[over].tolist(), strict=True))
        mask = np.zeros(batch.rows, dtype=bool)
        mask[good[over]] = True
        batch.report(
            mask,
            "minutes",
            lambda position: (
                f"the student's rows for this date add up to "
                f"{_decimal_text(totals[position])} minutes, more than {MINUTES_PER_DAY}"
            ),
        )

    shared = rows_that_day > 1
    if shared.any():
        positions = good[shared]
        no_lessons = np.ones(len(positions), dtype=bool)
        keys = pd.DataFrame(
            {
                "day": day_key[shared],
                "minutes": good_minutes[shared],
                "sessions": sessions[positions],
                "lessons": lessons.values[positions] if lessons is not None else no_lessons,
                "no_lessons": lessons.empty[positions] if lessons is not None else no_lessons,
            },
            index=positions,
        )
        shown = ("student_id", "date", "minutes", "sessions", "lessons")
        batch.duplicates(keys, None, "every column is the same", shown=shown)


def _per_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row: how many rows share its key, and the int64 sum of their ``values``.

    Keys that are dense enough (a few cells per row) are counted directly with ``bincount``;
    sparse ones are first numbered by hashing. When no key repeats (one row per student and
    day, the usual log) the sums are the values themselves. The float64 sums are exact:
    every value and sum is a whole number far below 2**53 (a million rows × 1.44e6).
    """
    key_space = int(keys.max()) + 1
    if key_space > DENSE_CELLS_PER_ROW * len(keys):
        keys, _ = pd.factorize(keys)
        key_space = int(keys.max()) + 1
    counts = np.bincount(keys, minlength=key_space)
    if counts.max() == 1:
        return np.ones(len(keys), dtype=np.int64), values
    sums = np.bincount(keys, weights=values, minlength=key_space)[keys]
    return counts[keys], np.rint(sums).astype(np.int64)


def _one_row_per_day_in_runs(student_codes: np.ndarray, days: np.ndarray) -> bool:
    """True when each student's rows are consecutive with strictly increasing dates (a log
    sorted by student and date, whatever the order of the students): no day repeats."""
    new_student = student_codes[1:] != student_codes[:-1]
    if not np.all(new_student | (days[1:] > days[:-1])):
        return False
    runs = int(np.count_nonzero(new_student)) + 1
    return runs == int(np.count_nonzero(np.bincount(student_codes)))


def _decimal_text(thousandths: int) -> str:
    whole, fraction = divmod(thousandths, QUANTITY_SCALE)
    return str(whole) if fraction == 0 else f"{whole}.{fraction:03d}".rstrip("0")

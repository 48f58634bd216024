"""Checks across the rows of one batch: each natural key once, daily maxima.

Every key part becomes an integer code per row (a roster position or dictionary code for
text, a day number for dates), so comparing a million rows is integer work in numpy and
pandas, never a Python loop. Only rows without any other problem are compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.feed_schema import QUANTITY_SCALE, Column, FeedSchema
from app.feeds.batch import Batch
from app.feeds.problems import RowProblem
from app.feeds.values import Converted

DENSE_CELLS_PER_ROW = 4
TOTAL_FOR_THE_DAY = "two rows for one student and day: give `session_id`, or one total per day"


def check_keys(
    batch: Batch,
    schema: FeedSchema,
    converted: dict[str, Converted | None],
    roster_codes: np.ndarray | None,
) -> None:
    """Report every row whose natural key an earlier row of the batch already has (rows whose
    key values are usable, whatever else is wrong with them)."""
    good = np.flatnonzero(batch.usable(*schema.key) & batch.filled(*schema.required_key))
    if len(good) < 2:
        return
    parts = [_codes(batch, name, converted.get(name), roster_codes, good) for name in schema.key]
    folded = fold_key_parts(parts)
    if folded is not None and pd.Series(folded).is_unique:
        return  # the usual batch: one hash pass over one integer per row
    codes = pd.DataFrame(
        {"key": folded} if folded is not None else dict(zip(schema.key, parts, strict=True)),
        index=good,
    )
    if not codes.duplicated(keep="first").any():
        return
    key = schema.key
    if key == ("student_id",):
        batch.duplicates(codes, "student_id", "same student_id")
        return
    if "session_id" not in key:
        batch.duplicates(codes, None, f"same {_listed(key)}", shown=key)
        return
    # A row without session_id is the student's total for the day: a second one is not a
    # repeat but a contradiction, and the reason says how to resolve it.
    without = batch.filled("session_id")[good] == False  # noqa: E712 (numpy mask)
    batch.duplicates(codes[~without], None, f"same {_listed(key)}", shown=key)
    batch.duplicates(
        codes[without],
        None,
        "",
        shown=key[:2],
        describe=lambda first: f"{TOTAL_FOR_THE_DAY} (the first is row {first})",
    )


def check_daily_maximum(
    batch: Batch,
    column: Column,
    converted: dict[str, Converted | None],
    roster_codes: np.ndarray | None,
) -> None:
    """Report the rows of every student and date whose ``column`` adds up past its daily
    maximum within the batch (a session per row, or a day's total and its sessions)."""
    assert column.daily_maximum is not None
    values, dates = converted[column.name], converted["date"]
    assert values is not None and dates is not None
    good = np.flatnonzero(batch.usable("student_id", "date", column.name))
    if len(good) < 2:
        return
    students = _codes(batch, "student_id", None, roster_codes, good)
    days = dates.values[good].astype("datetime64[D]").astype(np.int64)
    if one_row_per_day_in_runs(students, days):
        return  # no student-date has two rows: nothing to add up
    amounts = np.where(values.empty[good], 0, values.values[good])
    totals = day_totals(students, days, amounts)
    over = totals > column.daily_maximum * column.scale
    if not over.any():
        return
    by_position = dict(zip(good[over].tolist(), totals[over].tolist(), strict=True))
    mask = np.zeros(batch.rows, dtype=bool)
    mask[good[over]] = True
    batch.report(
        mask,
        column.name,
        lambda position: (
            f"the student's rows for this date add up to {decimal_text(by_position[position])} "
            f"minutes, more than {column.daily_maximum}"
        ),
    )


def _codes(
    batch: Batch,
    name: str,
    converted: Converted | None,
    roster_codes: np.ndarray | None,
    good: np.ndarray,
) -> np.ndarray:
    """An int64 code per row in ``good``: equal codes for equal values."""
    if converted is not None:  # a date
        days: np.ndarray = converted.values[good].astype("datetime64[D]").astype(np.int64)
        return days
    if name == "student_id" and roster_codes is not None:
        positions: np.ndarray = roster_codes[good]
        return positions
    text = batch.text(name)
    if text is None:  # an optional key column not sent: every row the same (blank)
        return np.zeros(len(good), dtype=np.int64)
    encoded = pc.dictionary_encode(text.take(pa.array(good))).combine_chunks()
    return np.asarray(encoded.indices.to_numpy(), dtype=np.int64)


def fold_key_parts(parts: list[np.ndarray]) -> np.ndarray | None:
    """The key parts as one int64 per row (mixed radix), or None if that could overflow."""
    folded = np.zeros(len(parts[0]), dtype=np.int64)
    space = 1
    for part in parts:
        low = int(part.min())
        size = int(part.max()) - low + 1
        space *= size
        if space >= 2**62:
            return None
        folded = folded * size + (part - low)
    return folded


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


def rows_per_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row: how many rows share its key, and the int64 sum of their ``values``.

    Keys that are dense enough (a few cells per row) are counted directly with ``bincount``;
    sparse ones are first numbered by hashing. The float64 sums are exact: every value and
    sum is a whole number far below 2**53 (a million rows × 1.44e6).
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


def day_totals(students: np.ndarray, days: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """For every row, the sum of ``amounts`` over its student's rows on its day (int64
    student codes ≥ 0 and day numbers)."""
    first_day = int(days.min())
    span = int(days.max()) - first_day + 1
    _, totals = rows_per_key(students * span + (days - first_day), amounts)
    return totals


def one_row_per_day_in_runs(student_codes: np.ndarray, days: np.ndarray) -> bool:
    """True when each student's rows are consecutive with strictly increasing dates (a log
    sorted by student and date, whatever the order of the students): no day repeats."""
    new_student = student_codes[1:] != student_codes[:-1]
    if not np.all(new_student | (days[1:] > days[:-1])):
        return False
    runs = int(np.count_nonzero(new_student)) + 1
    return runs == int(np.count_nonzero(np.bincount(student_codes)))


def decimal_text(thousandths: int) -> str:
    whole, fraction = divmod(thousandths, QUANTITY_SCALE)
    return str(whole) if fraction == 0 else f"{whole}.{fraction:03d}".rstrip("0")


def day_problem(column: Column, line: int, amount: int | None, day_total: int) -> RowProblem:
    """A row of a new batch on a day that adds up past ``column``'s daily maximum over every
    batch that counts (``amount``: the row's own value, thousandths; None if blank). The
    stored batches are the ingestion's to add up (``app.ingestion.daily``, ``overlap``)."""
    return RowProblem(
        row=line,
        column=column.name,
        value=None if amount is None else decimal_text(int(amount)),
        reason=(
            f"the student's {column.name} for this date over every batch that "
            f"counts add up to {decimal_text(int(day_total))}, more than "
            f"{column.daily_maximum}"
        ),
    )

"""Vectorised conversion of feed text into typed values, and back.

Every converter takes a column of text exactly as sent (a pyarrow string array without
nulls; an empty cell is ``""``) and returns a :class:`Converted`: the typed values, which
cells were empty, which were present but unusable, and a function that says why one unusable
cell was refused (called only for the problems that are reported).

Decimal quantities become whole numbers of thousandths (``app.engine.frames.QUANTITY_SCALE``)
exactly, through pyarrow's decimal type: ``"12.5"`` → ``12500``. A value with more than
three decimal places is refused, never rounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.feed_schema import IDENTIFIER_MAX_LENGTH, QUANTITY_PLACES, QUANTITY_SCALE

Text: TypeAlias = pa.ChunkedArray | pa.Array

# At most 12 integer digits and 3 decimals: 15 digits, so digits × 1000 stays far inside
# int64 and no intermediate can overflow.
MAX_INTEGER_DIGITS = 12
DECIMAL_PATTERN = rf"^-?\d{{1,{MAX_INTEGER_DIGITS}}}(\.\d{{1,{QUANTITY_PLACES}}})?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
WHOLE_PATTERN = rf"^\d{{1,{MAX_INTEGER_DIGITS}}}$"
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
NON_FINITE_WORDS = frozenset(
    {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
)

# C0 and C1 control characters (tabs and line breaks included): invisible in a spreadsheet,
# they would make two identifiers that look the same differ.
CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f]"
SURROUNDING_SPACE_PATTERN = r"^\s|\s$"

_TOO_PRECISE = re.compile(rf"^[-+]?\d*\.\d{{{QUANTITY_PLACES + 1},}}$")
_TOO_LARGE = re.compile(rf"^-?\d{{{MAX_INTEGER_DIGITS + 1},}}(\.\d+)?$")


@dataclass(frozen=True)
class Converted:
    values: np.ndarray
    empty: np.ndarray
    invalid: np.ndarray
    reason: Callable[[str], str]


def as_numpy_mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    mask = pc.fill_null(array, False)
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def stripped(text: Text) -> pa.ChunkedArray | pa.Array:
    return pc.utf8_trim_whitespace(text)


def is_empty(text: Text) -> np.ndarray:
    """Cells that are empty or only whitespace."""
    return as_numpy_mask(pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text)))


def unusable_identifiers(text: Text, empty: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """The non-empty identifier cells refused by SPEC §2, each with its reason."""
    filled = ~empty
    return [
        (
            filled & as_numpy_mask(pc.greater(pc.utf8_length(text), IDENTIFIER_MAX_LENGTH)),
            f"is longer than {IDENTIFIER_MAX_LENGTH} characters",
        ),
        (
            filled & as_numpy_mask(pc.match_substring_regex(text, SURROUNDING_SPACE_PATTERN)),
            "has leading or trailing spaces (identifiers are compared exactly)",
        ),
        (
            filled & as_numpy_mask(pc.match_substring_regex(text, CONTROL_PATTERN)),
            "contains control characters",
        ),
    ]


def decimal_reason(text: str) -> str:
    value = text.strip()
    if value.lower() in NON_FINITE_WORDS:
        return "is not a finite number"
    if _TOO_PRECISE.match(value):
        return (
            f"has more than {QUANTITY_PLACES} decimal places: round at the source "
            "(Tranche never rounds data)"
        )
    if _TOO_LARGE.match(value):
        return f"is too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)"
    return "is not a number"


def to_thousandths(text: Text) -> Converted:
    """Decimal text → int64 thousandths; unusable cells hold 0 and are marked ``invalid``.

    The pattern check guarantees at most 15 digits, so pyarrow's cast to
    ``decimal128(18, 3)`` is exact and its unscaled integer is the number of thousandths.
    """
    valid = as_numpy_mask(pc.match_substring_regex(text, DECIMAL_PATTERN))
    if valid.all():
        clean, empty = text, np.zeros(len(valid), dtype=bool)
    else:  # the slow path: surrounding spaces, empty cells, refusals
        clean = stripped(text)
        empty = as_numpy_mask(pc.equal(pc.binary_length(clean), 0))
        valid = as_numpy_mask(pc.match_substring_regex(clean, DECIMAL_PATTERN))
        clean = pc.if_else(pa.array(valid), clean, "0")
    decimals = pc.cast(clean, pa.decimal128(18, QUANTITY_PLACES))
    return Converted(
        values=_unscaled(decimals), empty=empty, invalid=~valid & ~empty, reason=decimal_reason
    )


def _unscaled(decimals: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """The integers behind decimal128 values that fit in int64 (the low little-endian word)."""
    array = decimals.combine_chunks() if isinstance(decimals, pa.ChunkedArray) else decimals
    words = np.frombuffer(array.buffers()[1], dtype=np.int64)
    return words[2 * array.offset : 2 * (array.offset + len(array)) : 2].copy()


def to_whole_numbers(text: Text) -> Converted:
    """Text of a whole number ≥ 0 (``"2"``, also ``"2.0"``) → int64."""

    def reason(value: str) -> str:
        return "must be a whole number of 0 or more"

    if as_numpy_mask(pc.match_substring_regex(text, WHOLE_PATTERN)).all():
        values = np.asarray(pc.cast(text, pa.int64()).to_numpy(), dtype=np.int64)
        nothing = np.zeros(len(values), dtype=bool)
        return Converted(values=values, empty=nothing, invalid=nothing, reason=reason)
    quantities = to_thousandths(text)
    fractional = (quantities.values % QUANTITY_SCALE != 0) | (quantities.values < 0)
    invalid = quantities.invalid | (fractional & ~quantities.empty & ~quantities.invalid)
    return Converted(
        values=quantities.values // QUANTITY_SCALE,
        empty=quantities.empty,
        invalid=invalid,
        reason=reason,
    )


def to_grades(text: Text) -> Converted:
    """``K`` (any case) → 0, otherwise a whole number 0–12."""
    clean = stripped(text)
    kindergarten = as_numpy_mask(pc.equal(pc.utf8_upper(clean), "K"))
    numbers = to_whole_numbers(pc.if_else(pa.array(kindergarten), "0", clean))
    out_of_range = (numbers.values < 0) | (numbers.values > 12)
    invalid = numbers.invalid | (out_of_range & ~numbers.empty)

    def reason(value: str) -> str:
        if re.fullmatch(r"-?\d+", value.strip()):
            return "grade is outside 0–12 (K = 0)"
        return "grade must be K or a whole number from 0 to 12"

    return Converted(
        values=np.where(invalid, 0, numbers.values),
        empty=numbers.empty,
        invalid=invalid,
        reason=reason,
    )


def to_booleans(text: Text) -> Converted:
    """true/false, 1/0, yes/no in any case; empty is unknown (null)."""
    clean = pc.utf8_lower(stripped(text))
    truthy = as_numpy_mask(pc.is_in(clean, value_set=pa.array(TRUE_WORDS)))
    falsy = as_numpy_mask(pc.is_in(clean, value_set=pa.array(FALSE_WORDS)))
    empty = as_numpy_mask(pc.equal(clean, ""))

    def reason(value: str) -> str:
        return "must be true or false (also 1/0, yes/no) or empty"

    return Converted(values=truthy, empty=empty, invalid=~(truthy | falsy | empty), reason=reason)


def to_dates(text: Text) -> Converted:
    """ISO ``YYYY-MM-DD`` → datetime64[ns] (NaT where unusable); impossible dates refused."""

    def reason(value: str) -> str:
        return "is not a date (YYYY-MM-DD)"

    if as_numpy_mask(pc.match_substring_regex(text, DATE_PATTERN)).all():
        try:  # pyarrow's cast refuses impossible dates, but for the whole column at once
            days = pc.cast(text, pa.date32())
        except pa.ArrowInvalid:
            pass
        else:
            values = np.asarray(days.to_numpy(), dtype="datetime64[D]").astype("datetime64[ns]")
            nothing = np.zeros(len(values), dtype=bool)
            return Converted(values=values, empty=nothing, invalid=nothing, reason=reason)

    clean = stripped(text)
    empty = as_numpy_mask(pc.equal(pc.binary_length(clean), 0))
    shaped = pc.match_substring_regex(clean, DATE_PATTERN)
    safe = pc.if_else(shaped, clean, "1970-01-01")
    parsed = pc.strptime(safe, format="%Y-%m-%d", unit="ns", error_is_null=True)
    # strptime rolls 2026-02-30 over into March: the day it lands on must be the day written.
    written_day = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int64())
    valid = as_numpy_mask(pc.and_(shaped, pc.equal(pc.day(parsed), written_day)))
    values = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[ns]")
    values = np.where(valid, values, np.datetime64("NaT", "ns"))
    return Converted(values=values, empty=empty, invalid=~valid & ~empty, reason=reason)

"""The field types of a contract definition (SPEC §1): exact numbers within bounds, dates,
keys and text, as pydantic annotated types. Every refusal is a ``ValueError`` whose message
becomes a definition problem with its path.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import PlainSerializer, PlainValidator

SLUG = re.compile(r"[a-z0-9-]{1,64}")
KEY = re.compile(r"[a-z0-9_-]{1,64}")
CURRENCY = re.compile(r"[A-Z]{3}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# SPEC §1 bounds. Money: whole cents up to a billion. Rates: up to a million per unit.
# Thresholds (and every other exact number of a definition): at most 12 significant digits.
MAX_AMOUNT = Decimal("1000000000.00")
MAX_RATE = Decimal("1000000")
MAX_DIGITS = 12
# The 12 digits must also sit near the point: "1e999999999" has one significant digit but
# would make an exact comparison build a billion-digit integer. No real threshold, share or
# rate needs more than 12 places on either side of the point.
MAX_PLACES = 12
MAX_TEXT = 100  # a number written with more characters than this is not a contract's number


def parse_decimal(value: Any) -> Decimal:
    """A finite ``Decimal`` from a Decimal, int or numeric string (floats by their shortest
    repr, so a JSON client's ``0.1`` means 0.1, not the binary number nearest to it)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_TEXT:
            raise ValueError("too large a number")
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"too long a number ({len(value)} characters)")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {_short(value)}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {_short(value)}")
    return number


def exact_decimal(value: Any) -> Decimal:
    """A number of a definition: at most 12 significant digits, within 12 places of the
    point on either side (SPEC §1 bounds); anything else is refused, never rounded."""
    number = parse_decimal(value)
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    significant = "".join(map(str, digits)).strip("0")  # not normalize(): it can overflow
    if len(significant) > MAX_DIGITS:
        raise ValueError(f"must have at most {MAX_DIGITS} significant digits, got {_short(value)}")
    if exponent < -MAX_PLACES:
        raise ValueError(f"must have at most {MAX_PLACES} decimal places, got {_short(value)}")
    if number and len(digits) + exponent > MAX_PLACES:
        raise ValueError(
            f"too large: at most {MAX_PLACES} digits before the point, got {_short(value)}"
        )
    if exponent > 0:  # "0E+5", "1E+3": keep the value, write it plainly
        number = number.quantize(Decimal(1))
    return number


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, Decimal) else str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def whole_cents(value: Any) -> Decimal:
    """A money amount: exact, not negative, whole cents, at most 1,000,000,000.00."""
    return _bounded(value, MAX_AMOUNT, whole=True)


def rate(value: Any) -> Decimal:
    """A per-unit rate: exact, not negative, at most 1,000,000."""
    return _bounded(value, MAX_RATE, whole=False)


def _bounded(value: Any, most: Decimal, *, whole: bool) -> Decimal:
    # The range first, so that "1e30" is told it is too large rather than too long.
    number = parse_decimal(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {_short(number)}")
    if number > most:
        raise ValueError(f"must be at most {most}, got {_short(number)}")
    number = exact_decimal(number)
    if whole and number != number.quantize(Decimal("0.01")):
        raise ValueError(f"must be whole cents, got {number}")
    return number


def share(value: Any) -> Decimal:
    """A share of students: exact, between 0 and 1 inclusive."""
    number = exact_decimal(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be a share between 0 and 1, got {number}")
    return number


def iso_day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")


def slug(value: Any) -> str:
    if isinstance(value, str) and SLUG.fullmatch(value):
        return value
    raise ValueError(
        f"must be 1-64 characters of lowercase letters, digits and '-', got {_short(value)}"
    )


def key(value: Any) -> str:
    """A measure, metric, tranche or obligation key (SPEC §1): 1-64 of ``[a-z0-9_-]``."""
    if isinstance(value, str) and KEY.fullmatch(value):
        return value
    raise ValueError(
        f"must be 1-64 characters of lowercase letters, digits, '_' and '-', got {_short(value)}"
    )


def text(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError(f"must be non-empty text, got {value!r}")


def currency(value: Any) -> str:
    if isinstance(value, str) and CURRENCY.fullmatch(value):
        return value
    raise ValueError(f"must be a three-letter ISO 4217 code such as 'USD', got {value!r}")


def grade(value: Any) -> int:
    """A roster grade: an integer 0-12; ``K`` is kindergarten, grade 0."""
    if isinstance(value, str) and value.strip().upper() == "K":
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 12:
        return value
    raise ValueError(f"must be a grade 0-12 (K = 0), got {value!r}")


# Numbers serialise as plain decimal text ("0.10", never 1E-1 or a float), dates as ISO text.
AS_TEXT = PlainSerializer(lambda number: f"{number:f}", return_type=str, when_used="json")
AS_ISO = PlainSerializer(lambda day: day.isoformat(), return_type=str, when_used="json")
Number = Annotated[Decimal, PlainValidator(exact_decimal), AS_TEXT]
Rate = Annotated[Decimal, PlainValidator(rate), AS_TEXT]
Cents = Annotated[Decimal, PlainValidator(whole_cents), AS_TEXT]
Share = Annotated[Decimal, PlainValidator(share), AS_TEXT]
Day = Annotated[date, PlainValidator(iso_day), AS_ISO]
Slug = Annotated[str, PlainValidator(slug)]
Key = Annotated[str, PlainValidator(key)]
Text = Annotated[str, PlainValidator(text)]
Currency = Annotated[str, PlainValidator(currency)]
Grade = Annotated[int, PlainValidator(grade)]
Base = Literal["population", "eligible"]

"""Exact money and number formatting.

Money is ``Decimal`` with two places from end to end. Every rounding in the engine goes through
:func:`round_half_up`: ties go away from zero, the way finance staff round by hand (Python's
``round`` and ``Decimal``'s default both round ties to even, which is not what a contract means).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

Exact = Fraction | Decimal | int


def round_half_up(value: Exact, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimal places, ties away from zero, computed exactly."""
    exact = Fraction(value)
    scaled = exact * 10**places
    magnitude = abs(scaled)
    # floor(|x| + 1/2) on integers: no floating point, no context precision limits.
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    if scaled < 0:
        rounded = -rounded
    return Decimal(rounded).scaleb(-places)


def round_cents(value: Exact) -> Decimal:
    """``value`` in currency units, rounded half-up (ties away from zero) to the cent."""
    return round_half_up(value, 2)


def money_text(amount: Decimal) -> str:
    """A money amount as the JSON string of the API: two places, no grouping (``"12345.00"``)."""
    return f"{amount.quantize(CENT):f}"


def money_display(amount: Decimal, currency: str) -> str:
    """A money amount for people: ``$12,345.00`` in USD, ``12,345.00 EUR`` otherwise."""
    text = f"{abs(amount.quantize(CENT)):,.2f}"
    sign = "-" if amount < 0 else ""
    if currency == "USD":
        return f"{sign}${text}"
    return f"{sign}{text} {currency}"


def six_places(value: Exact) -> str:
    """A metric value as the API shows it: rounded half-up to 6 places (``"0.666667"``)."""
    return f"{round_half_up(value, 6):f}"


def plain_number(value: Exact, max_places: int = 6) -> str:
    """A number for explanations: exact when it terminates within ``max_places``, else rounded
    half-up to ``max_places``; trailing zeros dropped (``900``, ``0.75``, ``6.5``)."""
    rounded = round_half_up(value, max_places)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: Exact, min_places: int = 2, max_places: int = 4) -> str:
    """A share as a percentage for explanations: ``0.7`` → ``70.00%``, ``0.666667`` →
    ``66.6667%``; at least ``min_places`` places, rounded half-up at ``max_places``."""
    hundred_times = Fraction(value) * 100
    rounded = round_half_up(hundred_times, max_places)
    text = f"{rounded:f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(min_places, "0")
    return f"{whole}.{decimals}%" if decimals else f"{whole}%"

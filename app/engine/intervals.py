"""95 % confidence intervals of metrics (SPEC §1): they inform readers, never money.

Computed from exact fractions; the square root is taken in 40-digit decimal arithmetic and
the bounds rounded half-up to 6 places, far beyond what 6 places can show.
"""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction

from app.engine.money import round_half_up

Z = Fraction(196, 100)
PRECISION = Context(prec=40)
Interval = tuple[Decimal, Decimal]


def _sqrt(value: Fraction) -> Fraction:
    root = PRECISION.sqrt(PRECISION.divide(Decimal(value.numerator), Decimal(value.denominator)))
    return Fraction(root)


def _bounds(low: Fraction, high: Fraction) -> Interval:
    return round_half_up(low, 6), round_half_up(high, 6)


def wilson(hits: int, n: int) -> Interval | None:
    """The Wilson score interval of ``hits`` of ``n`` (z = 1.96); None when n = 0."""
    if n <= 0:
        return None
    share = Fraction(hits, n)
    z2 = Z * Z
    scale = 1 + z2 / n
    center = (share + z2 / (2 * n)) / scale
    half = Z / scale * _sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return _bounds(center - half, center + half)


def normal(total: Fraction, squares: Fraction, n: int) -> Interval | None:
    """mean ± 1.96·s/√n from the sum and the sum of squares of ``n`` values, with ``s`` the
    sample standard deviation; None when n < 2."""
    if n < 2:
        return None
    mean = total / n
    variance = (squares - total * total / n) / (n - 1)
    half = Z * _sqrt(max(variance, Fraction(0)) / n)
    return _bounds(mean - half, mean + half)

"""The few value conversions an export needs before the §2 checks see it.

Each returns the Tranche text, or ``None`` when the cell is unusable (the mapper then reports
it in the user's terms). Nothing here rounds: a percentage is divided by 100 exactly.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp][Mm]))?$")
_SLUG = re.compile(r"[^a-z0-9]+")

TRUE_WORDS = frozenset({"true", "t", "y", "yes", "1"})
FALSE_WORDS = frozenset({"false", "f", "n", "no", "0"})

US_DATE_HELP = "is not a date (M/D/YYYY or YYYY-MM-DD, with a four-digit year)"


def export_date(text: str) -> str | None:
    """``M/D/YYYY`` (US exports; month first, as every platform here documents) or ISO
    ``YYYY-MM-DD`` → ISO. Two-digit years are refused: a spreadsheet re-saved the file."""
    moment = export_datetime(text)
    return None if moment is None else moment.date().isoformat()


def export_datetime(text: str) -> datetime | None:
    """A date with an optional time (``9/10/2026 1:05 PM``, ``2026-09-10T13:05:00``)."""
    value = text.strip()
    if not value:
        return None
    day_text, _, time_text = value.replace("T", " ", 1).partition(" ")
    day = _date(day_text)
    if day is None:
        return None
    hour = minute = second = 0
    if time_text.strip():
        match = _TIME.match(time_text.strip())
        if match is None:
            return None
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3] or 0)
        if match[4]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if match[4].lower() == "pm" else 0)
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        return None


def _date(text: str) -> date | None:
    us = _US_DATE.match(text)
    iso = _ISO_DATE.match(text)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        return None
    return None


def percent_as_share(text: str) -> str | None:
    """``"12.5"`` (per cent, 0–100) → ``"0.125"``, exactly; empty stays empty."""
    value = text.strip()
    if not value:
        return ""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or not 0 <= number <= 100:
        return None
    return format(number.scaleb(-2).normalize(), "f")


def slug(text: str, separator: str = "_") -> str:
    """``Language Usage`` → ``language_usage``; ``Fall 2026`` → ``fall-2026`` with ``-``."""
    return _SLUG.sub(separator, text.strip().lower()).strip(separator)


def flag(text: str) -> bool | None:
    """true/false, t/f, y/n, yes/no, 1/0 in any case; ``None`` when it is none of them."""
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None

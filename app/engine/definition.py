"""The contract definition schema of SPEC §1, as pydantic models.

These models check types and shapes only. Rules that relate fields to each other (a due date
inside the term, a metric naming a known measure, ...) live in :mod:`app.engine.checks`, and
:func:`app.engine.loading.load_definition` is the one way in: it returns a :class:`Definition`
only when every rule holds.

Numbers that carry meaning (amounts, rates, thresholds, shares) are ``Decimal`` and never pass
through ``float``; dates are ``YYYY-MM-DD`` strings or ``date`` objects.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, StrictBool

SLUG = re.compile(r"[a-z0-9-]+")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
CURRENCY = re.compile(r"[A-Z]{3}")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def exact_decimal(value: Any) -> Decimal:
    """A finite ``Decimal`` from a Decimal, int or numeric string (floats by their shortest
    repr, so a JSON client's ``0.1`` means 0.1, not the binary number nearest to it)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got true/false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def whole_cents(value: Any) -> Decimal:
    """A money amount: exact, not negative, whole cents."""
    number = exact_decimal(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {number}")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"must be whole cents, got {number}")
    return number


def non_negative(value: Any) -> Decimal:
    number = exact_decimal(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {number}")
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
    raise ValueError(f"must be a slug of lowercase letters, digits and '-', got {value!r}")


def name(value: Any) -> str:
    if isinstance(value, str) and NAME.fullmatch(value):
        return value
    raise ValueError(f"must be a name of letters, digits, '_' and '-', got {value!r}")


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
NonNegative = Annotated[Decimal, PlainValidator(non_negative), AS_TEXT]
Cents = Annotated[Decimal, PlainValidator(whole_cents), AS_TEXT]
Share = Annotated[Decimal, PlainValidator(share), AS_TEXT]
Day = Annotated[date, PlainValidator(iso_day), AS_ISO]
Slug = Annotated[str, PlainValidator(slug)]
Name = Annotated[str, PlainValidator(name)]
Text = Annotated[str, PlainValidator(text)]
Currency = Annotated[str, PlainValidator(currency)]
Grade = Annotated[int, PlainValidator(grade)]
Base = Literal["population", "eligible"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Term(Model):
    start: Day
    end: Day


class Population(Model):
    grades: list[Grade] | None = None
    schools: list[Text] | None = None


class UsageMeasure(Model):
    """Sum of the usage ``minutes`` or ``sessions`` dated within ``[from, to]``."""

    usage: Literal["minutes", "sessions"]
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None


class AssessmentMeasure(Model):
    """A score, a growth between two windows, or whether that growth met its target."""

    assessment: Text
    value: Literal["growth", "met_target", "score"]
    window: Text | None = None
    from_window: Text | None = None
    to_window: Text | None = None
    target: Number | None = None

    @property
    def is_flag(self) -> bool:
        return self.value == "met_target"


Measure = UsageMeasure | AssessmentMeasure


class Condition(Model):
    measure: Name
    at_least: Number | None = None
    at_most: Number | None = None
    is_: StrictBool | None = Field(default=None, alias="is")


class ShareOf(Model):
    share_of: Base
    where: list[Condition]
    min_coverage: Share | None = None


class CountOf(Model):
    count_of: Base
    where: list[Condition]


class MeanOf(Model):
    mean_of: Name
    over: Base
    min_coverage: Share | None = None


class MedianOf(Model):
    median_of: Name
    over: Base
    min_coverage: Share | None = None


Metric = ShareOf | CountOf | MeanOf | MedianOf


class FixedTranche(Model):
    key: Slug
    type: Literal["fixed"]
    due: Day
    amount: Cents


class ThresholdTranche(Model):
    key: Slug
    type: Literal["threshold"]
    due: Day
    metric: Name
    amount: Cents
    at_least: Number | None = None
    at_most: Number | None = None


class Tier(Model):
    at_least: Number
    pay: Cents


class TieredTranche(Model):
    key: Slug
    type: Literal["tiered"]
    due: Day
    metric: Name
    tiers: list[Tier]


class LinearTranche(Model):
    key: Slug
    type: Literal["linear"]
    due: Day
    metric: Name
    floor: Number
    target: Number
    amount: Cents


class PerUnitTranche(Model):
    key: Slug
    type: Literal["per_unit"]
    due: Day
    metric: Name
    rate: NonNegative
    cap: Cents | None = None


Tranche = FixedTranche | ThresholdTranche | TieredTranche | LinearTranche | PerUnitTranche
MetricTranche = ThresholdTranche | TieredTranche | LinearTranche | PerUnitTranche

TRANCHE_MODELS: dict[str, type[Model]] = {
    "fixed": FixedTranche,
    "threshold": ThresholdTranche,
    "tiered": TieredTranche,
    "linear": LinearTranche,
    "per_unit": PerUnitTranche,
}
METRIC_MODELS: dict[str, type[Model]] = {
    "share_of": ShareOf,
    "count_of": CountOf,
    "mean_of": MeanOf,
    "median_of": MedianOf,
}


class Header(Model):
    """The scalar part of a definition; sections are validated item by item."""

    key: Slug
    title: Text
    district: Slug
    vendor: Slug
    currency: Currency
    term: Term
    max_total: Cents | None = None
    holdback: Share | None = None
    population: Population = Population()
    auditors: list[Slug] = []


class Definition(Header):
    """A complete, checked contract definition (build it with ``load_definition``)."""

    measures: dict[str, Measure] = {}
    eligibility: list[Condition] = []
    metrics: dict[str, Metric] = {}
    tranches: list[Tranche]

    def to_document(self) -> dict[str, Any]:
        """The definition as a JSON-ready mapping: numbers as strings, dates as ISO text."""
        document: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return document

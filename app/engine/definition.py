"""The contract definition schema of SPEC §1, as pydantic models.

These models check types and shapes only. Rules that relate fields to each other (a due date
inside the term, a metric naming a known measure, ...) live in :mod:`app.engine.checks`, and
:func:`app.engine.loading.load_definition` is the one way in: it returns a :class:`Definition`
only when every rule holds. Field types and their bounds are in :mod:`app.engine.fields`.

Numbers that carry meaning (amounts, rates, thresholds, shares) are ``Decimal`` and never pass
through ``float``; dates are ``YYYY-MM-DD`` strings or ``date`` objects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
)

from app.engine.fields import (
    Base,
    Cents,
    Currency,
    Day,
    Grade,
    Key,
    Number,
    Rate,
    Share,
    Slug,
    Text,
    slug,
)

IfIndeterminate = Literal["review", "full", "zero"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Term(Model):
    start: Day
    end: Day


class Population(Model):
    grades: list[Grade] | None = None
    schools: list[Text] | None = None


class UsageMeasure(Model):
    """Sum of a usage column dated within ``[from, to]``."""

    usage: Literal["minutes", "sessions", "lessons"]
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None


class ScheduleMeasure(Model):
    """Sum of what the district's schedule offered (``sessions_offered``/``minutes_offered``)
    dated within ``[from, to]``."""

    schedule: Literal["sessions", "minutes"]
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None


AssessmentValue = Literal[
    "growth", "met_target", "score", "percent_of_typical", "growth_percentile"
]


class AssessmentMeasure(Model):
    """A score, or a value of two windows' rows (growth, met_target, percent_of_typical,
    growth_percentile)."""

    assessment: Text
    value: AssessmentValue
    window: Text | None = None
    from_window: Text | None = None
    to_window: Text | None = None
    target: Number | None = None

    @property
    def is_flag(self) -> bool:
        return self.value == "met_target"


Measure = UsageMeasure | ScheduleMeasure | AssessmentMeasure
SummedMeasure = UsageMeasure | ScheduleMeasure


class Window(Model):
    from_: Day = Field(alias="from")
    to: Day


class AssessmentRules(Model):
    """Which assessment rows count (SPEC §1, Assessment validity)."""

    windows: dict[str, Window] = {}
    max_rapid_guessing: Share | None = None


class Condition(Model):
    measure: Key
    at_least: Number | None = None
    at_most: Number | None = None
    is_: StrictBool | None = Field(default=None, alias="is")


class Accountability(Model):
    """The district's side per student: who was not served as agreed is excused."""

    served: list[Condition] = []
    excused: Literal["exclude", "pay_full"] = "exclude"


class Obligation(Model):
    """A deliverable of the district for the whole contract, covering some tranches."""

    key: Key
    text: Text
    due: Day
    covers: list[Key] = []


class ShareOf(Model):
    share_of: Base
    where: list[Condition]
    min_coverage: Share | None = None
    min_count: int | None = Field(default=None, ge=1, strict=True)


class CountOf(Model):
    count_of: Base
    where: list[Condition]
    min_count: int | None = Field(default=None, ge=1, strict=True)


class MeanOf(Model):
    mean_of: Key
    over: Base
    min_coverage: Share | None = None
    min_count: int | None = Field(default=None, ge=1, strict=True)


class MedianOf(Model):
    median_of: Key
    over: Base
    min_coverage: Share | None = None
    min_count: int | None = Field(default=None, ge=1, strict=True)


Metric = ShareOf | CountOf | MeanOf | MedianOf


class FixedTranche(Model):
    key: Key
    type: Literal["fixed"]
    due: Day
    amount: Cents


class ThresholdTranche(Model):
    key: Key
    type: Literal["threshold"]
    due: Day
    metric: Key
    amount: Cents
    at_least: Number | None = None
    at_most: Number | None = None
    if_indeterminate: IfIndeterminate = "review"


class Tier(Model):
    at_least: Number
    pay: Cents


class TieredTranche(Model):
    key: Key
    type: Literal["tiered"]
    due: Day
    metric: Key
    tiers: list[Tier]
    if_indeterminate: IfIndeterminate = "review"


class LinearTranche(Model):
    key: Key
    type: Literal["linear"]
    due: Day
    metric: Key
    floor: Number
    target: Number
    amount: Cents
    if_indeterminate: IfIndeterminate = "review"


class PerUnitTranche(Model):
    key: Key
    type: Literal["per_unit"]
    due: Day
    metric: Key
    rate: Rate
    cap: Cents | None = None
    if_indeterminate: IfIndeterminate = "review"


class RateCardTranche(Model):
    """Pays each student of ``over`` by the highest level their ``measure`` reaches."""

    key: Key
    type: Literal["rate_card"]
    due: Day
    measure: Key
    over: Base
    levels: list[Tier]
    cap: Cents | None = None
    min_coverage: Share | None = None
    min_count: int | None = Field(default=None, ge=1, strict=True)
    if_indeterminate: IfIndeterminate = "review"


class PenaltyTranche(Model):
    """A deduction: ``−min(rate × metric, cap)``; never held back, outside max_total."""

    key: Key
    type: Literal["penalty"]
    due: Day
    metric: Key
    rate: Rate
    cap: Cents
    if_indeterminate: IfIndeterminate = "review"


Tranche = (
    FixedTranche
    | ThresholdTranche
    | TieredTranche
    | LinearTranche
    | PerUnitTranche
    | RateCardTranche
    | PenaltyTranche
)
MetricTranche = ThresholdTranche | TieredTranche | LinearTranche | PerUnitTranche | PenaltyTranche

TRANCHE_MODELS: dict[str, type[Model]] = {
    "fixed": FixedTranche,
    "threshold": ThresholdTranche,
    "tiered": TieredTranche,
    "linear": LinearTranche,
    "per_unit": PerUnitTranche,
    "rate_card": RateCardTranche,
    "penalty": PenaltyTranche,
}
METRIC_MODELS: dict[str, type[Model]] = {
    "share_of": ShareOf,
    "count_of": CountOf,
    "mean_of": MeanOf,
    "median_of": MedianOf,
}


def full_amount(tranche: Tranche) -> Decimal | None:
    """What a tranche pays "in full" (SPEC §1): threshold and linear their ``amount``, tiered
    its highest ``pay``, per_unit and rate_card their ``cap`` (None without one), penalty 0
    (no deduction), fixed its amount."""
    if isinstance(tranche, FixedTranche | ThresholdTranche | LinearTranche):
        return tranche.amount
    if isinstance(tranche, TieredTranche):
        return max((tier.pay for tier in tranche.tiers), default=Decimal("0.00"))
    if isinstance(tranche, PenaltyTranche):
        return Decimal("0.00")
    return tranche.cap


class AuditorAccess(Model):
    """An auditor granted read access; ``raw: true`` also lets it read the raw rows (roster
    flags, assessment scores) that auditors otherwise never see (SPEC §3)."""

    org: Slug
    raw: StrictBool = False


def auditor_entry(value: Any) -> str | AuditorAccess:
    """An `auditors:` item: an organisation key, or ``{org: key, raw: true|false}``. Checked
    by hand so that a bad item is one problem at its own path, not one per alternative."""
    if isinstance(value, AuditorAccess):
        return value
    if not isinstance(value, dict):
        return slug(value)
    unknown = sorted(str(name) for name in set(value) - {"org", "raw"})
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}: an auditor has org and raw")
    if "org" not in value:
        raise ValueError("an auditor needs org: the auditor organisation's key")
    raw = value.get("raw", False)
    if not isinstance(raw, bool):
        raise ValueError(f"raw must be true or false, got {str(raw)[:40]!r}")
    return AuditorAccess(org=slug(value["org"]), raw=raw)


AuditorEntry = Annotated[
    str | AuditorAccess,
    PlainValidator(auditor_entry),
    PlainSerializer(lambda v: v if isinstance(v, str) else v.model_dump()),
]


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
    auditors: list[AuditorEntry] = []  # a plain key is {org: key, raw: false}
    assessment_rules: AssessmentRules = AssessmentRules()
    accountability: Accountability | None = None

    @property
    def auditor_keys(self) -> list[str]:
        return [a if isinstance(a, str) else a.org for a in self.auditors]

    @property
    def raw_auditor_keys(self) -> list[str]:
        return [a.org for a in self.auditors if isinstance(a, AuditorAccess) and a.raw]


class Definition(Header):
    """A complete, checked contract definition (build it with ``load_definition``)."""

    measures: dict[str, Measure] = {}
    eligibility: list[Condition] = []
    obligations: list[Obligation] = []
    metrics: dict[str, Metric] = {}
    tranches: list[Tranche]

    def to_document(self) -> dict[str, Any]:
        """The definition as a JSON-ready mapping: numbers as strings, dates as ISO text.
        v2 sections left at their defaults are left out, so a v1 document reads back as it
        was written."""
        document: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if not self.obligations:
            del document["obligations"]
        if self.assessment_rules == AssessmentRules():
            del document["assessment_rules"]
        for tranche in document["tranches"]:
            if tranche.get("if_indeterminate") == "review":
                del tranche["if_indeterminate"]
        return document

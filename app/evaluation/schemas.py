"""The evaluation document of SPEC §1, described for the OpenAPI schema.

The route returns the engine's own JSON (`EvaluationResult.to_json()`); these models only
validate and document it, so HTTP and `tranche evaluate` cannot drift apart.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class MetricOut(BaseModel):
    value: str | None = Field(
        description="Exact value rounded half-up to 6 places; null if insufficient."
    )
    numerator: int | None
    denominator: int | None
    coverage: str | None
    insufficient: bool
    interval: list[str] | None = Field(
        description="95 % interval [low, high], 6 places: Wilson for share_of, normal for"
        " mean_of; null for count_of, median_of and insufficient metrics."
    )


class TrancheLineOut(BaseModel):
    key: str
    type: str
    status: str = Field(
        description="pending, indeterminate, deducted, earned or not_earned (first match)."
    )
    metric: str | None
    measure: str | None = Field(default=None, description="The measure of a rate_card line.")
    due: str
    earned: str
    held: str
    payable: str
    explanation: str


class TotalsOut(BaseModel):
    earned: str
    held: str
    payable: str
    projected: str


class PopulationOut(BaseModel):
    students: int
    excused: int
    eligible: int


class IgnoredRowsOut(BaseModel):
    outside_window: int
    rapid_guessing: int


class EvaluationOut(BaseModel):
    contract: str
    version: int
    as_of: str
    currency: str
    population: PopulationOut
    ignored_rows: IgnoredRowsOut
    obligations: dict[str, str] = Field(
        description="Each obligation's status: met, missed, disputed or unknown."
    )
    metrics: dict[str, MetricOut]
    tranches: list[TrancheLineOut]
    totals: TotalsOut

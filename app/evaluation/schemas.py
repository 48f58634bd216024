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


class TrancheLineOut(BaseModel):
    key: str
    type: str
    status: str = Field(description="pending, indeterminate, earned or not_earned.")
    metric: str | None
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


class EvaluationOut(BaseModel):
    contract: str
    version: int
    as_of: str
    currency: str
    metrics: dict[str, MetricOut]
    tranches: list[TrancheLineOut]
    totals: TotalsOut

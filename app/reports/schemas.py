"""The contract report as data: the JSON format, and the model every other renderer draws from.

Money is a two-place decimal string, shares and means six-place decimal strings (SPEC §1),
counts are integers. A value that cannot be computed (no students, suppressed) is null.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.audit.schemas import SignedHead


class ReportMeta(BaseModel):
    generated_at: datetime
    as_of: date = Field(description="The date the evaluation is computed at.")
    requested_by: str = Field(description="The organisation that asked for the report.")
    audience: str = Field(description="district, vendor or auditor: decides suppression.")
    ledger_note: str


class VersionRow(BaseModel):
    version: int
    status: str
    title: str
    proposed_at: datetime
    accepted_at: datetime | None


class ContractSection(BaseModel):
    key: str
    title: str
    district: str
    vendor: str
    currency: str
    status: str
    term_start: date
    term_end: date
    version_evaluated: int = Field(description="The version whose terms the report applies.")
    version_in_force: int | None
    auditors: list[str]
    terms: dict[str, Any] = Field(description="The evaluated version's definition (SPEC §1).")
    versions: list[VersionRow]


class BatchRow(BaseModel):
    id: str
    feed: str
    status: str
    rows: int
    sha256: str
    posted_by: str
    posted_at: datetime
    replaces: str | None
    used: bool = Field(description="Read by this report's evaluation.")


class MissingScores(BaseModel):
    measure: str
    assessment: str
    windows: list[str]
    missing: int = Field(description="Population students without the value (null).")
    of: int


class CoverageSection(BaseModel):
    batches: list[BatchRow]
    rows_by_feed: dict[str, int] = Field(description="Rows of the batches used, per feed.")
    roster_students: int
    population: int = Field(description="Roster students the contract covers.")
    students_with_usage: int
    missing_scores: list[MissingScores]


class DosageBin(BaseModel):
    label: str
    at_least: str
    below: str | None
    students: int


class FidelitySection(BaseModel):
    dosage_measure: str | None
    gate: list[str] = Field(description="The eligibility conditions, in words.")
    population: int
    eligible: int
    share_eligible: str | None = Field(description="eligible ÷ population, 6 places.")
    distribution: list[DosageBin]


class ObligationRecordRow(BaseModel):
    party: str = Field(description="district or vendor.")
    status: str = Field(description="met or missed, as that party recorded it.")
    note: str
    recorded_at: datetime
    recorded_by: str


class ObligationRow(BaseModel):
    key: str
    text: str
    due: date
    covers: list[str]
    status: str = Field(description="met, missed, disputed or unknown (SPEC §1).")
    records: list[ObligationRecordRow] = Field(description="Every record of it, oldest first.")


class AccountabilitySection(BaseModel):
    """The district's side: excused students, ignored rows, obligations, penalties."""

    served: list[str] = Field(description="What serving a student means, in words.")
    excused_policy: str | None = Field(description="exclude or pay_full; null: no rule.")
    students: int | None = Field(description="Students of the population.")
    excused: int | None = Field(description="Of them, not served as agreed.")
    eligible: int | None
    ignored_rows: dict[str, int] = Field(
        description="Assessment rows ignored by the validity rules, by reason."
    )
    obligations: list[ObligationRow]
    deducted: str = Field(description="What due penalty lines deduct (≤ 0).")


class MetricRow(BaseModel):
    name: str
    kind: str
    value: str | None
    numerator: int | None
    denominator: int | None
    coverage: str | None
    insufficient: bool


class TrancheRow(BaseModel):
    key: str
    type: str
    status: str
    metric: str | None
    due: date
    earned: str
    held: str
    payable: str
    explanation: str


class Totals(BaseModel):
    earned: str
    held: str
    payable: str
    projected: str


class StatementRow(BaseModel):
    id: str
    as_of: date
    version: int
    status: str
    total_due: str
    approved_at: datetime | None
    paid: str


class PaymentRow(BaseModel):
    statement: str | None  # null: paid against the contract, not one statement
    paid_on: date
    amount: str
    reference: str


class DisputeRow(BaseModel):
    id: str
    statement: str
    tranche: str
    reason: str
    opened_at: datetime
    open: bool
    resolution_note: str | None


class BalanceRow(BaseModel):
    earned: str
    approved: str
    paid: str
    outstanding: str
    held: str
    disputed: str


class LedgerSection(BaseModel):
    statements: list[StatementRow]
    payments: list[PaymentRow]
    disputes: list[DisputeRow]
    balance: BalanceRow


class CostEffectiveness(BaseModel):
    total_paid: str
    students_served: int
    served_means: str
    paid_per_student_served: str | None
    growth_measure: str | None
    students_meeting_target: int | None
    meeting_target_means: str
    paid_per_student_meeting_target: str | None


class GroupMetric(BaseModel):
    numerator: int | None
    denominator: int | None
    value: str | None


class BreakdownRow(BaseModel):
    dimension: str = Field(description="school, grade, ell, sped or econ_disadv.")
    group: str
    suppressed: bool
    suppression_reason: str | None = Field(
        default=None, description="Why no figures are shown: too small, or to protect another."
    )
    students: int | None
    eligible: int | None
    metrics: dict[str, GroupMetric] | None


class BreakdownSection(BaseModel):
    threshold: int = Field(description="Groups smaller than this are suppressed.")
    suppression_applies: bool = Field(description="False for the district, true otherwise.")
    note: str
    rows: list[BreakdownRow]


class MoneyPoint(BaseModel):
    on: date
    amount: str


class HistogramBin(BaseModel):
    low: str = Field(description="Inclusive lower edge.")
    high: str = Field(description="Exclusive upper edge.")
    students: int


class ChartData(BaseModel):
    """What the HTML and PDF charts draw. Values are sorted, so no order ties them to students;
    per-student values and points go to the district only (SPEC §3), everyone gets the bins."""

    per_student_points: bool = Field(
        description="True for the district: `growth_values` and `dosage_growth_points` are "
        "filled; empty for vendors and auditors."
    )
    growth_measure: str | None
    growth_target: str | None = Field(description="A target common to all students, if any.")
    growth_values: list[str]
    growth_histogram: list[HistogramBin]
    dosage_measure: str | None
    dosage_gate: str | None
    dosage_growth_points: list[tuple[str, str]]
    paid: list[MoneyPoint]
    approved: list[MoneyPoint]


class EvaluationProvenance(BaseModel):
    fingerprint: str
    engine_version: str


class AuditAnchor(BaseModel):
    """Where the audit chain stood when the report was made, and its newest signed head."""

    head_entry_id: int | None
    head_hash: str
    checkpoint: SignedHead | None = Field(
        description="The newest signed checkpoint; null when the service has no signing key."
    )


class ContractReport(BaseModel):
    report: ReportMeta
    contract: ContractSection
    coverage: CoverageSection
    fidelity: FidelitySection
    accountability: AccountabilitySection
    outcomes: list[MetricRow]
    tranches: list[TrancheRow]
    totals: Totals
    ledger: LedgerSection
    cost_effectiveness: CostEffectiveness
    breakdowns: BreakdownSection
    charts: ChartData
    evaluation: EvaluationProvenance
    audit: AuditAnchor

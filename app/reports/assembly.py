"""Assembling the contract report: one function builds the model every renderer draws from.

It reads, never writes: the evaluation through `app.evaluation`, batches through
`app.ingestion`, money through `app.statements`. What it adds is counting over the engine's
per-student detail (coverage, dosage bands, groups) — never a second copy of the arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from app.audit import repository as audit_log
from app.audit.checkpoints import latest_checkpoint
from app.audit.schemas import signed_head
from app.clock import as_utc, utcnow
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.engine.definition import AssessmentMeasure, Definition, MeanOf, MedianOf
from app.engine.money import plain_number, six_places
from app.engine.result import line_json, metric_json
from app.evaluation.service import StoredEvaluation, evaluate_stored_contract
from app.ingestion import repository as ingestion
from app.organisations.models import OrganisationKind
from app.principal import Principal
from app.reports import population
from app.reports.accountability import accountability_section
from app.reports.breakdowns import breakdown_rows
from app.reports.cost import cost_effectiveness
from app.reports.ledger import ledger_section
from app.reports.schemas import (
    AuditAnchor,
    BatchRow,
    BreakdownSection,
    ChartData,
    ContractReport,
    ContractSection,
    CoverageSection,
    EvaluationProvenance,
    FidelitySection,
    HistogramBin,
    MetricRow,
    MoneyPoint,
    PaymentRow,
    ReportMeta,
    Totals,
    TrancheRow,
    VersionRow,
)

LEDGER_NOTE = (
    "Statements, payments, disputes and the balance are shown as recorded when this report "
    "was generated; the evaluation above them is computed as of {as_of}."
)


@dataclass(frozen=True)
class Audience:
    """Who the report is for: districts see every group; others see small groups suppressed."""

    organisation_key: str
    kind: OrganisationKind
    threshold: int

    @classmethod
    def of(cls, principal: Principal, threshold: int) -> Audience:
        return cls(principal.organisation_key, principal.kind, threshold)

    @property
    def suppress_below(self) -> int | None:
        return None if self.kind == OrganisationKind.district else self.threshold


def assemble_report(
    session: Session, *, contract: Contract, as_of: date, audience: Audience
) -> ContractReport:
    """The whole report for `contract` at `as_of`. Access is the caller's business."""
    stored = evaluate_stored_contract(session, contract=contract, as_of=as_of)
    version = next(v for v in contract.versions if v.version == stored.version)
    definition = stored_definition(version.definition_json)
    ledger, approved_points = ledger_section(session, contract)
    result = stored.result
    return ContractReport(
        report=ReportMeta(
            generated_at=utcnow(),
            as_of=as_of,
            requested_by=audience.organisation_key,
            audience=audience.kind.value,
            ledger_note=LEDGER_NOTE.format(as_of=as_of.isoformat()),
        ),
        contract=_contract_section(
            contract, stored, json.loads(version.definition_json), definition.auditor_keys
        ),
        coverage=_coverage(session, contract, stored, definition),
        fidelity=_fidelity(definition, stored),
        accountability=accountability_section(session, contract, definition, stored),
        outcomes=[
            MetricRow(name=name, kind=metric.kind, **metric_json(metric))
            for name, metric in result.metrics.items()
        ],
        tranches=[TrancheRow(**line_json(line)) for line in result.tranches],
        totals=Totals(**result.to_json()["totals"]),
        ledger=ledger,
        cost_effectiveness=cost_effectiveness(
            definition, result, total_paid=Decimal(ledger.balance.paid)
        ),
        breakdowns=_breakdowns(definition, stored, audience),
        charts=_charts(definition, stored, ledger.payments, approved_points, audience),
        evaluation=EvaluationProvenance(
            fingerprint=stored.fingerprint, engine_version=result.engine_version
        ),
        audit=_audit_anchor(session),
    )


def _audit_anchor(session: Session) -> AuditAnchor:
    head = audit_log.chain_head(session)
    return AuditAnchor(
        head_entry_id=head.last_entry_id,
        head_hash=head.last_hash,
        checkpoint=signed_head(latest_checkpoint(session)),
    )


def _contract_section(
    contract: Contract, stored: StoredEvaluation, terms: dict[str, object], auditors: list[str]
) -> ContractSection:
    in_force = contract.version_in_force
    term = terms["term"]
    assert isinstance(term, dict)
    return ContractSection(
        key=contract.key,
        title=str(terms["title"]),
        district=contract.district.key,
        vendor=contract.vendor.key,
        currency=str(terms["currency"]),
        status=contract.status,
        term_start=date.fromisoformat(term["start"]),
        term_end=date.fromisoformat(term["end"]),
        version_evaluated=stored.version,
        version_in_force=in_force.version if in_force else None,
        auditors=auditors,
        terms=terms,
        versions=[
            VersionRow(
                version=v.version,
                status=v.status.value,
                title=v.title,
                proposed_at=as_utc(v.proposed_at),
                accepted_at=as_utc(v.accepted_at) if v.accepted_at else None,
            )
            for v in contract.versions
        ],
    )


def _coverage(
    session: Session, contract: Contract, stored: StoredEvaluation, definition: Definition
) -> CoverageSection:
    used_ids = {ref.id for ref in stored.batches}
    batches = ingestion.batches_of(session, contract)
    rows_by_feed = {"roster": 0, "assessments": 0, "usage": 0}
    for ref in stored.batches:
        rows_by_feed[ref.feed] += ref.rows
    roster_batches = [b.id for b in batches if b.public_id in used_ids and b.feed == "roster"]
    result = stored.result
    return CoverageSection(
        batches=[
            BatchRow(
                id=b.public_id,
                feed=b.feed,
                status=b.status.value,
                rows=b.rows,
                sha256=b.sha256,
                posted_by=b.organisation.key,
                posted_at=as_utc(b.posted_at),
                replaces=b.replaces.public_id if b.replaces else None,
                used=b.public_id in used_ids,
            )
            for b in batches
        ],
        rows_by_feed=rows_by_feed,
        roster_students=len(ingestion.roster_student_ids(session, roster_batches)),
        population=len(result.detail.eligible),
        students_with_usage=int(population.students_with_usage(definition, result).sum()),
        missing_scores=population.missing_scores(definition, result),
    )


def _fidelity(definition: Definition, stored: StoredEvaluation) -> FidelitySection:
    result = stored.result
    size, eligible = len(result.detail.eligible), int(result.detail.eligible.sum())
    found = population.dosage(definition, result)
    return FidelitySection(
        dosage_measure=found.measure if found else None,
        gate=[population.describe_condition(c) for c in definition.eligibility],
        population=size,
        eligible=eligible,
        share_eligible=six_places(Fraction(eligible, size)) if size else None,
        distribution=population.dosage_distribution(found),
    )


def _breakdowns(
    definition: Definition, stored: StoredEvaluation, audience: Audience
) -> BreakdownSection:
    averaged = {
        name: metric.mean_of if isinstance(metric, MeanOf) else metric.median_of
        for name, metric in definition.metrics.items()
        if isinstance(metric, MeanOf | MedianOf)
    }
    rows = breakdown_rows(stored.result, dict(averaged), suppress_below=audience.suppress_below)
    hidden = sum(row.suppressed for row in rows)
    if audience.suppress_below is None:
        note = (
            f"Every group is shown: this report is for the district. Vendors and auditors see "
            f"groups of fewer than {audience.threshold} students suppressed."
        )
    else:
        note = (
            f"Groups of fewer than {audience.threshold} students are suppressed (no figures "
            "shown) to protect the students in them; further groups are suppressed until the "
            "hidden groups of a dimension are at least two and hold at least "
            f"{audience.threshold} students together, so that none can be worked out from the "
            f"totals. {hidden} group(s) suppressed in this report."
        )
    return BreakdownSection(
        threshold=audience.threshold,
        suppression_applies=audience.suppress_below is not None,
        note=note,
        rows=rows,
    )


def _charts(
    definition: Definition,
    stored: StoredEvaluation,
    payments: list[PaymentRow],
    approved: list[MoneyPoint],
    audience: Audience,
) -> ChartData:
    result = stored.result
    growth_name = population.assessment_measure(definition, "growth")
    found = population.dosage(definition, result)
    per_student = audience.suppress_below is None
    growth_values: list[str] = []
    histogram: list[HistogramBin] = []
    points: list[tuple[str, str]] = []
    if growth_name is not None:
        growth = result.detail.measures[growth_name]
        exact = sorted(population.exact_values(growth))
        histogram = [
            HistogramBin(low=plain_number(low), high=plain_number(high), students=count)
            for low, high, count in population.histogram(exact)
        ]
        if per_student:
            growth_values = [plain_number(v) for v in exact]
        if found is not None and per_student:
            both = growth.present & found.values.present
            xs = population.exact_values(found.values, both)
            ys = population.exact_values(growth, both)
            points = [
                (plain_number(x), plain_number(y)) for x, y in sorted(zip(xs, ys, strict=True))
            ]
    return ChartData(
        per_student_points=per_student,
        growth_measure=growth_name,
        growth_target=_common_target(definition, growth_name),
        growth_values=growth_values,
        growth_histogram=histogram,
        dosage_measure=found.measure if found else None,
        dosage_gate=plain_number(found.gate) if found and found.gate is not None else None,
        dosage_growth_points=points,
        paid=[MoneyPoint(on=p.paid_on, amount=p.amount) for p in payments],
        approved=approved,
    )


def _common_target(definition: Definition, growth_name: str | None) -> str | None:
    """A target written into the contract for the same assessment and windows, if any."""
    if growth_name is None:
        return None
    growth = definition.measures[growth_name]
    assert isinstance(growth, AssessmentMeasure)
    for measure in definition.measures.values():
        if (
            isinstance(measure, AssessmentMeasure)
            and measure.value == "met_target"
            and measure.target is not None
            and (measure.assessment, measure.from_window, measure.to_window)
            == (growth.assessment, growth.from_window, growth.to_window)
        ):
            return plain_number(measure.target)
    return None

"""The report's accountability section (SPEC §1 "Accountability and obligations"): the
district's side of the contract, as the evaluation decided it — students excused because the
district did not serve them, assessment rows the validity rules ignored, each obligation with
its status and every party's record of it, and what penalties deducted.

Every figure comes from the evaluation document (``EvaluationResult.to_json()``) and the
stored records; nothing here decides a status or an amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.engine.definition import Definition
from app.engine.money import ZERO, money_text
from app.evaluation.service import StoredEvaluation
from app.obligations import repository as obligations
from app.reports.population import describe_condition
from app.reports.schemas import (
    AccountabilitySection,
    ObligationRecordRow,
    ObligationRow,
)


def accountability_section(
    session: Session, contract: Contract, definition: Definition, stored: StoredEvaluation
) -> AccountabilitySection:
    document: dict[str, Any] = stored.result.to_json()
    population = document.get("population") or {}
    accountability = definition.accountability
    records = obligations.records_of_contract(session, contract.id)
    statuses = document.get("obligations") or {}
    due_penalties = [
        line for line in stored.result.tranches if line.type == "penalty" and line.is_due
    ]
    return AccountabilitySection(
        served=[describe_condition(c) for c in accountability.served] if accountability else [],
        excused_policy=accountability.excused if accountability else None,
        students=population.get("students"),
        excused=population.get("excused"),
        eligible=population.get("eligible"),
        ignored_rows=dict(document.get("ignored_rows") or {}),
        obligations=[
            ObligationRow(
                key=obligation.key,
                text=obligation.text,
                due=obligation.due,
                covers=list(obligation.covers),
                status=statuses.get(obligation.key, "unknown"),
                records=[
                    ObligationRecordRow(
                        party=record.party.value,
                        status=record.status.value,
                        note=record.note,
                        recorded_at=record.recorded_at,
                        recorded_by=record.recorded_by,
                    )
                    for record in records
                    if record.obligation == obligation.key
                ],
            )
            for obligation in definition.obligations
        ],
        deducted=money_text(sum((Decimal(line.earned) for line in due_penalties), ZERO)),
    )

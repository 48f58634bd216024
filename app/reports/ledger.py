"""The money side of a report: statements, payments, disputes and the balance, read through
the statements domain (which owns the arithmetic)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.clock import as_utc
from app.contracts.models import Contract
from app.engine.money import money_text
from app.reports.schemas import (
    BalanceRow,
    DisputeRow,
    LedgerSection,
    MoneyPoint,
    PaymentRow,
    StatementRow,
)
from app.statements import repository
from app.statements.balance import contract_figures
from app.statements.models import StatementStatus
from app.statements.payments import paid


def ledger_section(session: Session, contract: Contract) -> tuple[LedgerSection, list[MoneyPoint]]:
    """The ledger as recorded now, and the approved totals by approval date (for the chart)."""
    statements = repository.statements_of_contract(session, contract.id)
    rows: list[StatementRow] = []
    disputes: list[DisputeRow] = []
    approved: list[MoneyPoint] = []
    for statement in statements:
        rows.append(
            StatementRow(
                id=statement.id,
                as_of=statement.as_of,
                version=statement.version,
                status=statement.status.value,
                total_due=money_text(statement.total_due),
                approved_at=as_utc(statement.approved_at) if statement.approved_at else None,
                paid=money_text(paid(statement)),
            )
        )
        if statement.status == StatementStatus.approved and statement.approved_at is not None:
            approved.append(
                MoneyPoint(
                    on=as_utc(statement.approved_at).date(),
                    amount=money_text(statement.total_due),
                )
            )
        disputes.extend(
            DisputeRow(
                id=dispute.id,
                statement=statement.id,
                tranche=dispute.line.tranche,
                reason=dispute.reason,
                opened_at=as_utc(dispute.opened_at),
                open=dispute.is_open,
                resolution_note=dispute.resolution_note,
            )
            for dispute in statement.disputes
        )
    payments = [
        PaymentRow(
            statement=payment.statement_id,
            paid_on=payment.paid_on,
            amount=money_text(payment.amount),
            reference=payment.reference,
        )
        for payment in repository.payments_of_contract(session, contract.id)
    ]
    figures = contract_figures(session, contract)
    balance = BalanceRow(
        earned=money_text(figures.earned),
        approved=money_text(figures.approved),
        paid=money_text(figures.paid),
        outstanding=money_text(figures.outstanding),
        held=money_text(figures.held),
        disputed=money_text(figures.disputed),
    )
    payments.sort(key=lambda row: row.paid_on)
    section = LedgerSection(statements=rows, payments=payments, disputes=disputes, balance=balance)
    return section, approved

"""What a vendor is owed (SPEC §3 `GET /v1/vendors/{key}/balance`).

Who sees what: a vendor sees all of its own contracts; a district sees only its own contracts
with that vendor; a vendor the caller has no contract with answers like one that does not
exist. Auditors are refused (403) whatever the key: the SPEC gives the balance to the
district and the vendor, and an auditor reads a contract's figures through its report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.contracts.access import PARTIES, require_role
from app.contracts.models import Contract
from app.engine.money import ZERO
from app.errors import NotFound
from app.organisations.models import OrganisationKind
from app.organisations.repository import organisation_by_key
from app.principal import Principal
from app.statements import repository
from app.statements.models import Statement
from app.statements.written_once import parts_of

FIGURES = ("earned", "approved", "paid", "outstanding", "vendor_owes", "held", "disputed")


@dataclass(frozen=True)
class ContractFigures:
    contract: str
    earned: Decimal  # earned to date, as of the latest approved statement
    approved: Decimal  # sum of total_due over approved statements
    paid: Decimal  # payments less refunds
    outstanding: Decimal  # approved − paid (negative: the vendor was paid more than is due)
    vendor_owes: Decimal  # −outstanding when that is negative, else 0
    held: Decimal  # held back on the latest approved statement
    disputed: Decimal  # sum of `due` of approved lines with an open dispute


@dataclass(frozen=True)
class Balance:
    vendor: str
    contracts: list[ContractFigures]
    totals: dict[str, Decimal]


def vendor_balance(session: Session, *, principal: Principal, vendor_key: str) -> Balance:
    require_role(principal, PARTIES)
    vendor = organisation_by_key(session, vendor_key)
    if vendor is None or vendor.kind != OrganisationKind.vendor:
        raise NotFound(f"No vendor '{vendor_key}'.")
    if principal.kind == OrganisationKind.vendor:
        if vendor.id != principal.organisation_id:
            raise NotFound(f"No vendor '{vendor_key}'.")
        contracts = repository.contracts_with_vendor(session, vendor.id, None)
    else:
        contracts = repository.contracts_with_vendor(session, vendor.id, principal.organisation_id)
        if not contracts:
            raise NotFound(f"No vendor '{vendor_key}'.")
    figures = figures_of(session, contracts)
    totals = {name: sum((getattr(item, name) for item in figures), ZERO) for name in FIGURES}
    return Balance(vendor=vendor.key, contracts=figures, totals=totals)


def contract_figures(session: Session, contract: Contract) -> ContractFigures:
    return figures_of(session, [contract])[0]


def figures_of(session: Session, contracts: Sequence[Contract]) -> list[ContractFigures]:
    """Each contract's figures, in the same few queries however many contracts there are."""
    ids = [contract.id for contract in contracts]
    approved = repository.approved_statements_of(session, ids)
    paid = repository.paid_totals(session, ids)
    return [
        _figures(session, contract, approved[contract.id], paid[contract.id])
        for contract in contracts
    ]


def _figures(
    session: Session, contract: Contract, approved: Sequence[Statement], paid_total: Decimal
) -> ContractFigures:
    # An approved statement's lines never change: read once per worker (written_once).
    latest_lines = parts_of(session, approved[-1]).lines if approved else ()
    approved_total = sum((s.total_due for s in approved), ZERO)
    return ContractFigures(
        contract=contract.key,
        earned=sum((line.earned for line in latest_lines), ZERO),
        approved=approved_total,
        paid=paid_total,
        outstanding=approved_total - paid_total,
        vendor_owes=max(paid_total - approved_total, ZERO),
        held=sum((line.held for line in latest_lines), ZERO),
        disputed=_disputed(session, approved),
    )


def _disputed(session: Session, statements: Sequence[Statement]) -> Decimal:
    """The due of each open dispute's line (disputes move; the lines they name do not)."""
    total = ZERO
    for statement in statements:
        open_disputes = [dispute for dispute in statement.disputes if dispute.is_open]
        if open_disputes:
            due = {line.id: line.due for line in parts_of(session, statement).lines}
            total += sum((due[dispute.line_id] for dispute in open_disputes), ZERO)
    return total

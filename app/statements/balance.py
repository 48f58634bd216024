"""What a vendor is owed (SPEC §3 `GET /v1/vendors/{key}/balance`).

Who sees what: a vendor sees all of its own contracts; a district sees only its own contracts
with that vendor; a vendor the caller has no contract with answers like one that does not
exist. Auditors are refused (403) whatever the key: the SPEC gives the balance to the
district and the vendor, and an auditor reads a contract's figures through its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.contracts.access import PARTIES, require_role
from app.contracts.models import Contract
from app.engine.money import ZERO
from app.errors import NotFound
from app.organisations.models import OrganisationKind
from app.principal import Principal
from app.statements import repository

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
    """In one query, whatever the number of contracts (a state-wide vendor has hundreds): the
    first read after any change to the ledger pays for it, so it costs no more than it must.
    A vendor asks only for itself and a district only for its own contracts, in the query."""
    require_role(principal, PARTIES)
    as_vendor = principal.kind == OrganisationKind.vendor
    rows = repository.vendor_figures(
        session,
        vendor_key,
        vendor_id=principal.organisation_id if as_vendor else None,
        district_id=None if as_vendor else principal.organisation_id,
    )
    figures = [_figures(row) for row in rows if row.contract is not None]
    if not rows or rows[0].kind != OrganisationKind.vendor or not (as_vendor or figures):
        raise NotFound(f"No vendor '{vendor_key}'.")
    totals = {name: sum((getattr(item, name) for item in figures), ZERO) for name in FIGURES}
    return Balance(vendor=vendor_key, contracts=figures, totals=totals)


def contract_figures(session: Session, contract: Contract) -> ContractFigures:
    return _figures(repository.contract_figures(session, contract.id))


def _figures(row: Row[Any]) -> ContractFigures:
    approved, paid = row.approved or ZERO, row.paid or ZERO
    return ContractFigures(
        contract=row.contract,
        earned=row.earned or ZERO,
        approved=approved,
        paid=paid,
        outstanding=approved - paid,
        vendor_owes=max(paid - approved, ZERO),
        held=row.held or ZERO,
        disputed=row.disputed or ZERO,
    )

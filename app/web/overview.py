"""What the home page shows for each contract, gathered from the services (no rule here:
figures come from the statements' balance, lines and their status from the evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.engine.definition import Definition
from app.engine.tranches import TrancheLine
from app.evaluation.service import StoredEvaluation, evaluate_stored_contract
from app.organisations.models import OrganisationKind
from app.principal import Principal
from app.statements import service as statements
from app.statements.balance import ContractFigures

# "Lines due soon" on the district's dashboard (SPEC §6).
DUE_SOON = timedelta(days=60)


@dataclass(frozen=True)
class ContractOverview:
    contract: Contract
    definition: Definition
    figures: ContractFigures | None  # None for auditors: the balance is the parties'
    evaluation: StoredEvaluation | None  # None while the contract is only proposed
    due_soon: list[TrancheLine]
    flagged: list[TrancheLine]
    open_disputes: int

    @property
    def currency(self) -> str:
        return self.definition.currency


def contract_overview(
    session: Session, *, principal: Principal, contract: Contract, as_of: date
) -> ContractOverview:
    """One contract the caller may see (the caller listed it through the contracts service)."""
    evaluation = None
    if contract.version_in_force is not None:
        evaluation = evaluate_stored_contract(session, contract=contract, as_of=as_of)
    lines = evaluation.result.tranches if evaluation else []
    party = principal.kind != OrganisationKind.auditor
    disputes = sum(
        1
        for statement in statements.list_statements(
            session, principal=principal, contract_key=contract.key
        )
        for dispute in statement.disputes
        if dispute.is_open
    )
    return ContractOverview(
        contract=contract,
        definition=stored_definition(contract.governing_version.definition_json),
        figures=statements.contract_figures(session, contract) if party else None,
        evaluation=evaluation,
        due_soon=[line for line in lines if as_of <= line.due <= as_of + DUE_SOON],
        flagged=[line for line in lines if line.status == "indeterminate"],
        open_disputes=disputes,
    )

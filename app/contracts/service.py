"""Contract use cases: propose, amend, accept, read. Each write commits exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.clock import utcnow
from app.contracts import repository
from app.contracts.access import DISTRICT, VENDOR, contract_for, require_role, visible_contracts
from app.contracts.definitions import definition_to_json, parse_definition
from app.contracts.models import AuditorGrant, Contract, ContractVersion, VersionStatus
from app.engine.definition import Definition
from app.errors import Conflict, InvalidInput
from app.ingestion import totals
from app.organisations.models import Organisation, OrganisationKind, Role
from app.principal import Actor, Principal
from app.unit_of_work import UnitOfWork


def require_proposer(principal: Principal) -> None:
    """Who may propose a contract: a district's approver (the proposal binds the district once
    the vendor accepts). Forbidden otherwise."""
    require_role(principal, DISTRICT, at_least=Role.approver)


def create_contract(session: Session, *, principal: Principal, definition: Definition) -> Contract:
    require_proposer(principal)
    if definition.district != principal.organisation_key:
        raise InvalidInput(
            "A district can only propose contracts in its own name.",
            [{"path": "district", "message": f"must be '{principal.organisation_key}'"}],
        )
    with UnitOfWork(session, actor=principal) as uow:
        contract = _propose_new(uow, definition)
        uow.commit()
    return contract


def contract_to_amend(session: Session, *, principal: Principal, key: str) -> Contract:
    """The contract `key` if the caller may amend it (its district's approvers); NotFound or
    Forbidden."""
    return contract_for(session, principal, key, roles=DISTRICT, at_least=Role.approver)


def amend_contract(
    session: Session,
    *,
    principal: Principal,
    key: str,
    definition: Definition,
    effective: date | None = None,
) -> Contract:
    """A new version, proposed until the vendor accepts it; in force from `effective` (by
    default the day it is accepted)."""
    contract = contract_to_amend(session, principal=principal, key=key)
    with UnitOfWork(session, actor=principal) as uow:
        _propose_amendment(uow, contract, definition, effective=effective)
        uow.commit()
    return contract


def accept_contract(
    session: Session, *, principal: Principal, key: str, version: int | None = None
) -> Contract:
    contract = contract_for(session, principal, key, roles=VENDOR, at_least=Role.approver)
    with UnitOfWork(session, actor=principal) as uow:
        _accept(uow, contract, version=version)
        uow.commit()
    return contract


def get_contract(session: Session, *, principal: Principal, key: str) -> Contract:
    return contract_for(session, principal, key, roles=tuple(OrganisationKind))


def list_contracts(session: Session, *, principal: Principal) -> list[Contract]:
    return visible_contracts(session, principal)


def load_contract_documents(
    session: Session, documents: Iterable[tuple[str, Any]], *, accept: bool, actor: Actor
) -> list[tuple[str, Contract, str]]:
    """The operator's bulk load (`tranche contracts load`): each file as proposed by the
    district it names; a changed definition becomes an amendment; an identical one is left
    alone. All files or none: one bad file loads nothing."""
    parsed: list[tuple[str, Definition]] = []
    problems: list[dict[str, str]] = []
    for name, document in documents:
        try:
            parsed.append((name, parse_definition(document)))
        except InvalidInput as error:
            problems.extend(
                {"path": f"{name}: {p['path']}", "message": p["message"]} for p in error.problems
            )
    if problems:
        raise InvalidInput(f"{len(problems)} problem(s) in the contract files.", problems)
    outcomes = []
    with UnitOfWork(session, actor=actor) as uow:
        for name, definition in parsed:
            contract = repository.contract_by_key(session, definition.key)
            if contract is None:
                contract, outcome = _propose_new(uow, definition), "created"
            elif contract.latest_version.definition_json == definition_to_json(definition):
                outcome = "unchanged"
            else:
                _propose_amendment(uow, contract, definition)
                outcome = "amended"
            if accept and contract.latest_version.status == VersionStatus.proposed:
                _accept(uow, contract, version=None)
                outcome += ", accepted"
            outcomes.append((name, contract, outcome))
        if uow.entries:  # every file unchanged: nothing to commit
            uow.commit()
    return outcomes


def _propose_new(uow: UnitOfWork, definition: Definition) -> Contract:
    session = uow.session
    if repository.contract_by_key(session, definition.key) is not None:
        raise Conflict(f"A contract with key '{definition.key}' already exists; amend it with PUT.")
    parties = _parties(session, definition)
    contract = Contract(
        key=definition.key, district_id=parties.district.id, vendor_id=parties.vendor.id
    )
    session.add(contract)
    session.flush()
    _add_version(session, contract, definition, parties.auditors, actor=uow.actor, number=1)
    uow.record(
        action="contract.proposed",
        object_type="contract",
        object_id=contract.key,
        contract_key=contract.key,
        details={"version": 1},
    )
    session.refresh(contract)
    return contract


def _propose_amendment(
    uow: UnitOfWork, contract: Contract, definition: Definition, *, effective: date | None = None
) -> None:
    session = uow.session
    if definition.key != contract.key:
        raise InvalidInput(
            "An amendment cannot change the contract key.",
            [{"path": "key", "message": f"must stay '{contract.key}'"}],
        )
    parties = _parties(session, definition)
    if (parties.district.id, parties.vendor.id) != (contract.district_id, contract.vendor_id):
        raise InvalidInput(
            "An amendment cannot change the parties to a contract.",
            [{"path": "district/vendor", "message": "must stay as first agreed"}],
        )
    latest = contract.latest_version
    if latest.status == VersionStatus.proposed:
        latest.status = VersionStatus.withdrawn
    number = latest.version + 1
    version = _add_version(
        session, contract, definition, parties.auditors, actor=uow.actor, number=number
    )
    version.effective = effective
    uow.record(
        action="contract.amended",
        object_type="contract",
        object_id=contract.key,
        contract_key=contract.key,
        details={"version": number, "effective": effective.isoformat() if effective else None},
    )
    session.refresh(contract)


def _accept(uow: UnitOfWork, contract: Contract, *, version: int | None) -> None:
    session = uow.session
    # Under the contract's lock: no batch stores rows between the new windows' totals being
    # built from the rows and the commit.
    repository.lock_contract(session, contract)
    proposal = contract.latest_version
    if proposal.status != VersionStatus.proposed:
        raise Conflict(f"Contract '{contract.key}' has no proposal waiting for acceptance.")
    if version is not None and version != proposal.version:
        raise Conflict(
            f"Version {version} is not the one awaiting acceptance (version {proposal.version}); "
            "review the latest proposal and accept that."
        )
    in_force = contract.version_in_force
    if in_force is not None:
        in_force.status = VersionStatus.superseded
    proposal.status = VersionStatus.active
    proposal.accepted_at = utcnow()
    proposal.accepted_by_key_id = uow.actor.api_key_id
    if proposal.effective is None:
        proposal.effective = clock.today()
    session.flush()
    totals.keep_spans_of(session, contract)
    uow.record(
        action="contract.accepted",
        object_type="contract",
        object_id=contract.key,
        contract_key=contract.key,
        details={"version": proposal.version, "effective": proposal.effective.isoformat()},
    )


@dataclass(frozen=True)
class _Parties:
    district: Organisation
    vendor: Organisation
    auditors: list[Organisation]


def _parties(session: Session, definition: Definition) -> _Parties:
    wanted = {
        "district": [definition.district],
        "vendor": [definition.vendor],
        "auditors": definition.auditor_keys,
    }
    found = repository.organisations_by_key(session, [k for keys in wanted.values() for k in keys])
    expected_kind = {
        "district": OrganisationKind.district,
        "vendor": OrganisationKind.vendor,
        "auditors": OrganisationKind.auditor,
    }
    problems = []
    for field, keys in wanted.items():
        for index, org_key in enumerate(keys):
            path = f"{field}[{index}]" if field == "auditors" else field
            org = found.get(org_key)
            if org is None:
                problems.append({"path": path, "message": f"unknown organisation '{org_key}'"})
            elif org.kind != expected_kind[field]:
                problems.append(
                    {
                        "path": path,
                        "message": f"'{org_key}' is a {org.kind.value}, not a {expected_kind[field].value}",
                    }
                )
    if problems:
        raise InvalidInput(
            "The contract names organisations that cannot take those roles.", problems
        )
    return _Parties(
        found[definition.district],
        found[definition.vendor],
        [found[k] for k in definition.auditor_keys],
    )


def _add_version(
    session: Session,
    contract: Contract,
    definition: Definition,
    auditors: list[Organisation],
    *,
    actor: Actor,
    number: int,
) -> ContractVersion:
    version = ContractVersion(
        contract_id=contract.id,
        version=number,
        status=VersionStatus.proposed,
        title=definition.title,
        definition_json=definition_to_json(definition),
        proposed_at=utcnow(),
        proposed_by_key_id=actor.api_key_id,
    )
    repository.add_version(session, version)
    for auditor in auditors:
        session.add(AuditorGrant(contract_version_id=version.id, organisation_id=auditor.id))
    session.flush()
    return version

"""Obligation use cases (SPEC §1 "Accountability and obligations", §3): a party records that
one of the district's obligations was met or missed; anyone who may read the contract lists
each obligation with every record.

Which status an obligation *has* (met, missed, disputed, unknown) is the engine's decision
(app/engine/obligations.py), made from the records as ``ObligationRecord`` facts; this module
only stores and reads them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.contracts.access import ANY_ROLE, PARTIES, contract_for
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.engine.definition import Obligation
from app.engine.obligations import ObligationRecord, obligation_status
from app.errors import Conflict, NotFound
from app.obligations import repository
from app.obligations.models import ObligationParty, ObligationStatus, ObligationStatusRecord
from app.organisations.models import Role
from app.principal import Principal
from app.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ObligationListing:
    """One obligation of the version in force, its status from the records (the engine's
    rule) and every record of it, oldest first."""

    obligation: Obligation
    status: str
    records: tuple[ObligationStatusRecord, ...]


def record_status(
    session: Session,
    *,
    principal: Principal,
    key: str,
    obligation: str,
    status: ObligationStatus,
    note: str,
) -> ObligationStatusRecord:
    """Append the caller's organisation's record: the district attests, the vendor contests
    or confirms. Records are never changed; a later one supersedes the party's earlier ones."""
    contract = contract_for(session, principal, key, roles=PARTIES, at_least=Role.preparer)
    version = contract.version_in_force
    if version is None:
        raise Conflict(f"Contract '{key}' is not active yet: nothing can be recorded on it.")
    if not any(o.key == obligation for o in stored_definition(version.definition_json).obligations):
        raise NotFound(f"Contract '{key}' has no obligation '{obligation}'.")
    party = ObligationParty(principal.kind.value)
    with UnitOfWork(session, actor=principal) as uow:
        record = ObligationStatusRecord(
            public_id=str(uuid.uuid4()),
            contract_id=contract.id,
            obligation=obligation,
            party=party,
            status=status,
            note=note,
            recorded_at=utcnow(),
            recorded_by_key_id=principal.api_key_id,
            recorded_by_name=principal.name,
        )
        repository.add(session, record)
        uow.record(
            action="obligation.recorded",
            object_type="obligation_record",
            object_id=record.public_id,
            contract_key=contract.key,
            details={
                "obligation": obligation,
                "party": party.value,
                "status": status.value,
                "note": note,
            },
        )
        uow.commit()
    return record


def list_obligations(
    session: Session, *, principal: Principal, key: str
) -> tuple[int, list[ObligationListing]]:
    """The number of the contract's governing version (in force, else proposed) and its
    obligations in definition order, each with its records."""
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    version = contract.governing_version
    definition = stored_definition(version.definition_json)
    records = repository.records_of_contract(session, contract.id)
    facts = engine_records(session, contract)
    return version.version, [
        ObligationListing(
            obligation=obligation,
            status=obligation_status(obligation.key, facts),
            records=tuple(r for r in records if r.obligation == obligation.key),
        )
        for obligation in definition.obligations
    ]


def engine_records(
    session: Session, contract: Contract, *, recorded_until: datetime | None = None
) -> tuple[ObligationRecord, ...]:
    """Every record of the contract as the engine reads it (the row id is the tie-breaking
    ``sequence``); given ``recorded_until``, only those recorded by then (re-verifying a
    statement sees the records its draft saw)."""
    return tuple(
        ObligationRecord(
            obligation=obligation,
            party=ENGINE_PARTY[party],
            status=ENGINE_STATUS[status],
            recorded_at=as_utc(recorded_at),
            sequence=sequence,
        )
        for sequence, obligation, party, status, recorded_at in repository.record_facts(
            session, contract.id, recorded_until=recorded_until
        )
    )


ENGINE_PARTY: dict[ObligationParty, Literal["district", "vendor"]] = {
    ObligationParty.district: "district",
    ObligationParty.vendor: "vendor",
}
ENGINE_STATUS: dict[ObligationStatus, Literal["met", "missed"]] = {
    ObligationStatus.met: "met",
    ObligationStatus.missed: "missed",
}

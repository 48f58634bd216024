"""Who may see and touch a contract. Every domain goes through `contract_for`.

A contract the caller may not see answers exactly like one that does not exist (never reveal
that it exists); a caller who may see it but lacks the role for the action is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.contracts import repository
from app.contracts.models import Contract
from app.errors import Forbidden, NotFound
from app.organisations.models import OrganisationKind, Role
from app.principal import Principal


def may_see(contract: Contract, principal: Principal) -> bool:
    if principal.kind == OrganisationKind.district:
        return contract.district_id == principal.organisation_id
    if principal.kind == OrganisationKind.vendor:
        return contract.vendor_id == principal.organisation_id
    grants = contract.governing_version.auditor_grants
    return any(grant.organisation_id == principal.organisation_id for grant in grants)


def contract_for(
    session: Session,
    principal: Principal,
    key: str,
    *,
    roles: Sequence[OrganisationKind],
    at_least: Role = Role.viewer,
) -> Contract:
    """The contract `key` if the caller may see it, acts in one of `roles` and has at least
    the person's role `at_least` (SPEC §6: preparers prepare, approvers approve)."""
    contract = repository.contract_by_key(session, key)
    if contract is None or not may_see(contract, principal):
        raise NotFound(f"No contract '{key}'.")
    require_role(principal, roles, at_least=at_least)
    return contract


def require_role(
    principal: Principal, roles: Sequence[OrganisationKind], *, at_least: Role = Role.viewer
) -> None:
    if principal.kind not in roles:
        allowed = " or ".join(role.value for role in roles)
        raise Forbidden(
            f"This action is for {allowed} organisations; you act as {principal.kind.value}."
        )
    if not principal.has_role(at_least):
        raise Forbidden(
            f"This action needs the role {at_least.value} (or above) in your organisation; "
            f"{principal.name} is {principal.role.value}."
        )


def visible_contracts(session: Session, principal: Principal) -> list[Contract]:
    if principal.kind == OrganisationKind.auditor:
        candidates = repository.contracts_naming_auditor(session, principal.organisation_id)
        return [c for c in candidates if may_see(c, principal)]
    return list(repository.contracts_of_party(session, principal.organisation_id))


ANY_ROLE = (OrganisationKind.district, OrganisationKind.vendor, OrganisationKind.auditor)
PARTIES = (OrganisationKind.district, OrganisationKind.vendor)
DISTRICT = (OrganisationKind.district,)
VENDOR = (OrganisationKind.vendor,)

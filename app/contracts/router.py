"""Contracts over HTTP (SPEC §3): thin routes over `app.contracts.service`."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from app.contracts import service
from app.contracts.definitions import parse_amendment_json, parse_definition_json
from app.contracts.schemas import (
    AcceptRequest,
    ContractOut,
    ContractSummary,
    contract_out,
    contract_summary,
)
from app.deps import PrincipalDep, RawBody, SessionDep, in_session
from app.read_cache.middleware import CachedRead

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])

# The body is read raw so that JSON numbers stay exact Decimals and every definition problem is
# reported with its path; the schema is still published for client generators.
DEFINITION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ContractDefinition"}}
        },
    }
}

# An amendment is a definition with an optional `effective` date (SPEC §1 Lifecycle).
AMENDMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ContractDefinition"},
                        {
                            "type": "object",
                            "properties": {
                                "effective": {
                                    "type": "string",
                                    "format": "date",
                                    "description": "In force from this date; by default the "
                                    "day the vendor accepts the amendment.",
                                }
                            },
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractOut,
    openapi_extra=DEFINITION_BODY,
)
def create_contract(body: RawBody, session: SessionDep, principal: PrincipalDep) -> ContractOut:
    service.require_proposer(principal)  # before parsing: a vendor gets 403 whatever it sent
    definition = parse_definition_json(body)
    contract = service.create_contract(session, principal=principal, definition=definition)
    return contract_out(contract)


@router.put("/{key}", response_model=ContractOut, openapi_extra=AMENDMENT_BODY)
def amend_contract(
    key: str, body: RawBody, session: SessionDep, principal: PrincipalDep
) -> ContractOut:
    # Who may amend is decided before the body is parsed: a stranger gets 404 and a vendor
    # 403, whatever they sent.
    service.contract_to_amend(session, principal=principal, key=key)
    definition, effective = parse_amendment_json(body)
    contract = service.amend_contract(
        session, principal=principal, key=key, definition=definition, effective=effective
    )
    return contract_out(contract)


@router.post("/{key}/accept", response_model=ContractOut)
def accept_contract(
    key: str, session: SessionDep, principal: PrincipalDep, body: AcceptRequest | None = None
) -> ContractOut:
    version = body.version if body else None
    return contract_out(
        service.accept_contract(session, principal=principal, key=key, version=version)
    )


@router.get("", response_model=list[ContractSummary], dependencies=[CachedRead])
def list_contracts(session: SessionDep, principal: PrincipalDep) -> list[ContractSummary]:
    return [contract_summary(c) for c in service.list_contracts(session, principal=principal)]


@router.get("/{key}", response_model=ContractOut, dependencies=[CachedRead])
async def read_contract(key: str, request: Request, principal: PrincipalDep) -> ContractOut:
    return await in_session(
        request,
        lambda session: contract_out(service.get_contract(session, principal=principal, key=key)),
    )

"""Obligations over HTTP (SPEC §3): record a status, list each obligation with its records."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.deps import PrincipalDep, SessionDep
from app.obligations import service
from app.obligations.schemas import (
    ObligationsOut,
    RecordOut,
    StatusRequest,
    obligation_out,
    record_out,
)
from app.read_cache.middleware import CachedRead

router = APIRouter(prefix="/v1/contracts/{key}/obligations", tags=["obligations"])


@router.post(
    "/{obligation}",
    status_code=status.HTTP_201_CREATED,
    response_model=RecordOut,
    summary="Record that an obligation was met or missed (as the district or the vendor)",
)
def record_obligation_status(
    key: str, obligation: str, body: StatusRequest, session: SessionDep, principal: PrincipalDep
) -> RecordOut:
    record = service.record_status(
        session,
        principal=principal,
        key=key,
        obligation=obligation,
        status=body.status,
        note=body.note,
    )
    return record_out(record)


@router.get(
    "",
    response_model=ObligationsOut,
    summary="Each obligation of the contract with every record of it",
    dependencies=[CachedRead],
)
def list_obligations(key: str, session: SessionDep, principal: PrincipalDep) -> ObligationsOut:
    version, listings = service.list_obligations(session, principal=principal, key=key)
    return ObligationsOut(
        contract=key, version=version, obligations=[obligation_out(item) for item in listings]
    )

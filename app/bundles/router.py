"""The audit bundle over HTTP (SPEC §3): a zip an auditor can verify offline."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.bundles.build import audit_bundle
from app.clock import today
from app.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/v1/contracts", tags=["audit"])

ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The bundle; check it with `tranche verify-bundle FILE.zip`.",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/{key}/audit-bundle",
    response_class=Response,
    responses=ZIP_RESPONSE,
    summary="Everything needed to re-check the contract offline, signed",
)
def read_audit_bundle(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: Annotated[
        date | None, Query(description="The evaluation date; today if omitted.")
    ] = None,
) -> Response:
    bundle = audit_bundle(session, principal=principal, key=key, as_of=as_of or today())
    return Response(
        bundle.content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{bundle.file_name}"'},
    )

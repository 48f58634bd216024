"""The audit log with its verification, for auditors and districts (SPEC §6)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.deps import SessionDep
from app.web.deps import UserDep
from app.web.templating import render

router = APIRouter(prefix="/app/audit", include_in_schema=False)

PAGE = 100


@router.get("")
def audit_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    contract: str | None = None,
    cursor: str | None = None,
) -> Response:
    principal = user.principal
    page = audit.list_entries(
        session, principal=principal, contract=contract or None, cursor=cursor, limit=PAGE
    )
    verification = audit.verify_log(session, principal=principal)
    return render(
        request,
        "audit.html",
        {"page": page, "verification": verification, "contract": contract or ""},
    )

"""The home page: each organisation's contracts with what matters to it (SPEC §6)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.clock import today
from app.contracts import service as contracts
from app.deps import SessionDep
from app.errors import NotFound
from app.organisations.models import OrganisationKind
from app.statements import service as statements
from app.web.deps import UserDep
from app.web.overview import DUE_SOON, contract_overview
from app.web.templating import render

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("")
def home(
    request: Request, session: SessionDep, user: UserDep, as_of: date | None = None
) -> Response:
    principal = user.principal
    day = as_of or today()
    overviews = [
        contract_overview(session, principal=principal, contract=contract, as_of=day)
        for contract in contracts.list_contracts(session, principal=principal)
    ]
    balance = None
    if principal.kind == OrganisationKind.vendor:
        try:
            balance = statements.vendor_balance(
                session, principal=principal, vendor_key=principal.organisation_key
            )
        except NotFound:
            balance = None
    return render(
        request,
        f"home_{principal.kind.value}.html",
        {"overviews": overviews, "as_of": day, "due_soon_days": DUE_SOON.days, "balance": balance},
    )

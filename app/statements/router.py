"""Statements, payments, disputes and vendor balances over HTTP (SPEC §3): thin routes over
`app.statements.service`.

GET, approve and payments answer with an `ETag`; approve and payments honour `If-Match`
(412 when the statement changed since the client read it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status
from sqlalchemy.orm import Session

from app.deps import PrincipalDep, SessionDep, in_session
from app.read_cache.middleware import CachedRead
from app.statements import service
from app.statements.access import statement_etag
from app.statements.models import Statement
from app.statements.responses import (
    balance_out,
    dispute_out,
    payment_out,
    statement_out,
    statement_summary,
    verification_out,
)
from app.statements.schemas import (
    ApproveRequest,
    ContractPaymentOut,
    DisputeOut,
    DisputeRequest,
    DraftRequest,
    PaymentRequest,
    ResolveRequest,
    StatementOut,
    StatementSummary,
    VendorBalance,
    VerificationOut,
)
from app.statements.written_once import approval_checkpoint_of, parts_of

router = APIRouter(prefix="/v1", tags=["statements"])

IfMatch = Annotated[
    str | None,
    Header(description="The ETag you read; refused with 412 if the statement changed since."),
]

ETAG_HEADER = {
    "headers": {"ETag": {"description": "Send it back as If-Match.", "schema": {"type": "string"}}}
}


def _with_etag(response: Response, statement: Statement, session: Session) -> StatementOut:
    response.headers["ETag"] = statement_etag(statement)
    return statement_out(statement, checkpoint=service.approval_checkpoint(session, statement))


def _read_with_etag(response: Response, statement: Statement, session: Session) -> StatementOut:
    """A read: what never changes comes from the worker's memory once read
    (app/statements/written_once.py)."""
    response.headers["ETag"] = statement_etag(statement)
    checkpoint = approval_checkpoint_of(
        statement, lambda: service.approval_checkpoint(session, statement)
    )
    return statement_out(statement, checkpoint=checkpoint, parts=parts_of(session, statement))


@router.post(
    "/contracts/{key}/statements",
    status_code=status.HTTP_201_CREATED,
    response_model=StatementOut,
    responses={201: ETAG_HEADER},
)
def draft_statement(
    key: str, body: DraftRequest, session: SessionDep, principal: PrincipalDep, response: Response
) -> StatementOut:
    statement = service.draft_statement(
        session, principal=principal, contract_key=key, as_of=body.as_of
    )
    return _with_etag(response, statement, session)


@router.get(
    "/contracts/{key}/statements", response_model=list[StatementSummary], dependencies=[CachedRead]
)
def list_statements(
    key: str, session: SessionDep, principal: PrincipalDep
) -> list[StatementSummary]:
    statements = service.list_statements(session, principal=principal, contract_key=key)
    return [statement_summary(s) for s in statements]


@router.get(
    "/statements/{statement_id}",
    response_model=StatementOut,
    responses={200: ETAG_HEADER},
    dependencies=[CachedRead],
)
async def read_statement(
    statement_id: str, request: Request, principal: PrincipalDep, response: Response
) -> StatementOut:
    def read(session: Session) -> StatementOut:
        statement = service.get_statement(session, principal=principal, statement_id=statement_id)
        return _read_with_etag(response, statement, session)

    return await in_session(request, read)


@router.post(
    "/statements/{statement_id}/approve", response_model=StatementOut, responses={200: ETAG_HEADER}
)
def approve_statement(
    statement_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    body: ApproveRequest | None = None,
    if_match: IfMatch = None,
) -> StatementOut:
    statement = service.approve_statement(
        session,
        principal=principal,
        statement_id=statement_id,
        override_reason=body.override_reason if body else None,
        if_match=if_match,
    )
    return _with_etag(response, statement, session)


@router.post("/statements/{statement_id}/void", response_model=StatementOut)
def void_statement(
    statement_id: str, session: SessionDep, principal: PrincipalDep, response: Response
) -> StatementOut:
    statement = service.void_statement(session, principal=principal, statement_id=statement_id)
    return _with_etag(response, statement, session)


@router.post(
    "/statements/{statement_id}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=StatementOut,
    responses={201: ETAG_HEADER},
)
def record_payment(
    statement_id: str,
    body: PaymentRequest,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> StatementOut:
    statement = service.record_payment(
        session,
        principal=principal,
        statement_id=statement_id,
        amount=body.amount,
        paid_on=body.paid_on,
        reference=body.reference,
        if_match=if_match,
    )
    return _with_etag(response, statement, session)


@router.post(
    "/contracts/{key}/payments",
    status_code=status.HTTP_201_CREATED,
    response_model=ContractPaymentOut,
)
def record_contract_payment(
    key: str, body: PaymentRequest, session: SessionDep, principal: PrincipalDep
) -> ContractPaymentOut:
    payment = service.record_contract_payment(
        session,
        principal=principal,
        contract_key=key,
        amount=body.amount,
        paid_on=body.paid_on,
        reference=body.reference,
    )
    return ContractPaymentOut(
        **payment_out(payment).model_dump(),
        contract=key,
        outstanding=service.contract_outstanding(session, payment.contract_id),
    )


@router.post(
    "/statements/{statement_id}/disputes",
    status_code=status.HTTP_201_CREATED,
    response_model=DisputeOut,
)
def open_dispute(
    statement_id: str, body: DisputeRequest, session: SessionDep, principal: PrincipalDep
) -> DisputeOut:
    dispute = service.open_dispute(
        session, principal=principal, statement_id=statement_id, line=body.line, reason=body.reason
    )
    return dispute_out(dispute)


@router.post("/disputes/{dispute_id}/resolve", response_model=DisputeOut)
def resolve_dispute(
    dispute_id: str, body: ResolveRequest, session: SessionDep, principal: PrincipalDep
) -> DisputeOut:
    dispute = service.resolve_dispute(
        session, principal=principal, dispute_id=dispute_id, outcome=body.outcome, note=body.note
    )
    return dispute_out(dispute)


@router.post("/statements/{statement_id}/verify", response_model=VerificationOut)
def verify_statement(
    statement_id: str, session: SessionDep, principal: PrincipalDep
) -> VerificationOut:
    verification = service.verify_statement(session, principal=principal, statement_id=statement_id)
    return verification_out(verification)


@router.get("/vendors/{key}/balance", response_model=VendorBalance, dependencies=[CachedRead])
async def vendor_balance(key: str, request: Request, principal: PrincipalDep) -> VendorBalance:
    return await in_session(
        request,
        lambda session: balance_out(
            service.vendor_balance(session, principal=principal, vendor_key=key)
        ),
    )

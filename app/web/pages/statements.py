"""Statements in the browser: draft for a date, review the lines and what changed since the
last statement, approve or void, record payments, open and resolve disputes. Each form calls
one statements service function; the services check organisation and role, so a button a
page leaves out is refused on the server all the same."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.contracts import service as contracts
from app.contracts.definitions import stored_definition
from app.deps import SessionDep
from app.errors import InvalidInput
from app.statements import service as statements
from app.statements.models import Statement, StatementStatus
from app.web.deps import FormDep, UserDep, text_field
from app.web.templating import render

router = APIRouter(prefix="/app", include_in_schema=False)


def _see(statement_id: str) -> RedirectResponse:
    return RedirectResponse(f"/app/statements/{statement_id}", status_code=303)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{field} is not a date.", [{"field": field, "problem": "use YYYY-MM-DD"}]
        ) from None


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            "The amount is not a sum of money.",
            [{"field": "amount", "problem": "a number with at most two decimal places"}],
        )
    return amount


@router.get("/contracts/{key}/statements")
def statements_page(key: str, request: Request, session: SessionDep, user: UserDep) -> Response:
    contract = contracts.get_contract(session, principal=user.principal, key=key)
    listed = statements.list_statements(session, principal=user.principal, contract_key=key)
    definition = stored_definition(contract.governing_version.definition_json)
    outstanding = (
        statements.contract_outstanding(session, contract.id)
        if user.principal.kind.value == "district"
        else None
    )
    return render(
        request,
        "statements.html",
        {
            "contract": contract,
            "statements": listed,
            "currency": definition.currency,
            "outstanding": outstanding,
        },
    )


@router.post("/contracts/{key}/statements")
def draft(key: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    as_of = _day(text_field(form, "as_of"), "as_of")
    statement = statements.draft_statement(
        session, principal=user.principal, contract_key=key, as_of=as_of
    )
    return _see(statement.id)


def _previous(listed: list[Statement], statement: Statement) -> Statement | None:
    """The latest approved statement before this one: what "changed since" compares with."""
    earlier = [
        s
        for s in listed
        if s.status == StatementStatus.approved
        and s.id != statement.id
        and (
            statement.approval_number is None
            or (s.approval_number or 0) < statement.approval_number
        )
    ]
    return max(earlier, key=lambda s: s.approval_number or 0, default=None)


@router.get("/statements/{statement_id}")
def statement_page(
    statement_id: str, request: Request, session: SessionDep, user: UserDep
) -> Response:
    statement = statements.get_statement(
        session, principal=user.principal, statement_id=statement_id
    )
    contract = statement.contract
    listed = list(
        statements.list_statements(session, principal=user.principal, contract_key=contract.key)
    )
    previous = _previous(listed, statement)
    before = {line.tranche: line.payable for line in previous.lines} if previous else {}
    definition = stored_definition(contract.governing_version.definition_json)
    return render(
        request,
        "statement.html",
        {
            "statement": statement,
            "contract": contract,
            "currency": definition.currency,
            "previous": previous,
            "before": before,
            "paid": statements.paid(statement),
            "outstanding": statements.outstanding(statement),
        },
    )


@router.post("/statements/{statement_id}/approve")
def approve(statement_id: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    statements.approve_statement(
        session,
        principal=user.principal,
        statement_id=statement_id,
        override_reason=text_field(form, "override_reason") or None,
    )
    return _see(statement_id)


@router.post("/statements/{statement_id}/void")
def void(statement_id: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    statements.void_statement(session, principal=user.principal, statement_id=statement_id)
    return _see(statement_id)


@router.post("/statements/{statement_id}/payments")
def pay(statement_id: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    statements.record_payment(
        session,
        principal=user.principal,
        statement_id=statement_id,
        amount=_amount(text_field(form, "amount")),
        paid_on=_day(text_field(form, "paid_on"), "paid_on"),
        reference=text_field(form, "reference"),
    )
    return _see(statement_id)


@router.post("/statements/{statement_id}/disputes")
def dispute(statement_id: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    statements.open_dispute(
        session,
        principal=user.principal,
        statement_id=statement_id,
        line=text_field(form, "line"),
        reason=text_field(form, "reason"),
    )
    return _see(statement_id)


@router.post("/statements/{statement_id}/disputes/{dispute_id}/resolve")
def resolve(
    statement_id: str, dispute_id: str, session: SessionDep, user: UserDep, form: FormDep
) -> Response:
    outcome = text_field(form, "outcome")
    if outcome not in ("upheld", "rejected"):
        raise InvalidInput(
            "Say whether the dispute is upheld or rejected.",
            [{"field": "outcome", "problem": "choose upheld or rejected"}],
        )
    statements.resolve_dispute(
        session,
        principal=user.principal,
        dispute_id=dispute_id,
        outcome=outcome,  # type: ignore[arg-type]  # one of the two, checked above
        note=text_field(form, "note"),
    )
    return _see(statement_id)


@router.post("/contracts/{key}/payments")
def pay_contract(key: str, session: SessionDep, user: UserDep, form: FormDep) -> Response:
    """A payment (positive) or a refund from the vendor (negative), against the contract."""
    statements.record_contract_payment(
        session,
        principal=user.principal,
        contract_key=key,
        amount=_amount(text_field(form, "amount")),
        paid_on=_day(text_field(form, "paid_on"), "paid_on"),
        reference=text_field(form, "reference"),
    )
    return RedirectResponse(f"/app/contracts/{key}/statements", status_code=303)

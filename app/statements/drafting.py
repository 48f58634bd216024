"""Drafting a statement (SPEC §3): the due lines of an evaluation, less what earlier approved
statements already billed for each tranche."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.clock import utcnow
from app.contracts.access import DISTRICT, contract_for
from app.engine.money import ZERO, money_display
from app.engine.tranches import TrancheLine
from app.errors import Conflict
from app.evaluation.service import evaluate_stored_contract
from app.organisations.models import Role
from app.principal import Principal
from app.statements import repository
from app.statements.models import Statement, StatementBatch, StatementLine, StatementStatus
from app.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LineDraft:
    """A statement line as drafted: the columns of `StatementLine` a draft fills in (a stored
    line adds its id: app/statements/written_once.py `Line`)."""

    tranche: str
    tranche_status: str
    held_for_review: bool
    earned: Decimal
    held: Decimal
    payable: Decimal
    previously_billed: Decimal
    due: Decimal
    explanation: str


def billed_by_tranche(statements: Iterable[Statement]) -> dict[str, Decimal]:
    """tranche key → sum of its `due` over `statements` (the approved ones, in order)."""
    billed: dict[str, Decimal] = {}
    for statement in statements:
        for line in statement.lines:
            billed[line.tranche] = billed.get(line.tranche, ZERO) + line.due
    return billed


def statement_lines(
    tranches: Sequence[TrancheLine],
    billed: Mapping[str, Decimal],
    *,
    as_of: date,
    version: int,
    currency: str,
) -> list[LineDraft]:
    """One line per due tranche (pending ones are left out), each with due = payable −
    previously billed. An indeterminate line is held for review with due 0: what was billed
    before stays billed, because missing data never claws money back (SPEC §3); once the line
    is determinate again, its due catches up. A tranche billed before that is not due here
    any more (its due date moved, or an amendment removed it) gets a credit line, so the dues
    of every tranche keep adding up to its latest payable."""
    lines: list[LineDraft] = []
    for tranche in tranches:
        if not tranche.is_due:
            continue
        previously = billed.get(tranche.key, ZERO)
        held_for_review = tranche.status == "indeterminate"
        if held_for_review:
            due, note = ZERO, _review_note(previously, currency)
        else:
            due = tranche.payable - previously
            note = _billing_note(previously, due, currency)
        lines.append(
            LineDraft(
                tranche=tranche.key,
                tranche_status=tranche.status,
                held_for_review=held_for_review,
                earned=tranche.earned,
                held=tranche.held,
                payable=tranche.payable,
                previously_billed=previously,
                due=due,
                explanation=tranche.explanation + note,
            )
        )
    on_statement = {line.tranche for line in lines}
    pending = {t.key: t for t in tranches if not t.is_due}
    for key, previously in billed.items():
        if key in on_statement or previously == ZERO:
            continue
        if key in pending:
            reason = (
                f"Not due as of {as_of.isoformat()} under version {version} "
                f"(due {pending[key].due.isoformat()})."
            )
        else:
            reason = f"No longer a tranche of the contract under version {version}."
        lines.append(
            LineDraft(
                tranche=key,
                tranche_status="not_due",
                held_for_review=False,
                earned=ZERO,
                held=ZERO,
                payable=ZERO,
                previously_billed=previously,
                due=-previously,
                explanation=reason + _billing_note(previously, -previously, currency),
            )
        )
    return lines


def _billing_note(previously: Decimal, due: Decimal, currency: str) -> str:
    if previously == ZERO:
        return ""
    credit = " (a credit)" if due < 0 else ""
    return (
        f" Less {money_display(previously, currency)} billed on earlier approved statements "
        f"= {money_display(due, currency)} due{credit}."
    )


def _review_note(previously: Decimal, currency: str) -> str:
    kept = (
        f"the {money_display(previously, currency)} billed on earlier approved statements "
        "stays billed"
        if previously != ZERO
        else "nothing is billed for it"
    )
    return (
        f" Held for review: {money_display(ZERO, currency)} due; {kept} until the line can be "
        "determined again (missing data never claws money back)."
    )


def draft_statement(
    session: Session, *, principal: Principal, contract_key: str, as_of: date
) -> Statement:
    contract = contract_for(
        session, principal, contract_key, roles=DISTRICT, at_least=Role.preparer
    )
    if contract.version_in_force is None:
        raise Conflict(f"Contract '{contract.key}' is not active yet: nothing can be billed.")
    approved = repository.approved_statements(session, contract.id)
    latest_as_of = max((s.as_of for s in approved), default=None)
    if latest_as_of is not None and as_of < latest_as_of:
        raise Conflict(
            f"A statement as of {latest_as_of.isoformat()} is already approved; "
            f"a new statement must be as of that date or later.",
            extra={"latest_approved_as_of": latest_as_of.isoformat()},
        )
    evaluation = evaluate_stored_contract(session, contract=contract, as_of=as_of)
    result = evaluation.result
    drafts = statement_lines(
        result.tranches,
        billed_by_tranche(approved),
        as_of=as_of,
        version=evaluation.version,
        currency=result.currency,
    )
    statement_id = str(uuid.uuid4())
    total_due = sum((line.due for line in drafts), ZERO)
    with UnitOfWork(session, actor=principal) as uow:
        drafted = uow.record(
            action="statement.drafted",
            object_type="statement",
            object_id=statement_id,
            contract_key=contract.key,
            details={
                "as_of": as_of.isoformat(),
                "version": evaluation.version,
                "total_due": str(total_due),
                "fingerprint": evaluation.fingerprint,
                "drafted_by": principal.name,
            },
        )
        statement = Statement(
            id=statement_id,
            contract_id=contract.id,
            version=evaluation.version,
            as_of=as_of,
            status=StatementStatus.draft,
            total_due=total_due,
            engine_version=result.engine_version,
            fingerprint=evaluation.fingerprint,
            approvals_before=len(approved),
            created_at=utcnow(),
            created_by_key_id=principal.api_key_id,
            drafted_by=principal.name,
            drafted_by_identity=principal.identity,
            # The head the drafting entry chained onto, read under the chain's lock.
            audit_head=drafted.previous_hash,
        )
        repository.add(session, statement)
        repository.add(
            session,
            *(
                StatementLine(statement_id=statement.id, position=position, **drafted_fields(line))
                for position, line in enumerate(drafts, start=1)
            ),
            *(
                StatementBatch(
                    statement_id=statement.id,
                    position=position,
                    batch_id=batch.id,
                    feed=batch.feed,
                    sha256=batch.sha256,
                    rows=batch.rows,
                )
                for position, batch in enumerate(evaluation.batches, start=1)
            ),
        )
        uow.commit()
    session.refresh(statement)
    return statement


def drafted_fields(line: LineDraft | StatementLine) -> dict[str, Any]:
    """The fields of `LineDraft`, by name, from a draft or a stored line."""
    return {field.name: getattr(line, field.name) for field in fields(LineDraft)}

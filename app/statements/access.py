"""Who may see and act on a statement: exactly who may see and act on its contract.

A statement of a contract the caller cannot see answers like one that does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.contracts.access import may_see, require_role
from app.errors import NotFound, PreconditionFailed
from app.organisations.models import OrganisationKind, Role
from app.principal import Principal
from app.statements import repository
from app.statements.models import Statement


def statement_for(
    session: Session,
    principal: Principal,
    statement_id: str,
    *,
    roles: Sequence[OrganisationKind],
    at_least: Role = Role.viewer,
    lock: bool = False,
    whole: bool = False,
) -> Statement:
    """The statement if the caller may see it and acts in one of `roles`; with `lock`, reloaded
    under a row lock so the checks that follow cannot race another writer; with `whole`, with
    everything its response shows loaded at once (a read)."""
    statement = repository.statement_by_id(session, statement_id, whole=whole and not lock)
    if statement is None or not may_see(statement.contract, principal):
        raise NotFound(f"No statement '{statement_id}'.")
    require_role(principal, roles, at_least=at_least)
    if lock:
        repository.lock_statement(session, statement)
    return statement


def statement_etag(statement: Statement) -> str:
    """A strong entity tag: changes whenever anything a reader sees can change (status,
    payments, disputes); the lines themselves are written once with the draft."""
    parts = [statement.id, statement.status.value, str(statement.approval_number)]
    parts += [f"p{payment.id}" for payment in statement.payments]
    parts += [f"d{d.id}:{'open' if d.is_open else 'resolved'}" for d in statement.disputes]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def check_if_match(statement: Statement, if_match: str | None) -> None:
    """Optimistic concurrency: a client that read the statement may insist it is unchanged."""
    if if_match is None:
        return
    current = statement_etag(statement)
    offered = [tag.strip() for tag in if_match.split(",")]
    if "*" in offered or current in offered:
        return
    raise PreconditionFailed(
        "The statement changed since you read it; read it again and retry.",
        extra={"etag": current},
    )

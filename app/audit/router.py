"""The audit log over HTTP (SPEC §3): read it, page through it, re-check its hash chain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.checkpoints import keyring_of
from app.audit.schemas import AuditEntryOut, AuditLogPage, BrokenLink, ChainVerification
from app.audit.signing import public_key_text
from app.clock import as_utc
from app.deps import PrincipalDep, SessionDep
from app.read_cache.middleware import CachedRead

router = APIRouter(prefix="/v1/audit-log", tags=["audit"])


@router.get("", response_model=AuditLogPage, dependencies=[CachedRead])
def list_audit_entries(
    session: SessionDep,
    principal: PrincipalDep,
    contract: Annotated[str | None, Query(description="Only this contract's entries.")] = None,
    action: Annotated[
        str | None, Query(description="Only this action, e.g. batch.accepted.")
    ] = None,
    since: Annotated[
        datetime | None, Query(description="Recorded at or after (UTC if naive).")
    ] = None,
    until: Annotated[datetime | None, Query(description="Recorded before (UTC if naive).")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
) -> AuditLogPage:
    page = service.list_entries(
        session,
        principal=principal,
        contract=contract,
        action=action,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    return AuditLogPage(
        entries=[
            AuditEntryOut(
                id=view.entry.id,
                recorded_at=as_utc(view.entry.recorded_at),
                organisation=view.organisation_key,
                api_key_id=view.entry.api_key_id,
                actor=view.entry.actor_name,
                actor_role=view.entry.actor_role,
                action=view.entry.action,
                object_type=view.entry.object_type,
                object_id=view.entry.object_id,
                contract=view.entry.contract_key,
                details=json.loads(view.entry.details),
                previous_hash=view.entry.previous_hash,
                entry_hash=view.entry.entry_hash,
            )
            for view in page.entries
        ],
        next_cursor=page.next_cursor,
    )


# Never kept (no CachedRead): the chain is recomputed from the table on every call, so rows
# altered behind the service's back — which moves no ledger version — are caught at once.
@router.get("/verify", response_model=ChainVerification)
def verify_audit_log(session: SessionDep, principal: PrincipalDep) -> ChainVerification:
    report = service.verify_log(session, principal=principal)
    broken = None
    if not report.ok:
        broken = BrokenLink(entry_id=report.broken_entry_id, problem=report.problem or "")
    return ChainVerification(
        ok=report.ok,
        entries_checked=report.entries_checked,
        head_hash=report.head_hash,
        first_broken=broken,
        checkpoints_checked=report.checkpoints_checked,
        signed_through=report.signed_through,
        public_keys={
            key: public_key_text(public) for key, public in keyring_of(session).trusted.items()
        },
    )

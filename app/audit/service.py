"""Writing to the audit log. Every write use case calls `record` before its single commit, so
an entry exists exactly when its change does."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import entry_hash
from app.audit.models import AuditChainHead, AuditEntry
from app.clock import utcnow
from app.principal import Actor

HEAD_ROW_ID = 1


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    contract_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, chained to the newest one. Flushes; the caller commits."""
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ROW_ID).with_for_update()
    ).scalar_one()  # seeded by the first migration, so it never has to be created in a race
    details_text = json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str)
    entry = AuditEntry(
        recorded_at=utcnow(),
        organisation_id=actor.organisation_id,
        api_key_id=actor.api_key_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        contract_key=contract_key,
        details=details_text,
        previous_hash=head.last_hash,
    )
    entry.entry_hash = entry_hash(
        previous_hash=entry.previous_hash,
        recorded_at=entry.recorded_at,
        organisation_id=entry.organisation_id,
        api_key_id=entry.api_key_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        contract_key=entry.contract_key,
        details=entry.details,
    )
    session.add(entry)
    session.flush()
    head.last_entry_id = entry.id
    head.last_hash = entry.entry_hash
    session.flush()
    return entry

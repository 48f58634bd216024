"""Appending to the hash chain: the low-level writer the unit of work calls.

Kept apart from the audit *read* domain (app/audit/service.py), which checks who may read
the log: every domain writes through here, and this module imports nothing of theirs.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.chain import CURRENT_HASH_VERSION, hash_of
from app.audit.models import AuditChainHead, AuditEntry
from app.clock import utcnow
from app.principal import Actor

HEAD_ROW_ID = 1


def locked_head(session: Session) -> AuditChainHead:
    """The chain head row, locked until the transaction ends (SELECT … FOR UPDATE)."""
    return session.execute(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ROW_ID).with_for_update()
    ).scalar_one()  # seeded by the first migration, so it never has to be created in a race


def append_entry(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    contract_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, chained to the newest one, under the chain head's row lock (so
    entries are numbered in commit order). Flushes; never commits."""
    head = locked_head(session)
    details_text = json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str)
    entry = AuditEntry(
        recorded_at=utcnow(),
        organisation_id=actor.organisation_id,
        api_key_id=actor.api_key_id,
        person_id=actor.person_id,
        system_name=actor.system_name,
        actor_name=actor.name,
        actor_role=actor.role.value if actor.role is not None else None,
        hash_version=CURRENT_HASH_VERSION,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        contract_key=contract_key,
        details=details_text,
        previous_hash=head.last_hash,
    )
    entry.entry_hash = hash_of(entry)
    session.add(entry)
    session.flush()
    head.last_entry_id = entry.id
    head.last_hash = entry.entry_hash
    session.flush()
    return entry

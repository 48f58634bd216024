"""How an audit entry is hashed. Kept apart so `verify` and `record` cannot disagree."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.clock import as_utc

if TYPE_CHECKING:
    from app.audit.models import AuditEntry

GENESIS_HASH = "0" * 64
CURRENT_HASH_VERSION = 2  # 2: the acting person or system and its role are hashed too


def canonical_moment(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    previous_hash: str,
    recorded_at: datetime,
    organisation_id: int | None,
    api_key_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    contract_key: str | None,
    details: str,
    hash_version: int = 1,
    actor: dict[str, Any] | None = None,
) -> str:
    """Version 1 hashes the fields entries had at first; version 2 adds `actor` (person id,
    system name, display name, role) under the key "actor", and the version itself."""
    body: dict[str, Any] = {
        "previous_hash": previous_hash,
        "recorded_at": canonical_moment(recorded_at),
        "organisation_id": organisation_id,
        "api_key_id": api_key_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "contract_key": contract_key,
        "details": details,
    }
    if hash_version >= 2:
        body["hash_version"] = hash_version
        body["actor"] = actor
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """The hash an entry must carry, from its own fields: what `record` writes and what
    `verify` recomputes."""
    return entry_hash(
        previous_hash=entry.previous_hash,
        recorded_at=entry.recorded_at,
        organisation_id=entry.organisation_id,
        api_key_id=entry.api_key_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        contract_key=entry.contract_key,
        details=entry.details,
        hash_version=entry.hash_version,
        actor={
            "person_id": entry.person_id,
            "system_name": entry.system_name,
            "name": entry.actor_name,
            "role": entry.actor_role,
        },
    )

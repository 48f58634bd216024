"""What the audit-log API sends back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    id: int
    recorded_at: datetime
    organisation: str | None = Field(description="Acting organisation; null for the operator.")
    api_key_id: int | None = Field(
        description="The key that acted; null for the operator's CLI and web sessions."
    )
    actor: str | None = Field(
        description='The person or system that acted, e.g. "Maria Lopez <maria@ector.org>" or '
        '"system sis-sync"; "operator" for the CLI; null on entries older than people.'
    )
    actor_role: str | None = Field(description="viewer, preparer or approver; null if none.")
    action: str = Field(examples=["batch.accepted"])
    object_type: str
    object_id: str
    contract: str | None
    details: dict[str, Any]
    previous_hash: str = Field(description="`entry_hash` of the entry before this one.")
    entry_hash: str = Field(
        description="SHA-256 over this entry's canonical JSON form and `previous_hash`."
    )


class AuditLogPage(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null when there are no more entries."
    )


class BrokenLink(BaseModel):
    entry_id: int | None = Field(description="The first entry that fails; null for the head row.")
    problem: str


class ChainVerification(BaseModel):
    ok: bool
    entries_checked: int
    head_hash: str = Field(description="The newest entry's hash, as recomputed.")
    first_broken: BrokenLink | None

"""What the audit-log API sends back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.audit.checkpoints import Checkpoint


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
    checkpoints_checked: int = Field(
        description="Signed checkpoints whose signed head and Ed25519 signature both hold."
    )
    signed_through: int | None = Field(
        description="The newest entry covered by a valid signature; entries after it are "
        "protected by the hash chain alone until the next checkpoint."
    )
    public_keys: dict[str, str] = Field(
        description="The public keys (base64) checkpoints are checked against, by key id."
    )


class SignedHead(BaseModel):
    """A signed checkpoint of the audit chain (SPEC §3): check `signature` (Ed25519, base64)
    over `tranche-checkpoint:v1:{head_entry_id}:{head_hash}` with the public key `key_id`."""

    checkpoint_entry_id: int
    head_entry_id: int | None
    head_hash: str
    key_id: str
    signature: str


def signed_head(checkpoint: Checkpoint | None) -> SignedHead | None:
    if checkpoint is None:
        return None
    return SignedHead(
        checkpoint_entry_id=checkpoint.entry_id,
        head_entry_id=checkpoint.head_entry_id,
        head_hash=checkpoint.head_hash,
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
    )

"""Signed checkpoints: audit entries that carry an Ed25519 signature of the chain head.

A checkpoint is appended directly after the head it signs, so its `previous_hash` *is* the
signed hash and `verify` can check both at once (app/audit/verification.py). The service
writes one at every statement approval and at least once a day: on the first change of a new
UTC day (the unit of work asks `due_today`), or from cron with `tranche audit checkpoint`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.signing import (
    KEYRING_INFO,
    Keyring,
    Signer,
    SigningKeyError,
    checkpoint_message,
    load_signer,
    public_key_text,
)
from app.audit.writer import append_entry, locked_head
from app.clock import as_utc, utcnow
from app.config import Settings
from app.errors import Conflict
from app.principal import Actor

CHECKPOINT_ACTION = "audit.checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint entry's details say."""

    entry_id: int
    head_entry_id: int | None
    head_hash: str
    key_id: str
    signature: str

    @classmethod
    def of(cls, entry: AuditEntry) -> Checkpoint:
        """Raises ValueError when the entry's details are not a checkpoint's."""
        details = json.loads(entry.details)
        head_id = details["head_entry_id"]
        if head_id is not None and not isinstance(head_id, int):
            raise ValueError("head_entry_id is not a number")
        return cls(
            entry.id,
            head_id,
            str(details["head_hash"]),
            str(details["key_id"]),
            str(details["signature"]),
        )


def keyring_from(settings: Settings) -> Keyring:
    """The keyring the settings describe; an unreadable key fails here, at start-up."""
    secret = settings.signing_key.get_secret_value() if settings.signing_key else None
    signer = load_signer(settings.signing_key_file, secret)
    return Keyring.of(signer, settings.trusted_public_keys)


def keyring_of(session: Session) -> Keyring:
    """The keyring the session was opened with (empty: nothing signs, nothing is trusted)."""
    keyring = session.info.get(KEYRING_INFO)
    return keyring if isinstance(keyring, Keyring) else Keyring()


def require_signing(session: Session, refused: str) -> Signer:
    """The signer the session was opened with; without one, a Conflict that says what is
    ``refused`` and how to configure a key."""
    try:
        return keyring_of(session).require_signer()
    except SigningKeyError as error:
        raise Conflict(f"{refused} {error}") from None


def append_checkpoint(
    session: Session,
    *,
    actor: Actor,
    reason: str,
    contract_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Sign the chain head as it stands in this transaction and append the checkpoint entry.
    Refuses (SigningKeyError) when no signing key is configured."""
    signer = keyring_of(session).require_signer()
    head = locked_head(session)
    message = checkpoint_message(head.last_entry_id, head.last_hash)
    return append_entry(
        session,
        actor=actor,
        action=CHECKPOINT_ACTION,
        object_type="chain",
        object_id=head.last_entry_id or 0,
        contract_key=contract_key,
        details={
            **(details or {}),
            "reason": reason,
            "head_entry_id": head.last_entry_id,
            "head_hash": head.last_hash,
            "key_id": signer.key_id,
            "public_key": public_key_text(signer.public),
            "signature": signer.sign(message),
        },
    )


def due_today(session: Session) -> bool:
    """Whether a daily checkpoint is owed: a key is configured and the newest entry is from an
    earlier UTC day and not itself a checkpoint. Takes the head's lock (the caller is about to
    append anyway), so two writers cannot both owe it."""
    if keyring_of(session).signer is None:
        return False
    head = locked_head(session)
    if head.last_entry_id is None:
        return False
    newest = session.execute(
        select(AuditEntry.recorded_at, AuditEntry.action).where(AuditEntry.id == head.last_entry_id)
    ).one()
    return bool(
        as_utc(newest.recorded_at).date() < utcnow().date() and newest.action != CHECKPOINT_ACTION
    )


def checkpoint_signing(session: Session, *, action: str, object_id: str) -> Checkpoint | None:
    """The checkpoint that signs the head right after the newest entry `action` on
    `object_id` (e.g. a statement's approval), if one was written."""
    signed = session.execute(
        select(AuditEntry.id)
        .where(AuditEntry.action == action, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if signed is None:
        return None
    entry = session.execute(
        select(AuditEntry).where(
            AuditEntry.action == CHECKPOINT_ACTION, AuditEntry.object_id == str(signed)
        )
    ).scalar_one_or_none()
    return Checkpoint.of(entry) if entry is not None else None


def latest_checkpoint(session: Session) -> Checkpoint | None:
    entry = session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == CHECKPOINT_ACTION)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return Checkpoint.of(entry) if entry is not None else None

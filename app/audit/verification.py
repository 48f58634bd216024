"""Re-checking the hash chain and its signed checkpoints: no queries, so it can be reasoned
about apart from the database (and run offline on an audit bundle's entries)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from app.audit.chain import GENESIS_HASH, hash_of
from app.audit.checkpoints import CHECKPOINT_ACTION, Checkpoint
from app.audit.models import AuditEntry
from app.audit.signing import Keyring, checkpoint_message


class Head(Protocol):
    last_entry_id: int | None
    last_hash: str


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    head_hash: str
    broken_entry_id: int | None = None
    problem: str | None = None
    checkpoints_checked: int = 0
    signed_through: int | None = None  # the newest entry a valid signature covers

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(
    entries: Iterable[AuditEntry], head: Head | None, keyring: Keyring | None = None
) -> ChainReport:
    """Walk the entries oldest first; stop at the first link or signature that does not hold.

    An altered entry no longer matches its own hash; an altered entry whose hash was also
    recomputed, a removed entry or an inserted one breaks the next entry's `previous_hash`;
    removing the newest entries leaves the head row pointing past the end (`head` None: the
    entries are a contiguous excerpt with no head row to compare, as in a bundle). A chain
    rewritten consistently, every hash recomputed, still fails at the first checkpoint after
    the rewrite: its signed head no longer matches, and re-signing needs the private key.
    """
    keyring = keyring or Keyring()  # no trusted key: any checkpoint fails, plainly said
    expected_previous, previous_id, checked = GENESIS_HASH, None, 0
    checkpoints, signed_through = 0, None
    for entry in entries:
        broken = _link_problem(entry, expected_previous, previous_id)
        if broken is None and entry.action == CHECKPOINT_ACTION:
            broken = _checkpoint_problem(entry, previous_id, signed_through, keyring)
            if broken is None:
                checkpoints, signed_through = checkpoints + 1, previous_id
        if broken is not None:
            return ChainReport(
                checked, expected_previous, entry.id, broken, checkpoints, signed_through
            )
        expected_previous, previous_id, checked = entry.entry_hash, entry.id, checked + 1
    if head is not None and (
        head.last_hash != expected_previous or head.last_entry_id != previous_id
    ):
        return ChainReport(
            checked,
            expected_previous,
            head.last_entry_id,
            f"the chain head records entry {head.last_entry_id} as the newest, but the log ends "
            f"at entry {previous_id}: the newest entries were removed or rewritten.",
            checkpoints,
            signed_through,
        )
    return ChainReport(checked, expected_previous, None, None, checkpoints, signed_through)


def _link_problem(entry: AuditEntry, expected_previous: str, previous_id: int | None) -> str | None:
    if entry.previous_hash != expected_previous:
        before = f"entry {previous_id}" if previous_id is not None else "the chain's start"
        return (
            f"previous_hash does not match the hash of {before}: an entry between them "
            "was removed or inserted, or the earlier entry was rewritten."
        )
    if hash_of(entry) != entry.entry_hash:
        return (
            "the entry's content does not match its entry_hash: it was altered after it "
            "was recorded."
        )
    return None


def _checkpoint_problem(
    entry: AuditEntry, previous_id: int | None, signed_through: int | None, keyring: Keyring
) -> str | None:
    since = (
        f"after entry {signed_through} (the last one a valid checkpoint signs)"
        if signed_through is not None
        else "before it"
    )
    try:
        checkpoint = Checkpoint.of(entry)
    except (ValueError, KeyError, TypeError):
        return "the checkpoint's details are not a signed head: it was altered."
    if checkpoint.head_entry_id != previous_id or checkpoint.head_hash != entry.previous_hash:
        return (
            f"the checkpoint signs entry {checkpoint.head_entry_id} with hash "
            f"{checkpoint.head_hash[:12]}…, but the chain before it ends at entry {previous_id} "
            f"with hash {entry.previous_hash[:12]}…: an entry {since} was rewritten."
        )
    if checkpoint.key_id not in keyring.trusted:
        return (
            f"the checkpoint is signed by key {checkpoint.key_id}, which is not a trusted "
            "public key of this service (configure the signing key, or list retired keys in "
            "TRANCHE_TRUSTED_PUBLIC_KEYS)."
        )
    message = checkpoint_message(checkpoint.head_entry_id, checkpoint.head_hash)
    if not keyring.verifies(checkpoint.key_id, message, checkpoint.signature):
        return (
            f"the checkpoint's signature does not verify under key {checkpoint.key_id}: the "
            f"chain {since} was rewritten and the checkpoint forged without the signing key."
        )
    return None

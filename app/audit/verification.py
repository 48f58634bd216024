"""Re-checking the hash chain: pure, so it can be reasoned about apart from the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.audit.chain import GENESIS_HASH, hash_of
from app.audit.models import AuditChainHead, AuditEntry


@dataclass(frozen=True)
class ChainReport:
    entries_checked: int
    head_hash: str
    broken_entry_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(entries: Iterable[AuditEntry], head: AuditChainHead) -> ChainReport:
    """Walk the entries oldest first; stop at the first link that does not hold.

    An altered entry no longer matches its own hash; an altered entry whose hash was also
    recomputed, a removed entry or an inserted one breaks the next entry's `previous_hash`;
    removing the newest entries leaves the head row pointing past the end.
    """
    expected_previous, previous_id, checked = GENESIS_HASH, None, 0
    for entry in entries:
        if entry.previous_hash != expected_previous:
            before = f"entry {previous_id}" if previous_id is not None else "the chain's start"
            return ChainReport(
                checked,
                expected_previous,
                entry.id,
                f"previous_hash does not match the hash of {before}: an entry between them "
                "was removed or inserted, or the earlier entry was rewritten.",
            )
        if hash_of(entry) != entry.entry_hash:
            return ChainReport(
                checked,
                expected_previous,
                entry.id,
                "the entry's content does not match its entry_hash: it was altered after it "
                "was recorded.",
            )
        expected_previous, previous_id, checked = entry.entry_hash, entry.id, checked + 1
    if head.last_hash != expected_previous or head.last_entry_id != previous_id:
        return ChainReport(
            checked,
            expected_previous,
            head.last_entry_id,
            f"the chain head records entry {head.last_entry_id} as the newest, but the log ends "
            f"at entry {previous_id}: the newest entries were removed or rewritten.",
        )
    return ChainReport(checked, expected_previous)

"""Whom an API key authenticated as, kept for one access epoch.

Authenticating a key reads its row, its person and its organisation through the ORM: ~1-2 ms
of a worker thread, on every request. What it yields changes only when one of those rows
changes, and every such change moves the access epoch (database triggers, migration
20261202_access_epoch). So a key's principal is kept beside the epoch at which it was read,
and served again while the epoch has not moved; the first request after any key, person or
organisation changed — here, in another server process or by hand in SQL — finds the epoch
moved, drops everything kept, and authenticates against the database again.

Kept by the SHA-256 of the whole bearer value (what the database keeps too, never the key
itself), so only the exact key that authenticated finds its principal. Refusals are never
kept. Pure bookkeeping, used from the server's event loop only, so it takes no lock.
"""

from __future__ import annotations

import hashlib

from app.principal import Principal

MAX_KEYS = 10_000  # a worker with more live keys than this starts over (clears)


def key_digest(authorization: str) -> bytes:
    return hashlib.sha256(authorization.encode("utf-8", "surrogateescape")).digest()


class KnownKeys:
    def __init__(self, *, max_keys: int = MAX_KEYS):
        self.max_keys = max_keys
        self.epoch: int | None = None
        self._principals: dict[bytes, Principal] = {}

    def get(self, digest: bytes, epoch: int) -> Principal | None:
        self._move_to(epoch)
        return self._principals.get(digest)

    def put(self, digest: bytes, epoch: int, principal: Principal) -> None:
        """`epoch` must have been read *before* the principal was: then a change committed
        in between has moved the epoch, and this entry is never served."""
        if epoch != self.epoch:
            return  # the epoch moved on while this key was being authenticated
        if len(self._principals) >= self.max_keys:
            self._principals.clear()
        self._principals[digest] = principal

    def _move_to(self, epoch: int) -> None:
        if epoch != self.epoch:
            self._principals.clear()
            self.epoch = epoch

    def __len__(self) -> int:
        return len(self._principals)

"""Responses kept for one version of the ledger, least recently used out first.

Pure bookkeeping, no I/O. It is used from the server's event loop only (one per worker
process), so it takes no lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class ResponseStore:
    """Responses computed at one ledger version, bounded by the bytes of their bodies.

    Every entry belongs to the version the store was last asked about: seeing another version
    drops them all at once (the ledger changed, so any of them may be wrong), and a response
    computed under a version the store has since left is not kept.
    """

    def __init__(self, *, max_bytes: int):
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8
        self.version: int | None = None
        self._entries: OrderedDict[Hashable, StoredResponse] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, version: int) -> StoredResponse | None:
        self._move_to(version)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Hashable, version: int, response: StoredResponse) -> None:
        if version != self.version or len(response.body) > self.max_entry_bytes:
            return
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= len(previous.body)
        self._entries[key] = response
        self._bytes += len(response.body)
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)

    def _move_to(self, version: int) -> None:
        if version != self.version:
            self._entries.clear()
            self._bytes = 0
            self.version = version

    def __len__(self) -> int:
        return len(self._entries)

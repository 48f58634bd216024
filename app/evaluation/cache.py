"""Evaluations kept in memory by their fingerprint.

Reading the same evaluation again — a dashboard refreshing, an auditor's second look, a
statement approved right after it was drafted, many readers at once — then costs the few
indexed queries that compute the fingerprint instead of re-reading every stored row.

Never stale: the fingerprint (``service.evaluation_fingerprint``) covers everything that
decides the numbers — contract, version and definition, the id and SHA-256 of every batch
read, the engine version and as_of — and it is recomputed from the database on every call
before the cache is asked. A new batch, a replacement, an amendment or another as_of is
another key; an entry nothing matches any more just ages out. Access is checked by the
callers before they evaluate, so an entry only ever goes to someone allowed to read it.

One cache per process (each server worker has its own), bounded by the number of students it
holds — the per-student detail is most of an entry's memory — least recently used out first.
Concurrent misses on one fingerprint compute it once (`compute_once`): without that, fifty
readers arriving together each start the same multi-second evaluation, each holding a
database connection, and the pool runs dry (measured: HTTP 500s under load).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

Value = TypeVar("Value")

MAX_STUDENTS = 1_000_000  # about 0.5-1 GB of per-student detail at most
MAX_ENTRIES = 256


class EvaluationCache(Generic[Value]):
    """A thread-safe LRU map fingerprint → evaluation, bounded by students held."""

    def __init__(self, *, max_students: int = MAX_STUDENTS, max_entries: int = MAX_ENTRIES):
        self.max_students = max_students
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[Value, int]] = OrderedDict()
        self._students = 0
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}

    def get(self, fingerprint: str) -> Value | None:
        with self._lock:
            entry = self._entries.get(fingerprint)
            if entry is None:
                return None
            self._entries.move_to_end(fingerprint)
            return entry[0]

    def put(self, fingerprint: str, value: Value, *, students: int) -> Value:
        """Keep ``value`` (unless it alone is over the bound); returns it."""
        if students > self.max_students:
            return value
        with self._lock:
            previous = self._entries.pop(fingerprint, None)
            if previous is not None:
                self._students -= previous[1]
            self._entries[fingerprint] = (value, students)
            self._students += students
            while self._students > self.max_students or len(self._entries) > self.max_entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._students -= dropped
        return value

    def compute_once(
        self, fingerprint: str, compute: Callable[[], Value], students: Callable[[Value], int]
    ) -> Value:
        """The cached value, or ``compute()`` kept under ``fingerprint``; a caller arriving
        while another computes the same fingerprint waits for that result."""
        found = self.get(fingerprint)
        if found is not None:
            return found
        with self._lock:
            computing = self._computing.setdefault(fingerprint, threading.Lock())
        with computing:
            found = self.get(fingerprint)  # computed while this caller waited
            if found is not None:
                return found
            try:
                value = compute()
                return self.put(fingerprint, value, students=students(value))
            finally:
                with self._lock:
                    self._computing.pop(fingerprint, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._students = 0

    def __len__(self) -> int:
        return len(self._entries)

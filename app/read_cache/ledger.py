"""The ledger's version (the id of the newest audit entry) and the access epoch, read together.

Every change to the ledger — an organisation or key created or revoked, a contract proposed,
amended or accepted, a batch posted or replaced, a statement drafted, approved, voided or
disputed, a payment, even a logged report read — appends an audit entry in the transaction
that makes it (app/unit_of_work.py). Appending takes the chain head's row lock, so entries
are numbered in commit order, and the head row says how far the ledger has got. Two reads
that see the same number see the same ledger.

The access epoch (migration 20261202_access_epoch) moves, by triggers, with every change to an
API key, a person or an organisation — also one made by hand in SQL, which writes no audit
entry. Two reads that see the same epoch see the same callers: a key kept as authenticated at
that epoch still authenticates as the same principal (app/admission/known_keys.py).
"""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

HEAD = "SELECT last_entry_id FROM audit_chain_head WHERE id = 1"
# One statement, one round trip: both numbers from the same snapshot of the database.
SNAPSHOT = (
    "SELECT (SELECT last_entry_id FROM audit_chain_head WHERE id = 1), "
    "(SELECT epoch FROM access_epoch WHERE id = 1)"
)
NO_ENTRIES_YET = 0


class LedgerSnapshot(NamedTuple):
    version: int  # the newest audit entry's id (NO_ENTRIES_YET before the first)
    access_epoch: int


def snapshot_of(row: Any) -> LedgerSnapshot:
    version, epoch = (row[0], row[1]) if row is not None else (None, None)
    return LedgerSnapshot(
        NO_ENTRIES_YET if version is None else int(version), 0 if epoch is None else int(epoch)
    )


class LedgerVersion:
    """Reads the chain head and the access epoch on a connection of its own, kept open for the
    process.

    Called for requests with credentials, in a worker thread with a short time limit, each read
    serving every request that was waiting when it started (app/read_cache/shared_read.py):
    two primary-key reads of one row cost ~0.1 ms on loopback, but a database that accepts
    connections and never answers would otherwise freeze the event loop, and with it every request of the worker. One thread uses the connection at a
    time; a caller that cannot have it soon gets None. The connection is in autocommit, so
    each read sees the latest commit and no transaction stays open; a reader never waits for
    a writer (PostgreSQL MVCC, SQLite WAL). Any database error gives None — the caller then
    serves the request the ordinary way — and a new connection next time.
    """

    def __init__(self, engine: Engine, *, wait_seconds: float = 0.5):
        self._engine = engine
        self._connection: Any = None
        self._in_use = threading.Lock()
        self._wait_seconds = wait_seconds
        # The driver's own errors from the bare connection; SQLAlchemy's wrapping of them
        # from the pool checkout when connecting.
        self._errors = (engine.dialect.loaded_dbapi.Error, DBAPIError)

    def read(self) -> LedgerSnapshot | None:
        if not self._in_use.acquire(timeout=self._wait_seconds):
            return None  # another thread is stuck on it: the database is not answering
        try:
            return self._read()
        finally:
            self._in_use.release()

    def _read(self) -> LedgerSnapshot | None:
        try:
            if self._connection is None:
                self._connection = self._connect()
            cursor = self._connection.cursor()
            try:
                cursor.execute(SNAPSHOT)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except self._errors:
            self.close()
            return None
        return snapshot_of(row)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with suppress(*self._errors):
                connection.close()  # already broken, or it would not be closed here

    def _connect(self) -> Any:
        pooled = self._engine.raw_connection()
        pooled.detach()  # the process's own, not one of the pool's request connections
        connection: Any = pooled.dbapi_connection
        if self._engine.dialect.name == "postgresql":
            connection.autocommit = True
        else:
            # The engine's connect hook waits seconds for a lock; WAL readers do not wait, so
            # this is only a guard that keeps a cache lookup short.
            connection.execute("PRAGMA busy_timeout = 50")
        return connection

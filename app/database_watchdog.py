"""A client-side deadline for every PostgreSQL statement and pool ping.

`statement_timeout` is the server's to enforce, and `connect_timeout` covers only opening a
connection. A server that freezes after that (a stopped process, a host whose kernel still
acknowledges packets and keepalives) enforces nothing, and libpq has no read time-out: the
thread waits as long as the server is frozen, holding its pooled connection, and enough such
threads would hold every connection of the pool. The watchdog notes when each statement (and
each pre-ping) starts; one still running past its deadline has its socket shut down, so the
driver fails at once ("server closed the connection") — the request answers 503 — and the pool
replaces the connection. Normally the server's own `statement_timeout` fires first.
Transaction ends (commit, rollback) and the pool's ping are watched the same way.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

TICK_SECONDS = 0.5


class Watchdog:
    def __init__(self, deadline_seconds: float) -> None:
        self.deadline_seconds = deadline_seconds
        self._running: dict[int, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._running[id(dbapi_connection)] = (
                time.monotonic() + self.deadline_seconds,
                dbapi_connection,
            )
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._patrol, name="database-watchdog", daemon=True
                )
                self._thread.start()

    def release(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._running.pop(id(dbapi_connection), None)

    @contextmanager
    def watching(self, dbapi_connection: Any) -> Iterator[None]:
        self.watch(dbapi_connection)
        try:
            yield
        finally:
            self.release(dbapi_connection)

    def _patrol(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                overdue = [c for deadline, c in self._running.values() if deadline < now]
                for connection in overdue:
                    self._running.pop(id(connection), None)
            for connection in overdue:
                _shut_down(connection)


def _shut_down(dbapi_connection: Any) -> None:
    """Wake the thread blocked on this connection: shut its socket down (on a duplicate of
    the descriptor, so the driver still owns and closes the original)."""
    with suppress(Exception):
        duplicate = socket.socket(fileno=os.dup(dbapi_connection.pgconn.socket))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


def install(engine: Engine, *, deadline_seconds: float) -> Watchdog:
    watchdog = Watchdog(deadline_seconds)

    @event.listens_for(engine, "before_cursor_execute")
    def _started(connection: Any, *_: Any) -> None:
        watchdog.watch(connection.connection.dbapi_connection)

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(connection: Any, *_: Any) -> None:
        watchdog.release(connection.connection.dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        if context.connection is not None and not context.connection.closed:
            with suppress(Exception):
                watchdog.release(context.connection.connection.dbapi_connection)

    # The round trips that are not statements: the pool's ping before handing a connection
    # out, and the ends of a transaction (a session closing after its response was sent, the
    # pool's rollback when a connection comes back).
    dialect: Any = engine.dialect
    for name in ("do_ping", "do_rollback", "do_commit"):
        setattr(dialect, name, _watched(watchdog, getattr(dialect, name)))
    return watchdog


def _watched(watchdog: Watchdog, round_trip: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def watched(dbapi_connection: Any) -> Any:
        with watchdog.watching(dbapi_connection):
            return round_trip(dbapi_connection)

    return watched

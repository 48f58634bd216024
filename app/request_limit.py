"""At most as many requests inside the application as the database pool has connections.

Every request that touches the database takes a connection in one worker thread (opening
its session, authenticating) and gives it back in another (closing the session), waiting for
a free thread in between while holding it. With more requests in flight than connections,
the threads can all end up waiting for a connection that only a request waiting for a thread
would return: nothing moves until the pool's 30-second timeout fails them with HTTP 500
(bench/RESULTS.md). Bounding the requests in flight by the pool's size makes that wait
impossible; the others queue in the event loop, which costs nothing while they wait.

The queue is not endless: when every slot is held by requests stuck on a database that has
stopped answering, a request that waited `wait_seconds` for a slot gets a 503 rather than
hanging with them. `/healthz` takes no slot (it pings in a thread of its own with a time
limit), so it answers even then.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app.event_loops import PerEventLoop
from app.problems import database_unavailable

UNLIMITED_PATHS = frozenset({"/healthz"})


class RequestLimit:
    """ASGI middleware: ``limit`` HTTP requests at a time, the rest in arrival order."""

    def __init__(self, app: Any, *, limit: int, wait_seconds: float = 30.0):
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        # A semaphore belongs to one event loop; a test client may start a new loop per use.
        self._slots = PerEventLoop(lambda: asyncio.Semaphore(limit))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        slots = self._slots.current()
        try:
            await asyncio.wait_for(slots.acquire(), self.wait_seconds)
        except TimeoutError:
            await database_unavailable()(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

"""One database read shared by every request waiting for it.

Fifty clients polling a worker need the ledger snapshot (app/read_cache/ledger.py) fifty times
over, and each read costs a hop to a worker thread. But a request only needs *a* snapshot taken
after it arrived: then every commit it could know of — a revocation it was told about, a batch
it posted — is in it. So reads run one at a time, and a request waits for the first read that
*starts* after it arrived, then takes that read's answer; everyone who arrived while a read was
running shares the next one. Under load a worker makes one read per round trip of the database,
whatever the number of requests; alone, a request waits for exactly its own read.

A read runs in a worker thread within `timeout` seconds; a database that does not answer
in time (or at all) gives None, as an error does, and the thread is left to finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class SharedRead(Generic[T]):
    """`await current()`: the answer of a `read` that started after the call. Used from one
    event loop at a time (a server worker's); a new loop (a test client's) starts afresh."""

    def __init__(self, read: Callable[[], T | None], *, timeout: float):
        self._read = read
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._started = 0  # reads started so far
        self._last: tuple[int, T | None] = (0, None)  # the newest finished read: number, answer

    async def current(self) -> T | None:
        self._follow_loop()
        arrived_after = self._started  # a read numbered above this started after we arrived
        with anyio.move_on_after(self._timeout):
            async with self._lock:
                number, answer = self._last
                if number > arrived_after:
                    return answer  # it started after we arrived and has finished: ours too
                self._started += 1
                number = self._started
                answer = await anyio.to_thread.run_sync(self._read, abandon_on_cancel=True)
                self._last = (number, answer)
                return answer
        return None

    def _follow_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # An asyncio lock belongs to the loop it first waited on.
            self._loop, self._lock = loop, asyncio.Lock()
            self._started, self._last = 0, (0, None)

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
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio

from app.event_loops import PerEventLoop

T = TypeVar("T")


@dataclass
class _Rounds(Generic[T]):
    """The reads of one event loop: an asyncio lock belongs to the loop it first waited on."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    started: int = 0  # reads started so far
    last: tuple[int, T | None] = (0, None)  # the newest finished read: number, answer


class SharedRead(Generic[T]):
    """`await current()`: the answer of a `read` that started after the call. Used from one
    event loop at a time (a server worker's); a new loop (a test client's) starts afresh."""

    def __init__(self, read: Callable[[], T | None], *, timeout: float):
        self._read = read
        self._timeout = timeout
        self._rounds: PerEventLoop[_Rounds[T]] = PerEventLoop(_Rounds)

    async def current(self) -> T | None:
        rounds = self._rounds.current()
        arrived_after = rounds.started  # a read numbered above this started after we arrived
        with anyio.move_on_after(self._timeout):
            async with rounds.lock:
                number, answer = rounds.last
                if number > arrived_after:
                    return answer  # it started after we arrived and has finished: ours too
                rounds.started += 1
                number = rounds.started
                answer = await anyio.to_thread.run_sync(self._read, abandon_on_cancel=True)
                rounds.last = (number, answer)
                return answer
        return None

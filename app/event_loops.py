"""One object per running event loop.

asyncio locks, semaphores and anyio limiters belong to the event loop they first wait on. A
server worker runs one loop for its whole life, but a test client may start a new loop per
use, and an object kept from an earlier loop then fails there. So such objects are kept per
loop: the running loop's own, made afresh when the loop changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerEventLoop(Generic[T]):
    """`current()`: the object `make()` made for the running event loop. Only the newest loop's
    object is kept: a worker has one loop, and a test client's earlier loops are finished."""

    def __init__(self, make: Callable[[], T]):
        self._make = make
        self._kept: tuple[asyncio.AbstractEventLoop, T] | None = None

    def current(self) -> T:
        loop = asyncio.get_running_loop()
        if self._kept is None or self._kept[0] is not loop:
            self._kept = (loop, self._make())
        return self._kept[1]

"""Objects kept per event loop (app/event_loops.py): a test client's new loop gets its own."""

from __future__ import annotations

import asyncio

from app.event_loops import PerEventLoop


def test_one_loop_keeps_one_object_and_a_new_loop_gets_a_new_one():
    kept = PerEventLoop(asyncio.Lock)

    async def twice() -> tuple[asyncio.Lock, asyncio.Lock]:
        return kept.current(), kept.current()

    first, again = asyncio.run(twice())
    assert first is again
    later, _ = asyncio.run(twice())
    assert later is not first

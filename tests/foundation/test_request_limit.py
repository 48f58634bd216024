"""No more requests inside the application than the database pool has connections."""

from __future__ import annotations

import asyncio
from typing import Any

from app.db import POOL
from app.main import create_app
from app.request_limit import RequestLimit


def test_requests_beyond_the_limit_wait_their_turn_and_all_complete():
    inside = 0
    most = 0
    answered = []

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.01)
        inside -= 1
        answered.append(scope["path"])

    limited = RequestLimit(application, limit=3)

    async def twenty_at_once() -> None:
        scopes = [{"type": "http", "path": f"/{number}"} for number in range(20)]
        await asyncio.gather(*(limited(scope, None, None) for scope in scopes))

    asyncio.run(twenty_at_once())
    assert most == 3
    assert sorted(answered) == sorted(f"/{number}" for number in range(20))


def test_the_service_admits_no_more_requests_than_it_has_connections(settings):
    app = create_app(settings)
    limits = [m.kwargs["limit"] for m in app.user_middleware if m.cls is RequestLimit]
    assert limits == [POOL["pool_size"] + POOL["max_overflow"]]
    app.state.engine.dispose()


def test_a_request_that_waits_too_long_for_a_slot_gets_503_and_healthz_takes_none():
    """Every slot held by requests stuck on a database that stopped answering: the next
    request is told so in time, and /healthz still answers."""
    release = asyncio.Event()
    answered: list[tuple[str, int]] = []

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] == "/stuck":
            await release.wait()
        answered.append((scope["path"], 200))

    limited = RequestLimit(application, limit=1, wait_seconds=0.05)

    async def scenario() -> None:
        stuck = asyncio.create_task(limited({"type": "http", "path": "/stuck"}, None, None))
        await asyncio.sleep(0)
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await limited({"type": "http", "path": "/v1/contracts"}, None, send)
        assert sent[0]["status"] == 503
        await limited({"type": "http", "path": "/healthz"}, None, send)
        release.set()
        await stuck

    asyncio.run(scenario())
    assert answered == [("/healthz", 200), ("/stuck", 200)]

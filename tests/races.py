"""Requests sent at the same moment, each through an app of its own (its own engine and
sessions, committing for real), for the PostgreSQL race tests: the database's locks decide."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from fastapi import FastAPI, routing
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

Call = TypeVar("Call")
Answer = TypeVar("Answer")


def race(
    settings: Settings, send: Callable[[TestClient, Call], Answer], calls: Sequence[Call]
) -> list[Answer]:
    """`send(client, call)` for every call at the same moment, each from its own app."""
    apps = [routes_built(create_app(settings)) for _ in calls]
    barrier = threading.Barrier(len(calls))

    def run(app: FastAPI, call: Call) -> Answer:
        with TestClient(app, raise_server_exceptions=False) as client:
            barrier.wait()
            return send(client, call)

    try:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, apps, calls))
    finally:
        for app in apps:
            app.state.engine.dispose()


def routes_built(app: FastAPI) -> FastAPI:
    """`app` with every route built now, in this thread. FastAPI builds a route's parameters
    on the first request that reaches it, inside `warnings.catch_warnings()` (to silence
    pydantic's UnsupportedFieldAttributeWarning about the alias it gives each parameter). Those
    filters are the whole process's: two apps building at once in two threads restore each
    other's, and the silenced warning escapes. So the threads are left only requests to send."""
    for _ in routing.iter_route_contexts(app.routes):
        pass
    return app

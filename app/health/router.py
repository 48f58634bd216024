"""Liveness that means something: the database answers."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.problems import database_unavailable

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get(
    "/healthz", response_model=Health, responses={503: {"description": "database unreachable"}}
)
async def healthz(request: Request):  # type: ignore[no-untyped-def]
    # Its own connection, not the request session: opening that one is what fails when the
    # database is down, before the route could say so. In a worker thread with a time limit:
    # a database that never answers makes this a 503 in seconds, never a frozen worker.
    settings = request.app.state.settings
    try:
        with anyio.fail_after(settings.authentication_timeout_seconds):
            await anyio.to_thread.run_sync(_ping, request.app.state.engine, abandon_on_cancel=True)
    except (SQLAlchemyError, TimeoutError):
        return database_unavailable()
    return Health(status="ok", database="ok")

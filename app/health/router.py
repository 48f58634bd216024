"""Liveness that means something: the database answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import READS_ONLY
from app.problems import problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/healthz", response_model=Health, responses={503: {"description": "database unreachable"}}
)
def healthz(request: Request):  # type: ignore[no-untyped-def]
    # Its own connection, not the request session: opening that one is what fails when the
    # database is down, before the route could say so.
    try:
        with request.app.state.engine.connect() as connection:
            connection.execution_options(**{READS_ONLY: True}).execute(text("SELECT 1"))
    except SQLAlchemyError:
        return problem(503, "Service Unavailable", "The database does not answer.")
    return Health(status="ok", database="ok")

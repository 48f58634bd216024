"""Liveness that means something: the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from app.deps import SessionDep
from app.problems import problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/healthz", response_model=Health, responses={503: {"description": "database unreachable"}}
)
def healthz(session: SessionDep):  # type: ignore[no-untyped-def]
    try:
        session.execute(text("SELECT 1"))
    except Exception:
        return problem(503, "Service Unavailable", "The database does not answer.")
    return Health(status="ok", database="ok")

"""The FastAPI dependencies every router uses, as `Annotated` aliases in one place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import READS_ONLY
from app.organisations.service import authenticate
from app.principal import Principal

_bearer = HTTPBearer(auto_error=False, description="An API key created with `tranche key create`.")


# Marks a GET that writes all the same (an audit entry of who read what), so its transaction is
# opened as a writer's: `@router.get(..., openapi_extra=LOGGED_READ)`.
LOGGED_READ = {"x-logged-read": True}


def _reads_only(request: Request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    route = request.scope.get("route")
    return not (getattr(route, "openapi_extra", None) or {}).get(next(iter(LOGGED_READ)), False)


def get_session(request: Request) -> Iterator[Session]:
    # Services commit; this only guarantees the session is closed (and rolled back if a
    # service raised before committing).
    session: Session = request.app.state.session_factory()
    if _reads_only(request):
        session.connection(execution_options={READS_ONLY: True})
    try:
        yield session
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return authenticate(session, credentials.credentials if credentials else None)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def read_raw_body(request: Request) -> bytes:
    """The request body as sent, so routes can stay plain `def` (run in the thread pool)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(read_raw_body)]

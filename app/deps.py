"""The FastAPI dependencies every router uses, as `Annotated` aliases in one place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.config import Settings
from app.organisations.service import authenticate
from app.principal import Principal

_bearer = HTTPBearer(auto_error=False, description="An API key created with `tranche key create`.")


def get_session(request: Request) -> Iterator[Session]:
    # Services commit; this only guarantees the session is closed (and rolled back if a
    # service raised before committing).
    session: Session = request.app.state.session_factory()
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

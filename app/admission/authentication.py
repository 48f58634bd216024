"""Resolving the caller from a request's headers: an API key, or whatever another door
(the web app's session cookie) plugs in.

An authenticator is a plain function `(session, headers) -> Principal | None`, run in a worker
thread (it reads the database). The API key is tried when an Authorization header is present;
otherwise the app's `state.authenticators` are tried in order. The first principal wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from app.errors import NotAuthenticated
from app.organisations.service import authenticate
from app.principal import Principal

Authenticator = Callable[[Session, Headers], Principal | None]


def bearer_token(headers: Headers) -> str | None:
    """The key of `Authorization: Bearer <key>`; None for no header or another scheme."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_principal(
    session: Session, headers: Headers, authenticators: Sequence[Authenticator]
) -> Principal | None:
    """The caller, or None when no credentials were sent or they do not hold (a refused key
    is the route's 401 to give, so that a public path such as /healthz still answers)."""
    if "authorization" in headers:
        try:
            return authenticate(session, bearer_token(headers))
        except NotAuthenticated:
            return None
    for authenticator in authenticators:
        principal = authenticator(session, headers)
        if principal is not None:
            return principal
    return None

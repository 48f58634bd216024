"""Signing in and out of the web app: sessions, their cookie and their CSRF token.

A session is a 256-bit random token; the browser keeps it in an HttpOnly, SameSite=Lax cookie
(Secure when the request came over HTTPS) and the database keeps its SHA-256. Each form
carries a CSRF token derived from the session token, so a page of another site, which can
make the browser send the cookie but cannot read it, cannot forge one. Starting and ending a
session are audit entries naming the person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

from app.clock import as_utc, utcnow
from app.errors import NotAuthenticated
from app.organisations import passwords
from app.organisations.models import Role
from app.organisations.people import authenticate_person, principal_for_person
from app.principal import Principal
from app.unit_of_work import UnitOfWork
from app.web.models import WebSession

COOKIE = "tranche_session"
SIGN_IN_COOKIE = "tranche_sign_in"  # the sign-in form's own CSRF token (no session yet)


class SignInRequired(NotAuthenticated):
    """No session: the page asks the person to sign in."""


class SessionExpired(NotAuthenticated):
    """The browser's session ended (expired, or signed out elsewhere): say so plainly."""


@dataclass(frozen=True)
class SignedIn:
    """Whoever a page acts for: the principal the services check, and who they are."""

    principal: Principal
    person_id: int
    name: str
    email: str
    csrf_token: str

    @property
    def kind(self) -> str:
        return self.principal.kind.value

    @property
    def role(self) -> str:
        return self.principal.role.value

    @property
    def organisation_key(self) -> str:
        return self.principal.organisation_key

    def acts_as(self, kind: str, role: str) -> bool:
        """Whether pages offer an action: for the services, the same rule decides."""
        return self.principal.kind.value == kind and self.principal.has_role(Role(role))


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token_for(token: str) -> str:
    """The CSRF token of a session: a keyed hash of its secret token (never the token)."""
    return hmac.new(token.encode("utf-8"), b"tranche-csrf", hashlib.sha256).hexdigest()


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(offered: str | None, expected: str | None) -> bool:
    if not offered or not expected:
        return False
    return hmac.compare_digest(offered.encode("utf-8"), expected.encode("utf-8"))


def sign_in(session: Session, *, email: str, password: str, lifetime: timedelta) -> str:
    """A new session for the person with this email and password; returns its token (for the
    cookie). Raises NotAuthenticated with one message for every kind of failure."""
    person = authenticate_person(session, email=email, password=password)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    principal = principal_for_person(person)
    with UnitOfWork(session, actor=principal) as uow:
        if passwords.needs_rehash(person.password_hash):
            # The hashing parameters were raised since this hash was made: the password is
            # at hand only now, so this is the moment to store it under the current ones.
            person.password_hash = passwords.hash_password(password)
            uow.record(action="person.password_rehashed", object_type="person", object_id=person.id)
        web_session = WebSession(
            token_sha256=token_sha256(token),
            person_id=person.id,
            started_at=now,
            expires_at=now + lifetime,
        )
        session.add(web_session)
        session.flush()
        uow.record(
            action="session.started",
            object_type="person",
            object_id=person.id,
            details={"session": web_session.id, "expires_at": web_session.expires_at.isoformat()},
        )
        uow.commit()
    return token


def signed_in(session: Session, token: str | None) -> SignedIn:
    """Who holds this session token, if the session is live."""
    if not token:
        raise SignInRequired("Sign in to continue.")
    found = _session_by_token(session, token)
    if found is None:
        raise SignInRequired("Sign in to continue.")
    if found.ended_at is not None or as_utc(found.expires_at) <= utcnow():
        raise SessionExpired("Your session has ended. Sign in again to continue.")
    person = found.person
    if person.disabled_at is not None:
        raise SessionExpired("Your session has ended. Sign in again to continue.")
    return SignedIn(
        principal=principal_for_person(person),
        person_id=person.id,
        name=person.name,
        email=person.email,
        csrf_token=csrf_token_for(token),
    )


def principal_of_cookie(session: Session, headers: Headers) -> Principal | None:
    """The admission middleware's authenticator for browsers: the principal of a live
    session cookie, or None (the page itself then says what happened)."""
    token = cookie_parser(headers.get("cookie", "")).get(COOKIE)
    if not token:
        return None
    try:
        return signed_in(session, token).principal
    except NotAuthenticated:
        return None


def sign_out(session: Session, token: str | None) -> None:
    """End the session (if it is live); signing out twice is not an error."""
    found = _session_by_token(session, token) if token else None
    if found is None or found.ended_at is not None:
        return
    with UnitOfWork(session, actor=principal_for_person(found.person)) as uow:
        found.ended_at = utcnow()
        session.flush()
        uow.record(
            action="session.ended",
            object_type="person",
            object_id=found.person_id,
            details={"session": found.id},
        )
        uow.commit()


def _session_by_token(session: Session, token: str) -> WebSession | None:
    return session.execute(
        select(WebSession).where(WebSession.token_sha256 == token_sha256(token))
    ).scalar_one_or_none()

"""`install_web(app)`: the browser app's routes, static files and error pages on the API's
FastAPI application (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from app.config import Settings
from app.web import sessions
from app.web.errors import install_web_errors
from app.web.pages import audit, auth, contracts, data, home, statements
from app.web.pages.auth import SIGN_IN_PATH
from app.web.throttle import SignInThrottle

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI, settings: Settings) -> None:
    app.state.sign_in_throttle = SignInThrottle(
        limit=settings.sign_in_attempts, window=timedelta(minutes=settings.sign_in_pause_minutes)
    )
    # The admission middleware (app/admission) resolves the caller before any body is read:
    # the session cookie is one more way in, the sign-in form the one body taken from nobody,
    # and a form posted after the session ended is sent to the page that says so.
    app.state.authenticators.append(sessions.principal_of_cookie)
    app.state.anonymous_body_paths.add(SIGN_IN_PATH)
    app.state.unauthenticated_answers["/app/"] = lambda: RedirectResponse(
        "/app/session-expired", status_code=303
    )
    app.mount("/app/static", StaticFiles(directory=STATIC), name="web-static")
    for module in (auth, home, contracts, data, statements, audit):
        app.include_router(module.router)
    install_web_errors(app)

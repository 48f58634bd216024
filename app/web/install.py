"""`install_web(app)`: the browser app's routes, static files and error pages on the API's
FastAPI application (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import Settings
from app.web.errors import install_web_errors
from app.web.pages import audit, auth, contracts, data, home, statements
from app.web.throttle import SignInThrottle

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI, settings: Settings) -> None:
    app.state.sign_in_throttle = SignInThrottle(
        limit=settings.sign_in_attempts, window=timedelta(minutes=settings.sign_in_pause_minutes)
    )
    app.mount("/app/static", StaticFiles(directory=STATIC), name="web-static")
    for module in (auth, home, contracts, data, statements, audit):
        app.include_router(module.router)
    install_web_errors(app)

"""Sign in, sign out, and the page that says a session has ended."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.deps import SessionDep, SettingsDep
from app.errors import Forbidden, NotAuthenticated
from app.web import sessions
from app.web.deps import CSRF_FIELD, FormDep, text_field
from app.web.templating import render
from app.web.throttle import SignInThrottle

router = APIRouter(prefix="/app", include_in_schema=False)

SIGN_IN_PATH = "/app/sign-in"


async def sign_in_form(request: Request) -> FormData:
    # Two short fields and a token: nothing larger is read from someone not yet signed in.
    return await request.form(max_files=0, max_fields=5, max_part_size=4096)


def _throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    return throttle


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _sign_in_page(
    request: Request, *, status_code: int = 200, error: str = "", email: str = "", notice: str = ""
) -> Response:
    token = sessions.new_sign_in_token()
    response = render(
        request,
        "sign_in.html",
        {"sign_in_token": token, "error": error, "email": email, "notice": notice},
        status_code=status_code,
    )
    response.set_cookie(
        sessions.SIGN_IN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path=SIGN_IN_PATH,
    )
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, signed_out: bool = False) -> Response:
    notice = "You are signed out." if signed_out else ""
    return _sign_in_page(request, notice=notice)


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[FormData, Depends(sign_in_form)],
) -> Response:
    offered = form.get(CSRF_FIELD)
    if not sessions.tokens_match(
        offered if isinstance(offered, str) else None,
        request.cookies.get(sessions.SIGN_IN_COOKIE),
    ):
        raise Forbidden("The sign-in form is out of date. Reload the page and sign in again.")
    email = text_field(form, "email").lower()
    password = form.get("password")
    client = request.client.host if request.client else "unknown"
    throttle = _throttle(request)
    wait = throttle.retry_after(email=email, client=client)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        return _sign_in_page(
            request,
            status_code=429,
            email=email,
            error=f"Too many refused sign-ins. Try again in {minutes} minute(s).",
        )
    try:
        token = sessions.sign_in(
            session,
            email=email,
            password=password if isinstance(password, str) else "",
            lifetime=timedelta(hours=settings.session_hours),
        )
    except NotAuthenticated:
        throttle.refused(email=email, client=client)
        return _sign_in_page(
            request, status_code=401, email=email, error="Unknown email or wrong password."
        )
    throttle.succeeded(email=email)
    response = RedirectResponse("/app", status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/app",
    )
    response.delete_cookie(sessions.SIGN_IN_COOKIE, path=SIGN_IN_PATH)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, form: FormDep) -> Response:
    sessions.sign_out(session, request.cookies.get(sessions.COOKIE))
    response = RedirectResponse(f"{SIGN_IN_PATH}?signed_out=true", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/app")
    return response


@router.get("/session-expired")
def session_expired(request: Request) -> Response:
    response = render(request, "session_expired.html", {})
    response.delete_cookie(sessions.COOKIE, path="/app")
    return response

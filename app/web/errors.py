"""Errors on /app pages become pages, not problem documents: the same domain errors and the
same status codes as the API (app.problems.status_of), shown to a person."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import errors
from app.problems import status_of
from app.web.sessions import COOKIE, SessionExpired, SignInRequired
from app.web.templating import render

PREFIX = "/app"


def is_web(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_page(
    request: Request,
    status: int,
    detail: str,
    *,
    problems: list[dict[str, Any]] | None = None,
) -> Response:
    columns: list[str] = []
    for problem in problems or []:
        columns += [name for name in problem if name not in columns]
    return render(
        request,
        "error.html",
        {
            "title": HTTPStatus(status).phrase,
            "detail": detail,
            "problems": problems or [],
            "problem_columns": columns,
            "back": request.headers.get("referer"),
        },
        status_code=status,
    )


def install_web_errors(app: FastAPI) -> None:
    """Wrap the API's handlers: /app paths get a page, every other path what it got before."""
    api_domain = app.exception_handlers[errors.DomainError]
    api_validation = app.exception_handlers[RequestValidationError]
    api_http = app.exception_handlers[StarletteHTTPException]

    def domain(request: Request, error: Exception) -> Any:
        if not is_web(request):
            return api_domain(request, error)
        assert isinstance(error, errors.DomainError)
        if isinstance(error, SessionExpired):
            response = RedirectResponse(f"{PREFIX}/session-expired", status_code=303)
            response.delete_cookie(COOKIE, path=PREFIX)
            return response
        if isinstance(error, SignInRequired | errors.NotAuthenticated):
            return RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
        problems = error.problems if isinstance(error, errors.InvalidInput) else None
        return error_page(request, status_of(error), error.detail, problems=problems)

    def validation(request: Request, error: Exception) -> Any:
        if not is_web(request):
            return api_validation(request, error)
        assert isinstance(error, RequestValidationError)
        problems = [
            {"field": ".".join(str(part) for part in e["loc"][1:]), "problem": e["msg"]}
            for e in error.errors()
        ]
        return error_page(request, 422, "Some of what was sent is not usable.", problems=problems)

    def http(request: Request, error: Exception) -> Any:
        if not is_web(request):
            return api_http(request, error)
        assert isinstance(error, StarletteHTTPException)
        detail = error.detail if isinstance(error.detail, str) else ""
        if error.status_code == 404:
            detail = "There is no such page."
        return error_page(request, error.status_code, detail)

    app.add_exception_handler(errors.DomainError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)

"""RFC 9457 problem documents: the one place where errors become HTTP responses."""

from __future__ import annotations

import decimal
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as database
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import errors

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("tranche")

STATUS_OF: dict[type[errors.DomainError], int] = {
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.PayloadTooLarge: 413,
    errors.InvalidInput: 422,
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# The database did not answer (hung, restarting, out of connections, a time-out) — the request
# may well succeed in a moment. Raised by the driver, wrapped by SQLAlchemy.
DATABASE_AWAY = (
    database.OperationalError,
    database.InterfaceError,
    database.TimeoutError,
    database.DisconnectionError,
)
RETRY_AFTER_SECONDS = 5


def database_unavailable() -> JSONResponse:
    answer = problem(
        503,
        "Service Unavailable",
        "The database is not answering; try again in a few seconds.",
    )
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


def status_of(error: errors.DomainError) -> int:
    """The HTTP status of a domain error (the API's problems and the web app's pages)."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.DomainError)
    def _domain(request: Request, error: errors.DomainError) -> JSONResponse:
        extra = dict(error.extra)
        if isinstance(error, errors.InvalidInput):
            extra["problems"] = error.problems
        return problem(status_of(error), error.title, error.detail, **extra)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"path": ".".join(str(part) for part in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        return problem(
            422, "Invalid input", f"{len(problems)} problem(s) in the request.", problems=problems
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        title = HTTPStatus(error.status_code).phrase
        detail = error.detail if isinstance(error.detail, str) else title
        return problem(error.status_code, title, detail)

    @app.exception_handler(database.SQLAlchemyError)
    def _database(request: Request, error: database.SQLAlchemyError) -> JSONResponse:
        if isinstance(error, DATABASE_AWAY):
            log.warning("database away on %s %s: %s", request.method, request.url.path, error)
            return database_unavailable()
        if isinstance(error, database.DataError):
            # A value the column cannot hold (too long, out of range) that no check caught.
            log.warning("database refused a value on %s: %s", request.url.path, error)
            return problem(
                422, "Invalid input", "A value is too long or out of range for where it goes."
            )
        if isinstance(error, database.IntegrityError):
            # Two requests raced to create the same thing; the other one won.
            log.warning("integrity conflict on %s: %s", request.url.path, error)
            return problem(409, "Conflict", "A concurrent request changed the same record.")
        return _unexpected(request, error)

    @app.exception_handler(decimal.InvalidOperation)
    @app.exception_handler(OverflowError)
    def _out_of_range(request: Request, error: ArithmeticError) -> JSONResponse:
        # A number beyond what Decimal's context or the database's integers hold ("1e30" as an
        # amount); each field's own bounds should say so first, this keeps it a 4xx regardless.
        log.warning("number out of range on %s: %r", request.url.path, error)
        return problem(422, "Invalid input", "A number in the request is out of range.")

    @app.exception_handler(Exception)
    def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Never leak a traceback to the caller; it goes to the log.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500, "Internal Server Error", "Something went wrong on our side; it has been logged."
        )

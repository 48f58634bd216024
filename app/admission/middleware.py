"""The door every HTTP request passes first (outermost middleware).

FastAPI reads and parses a declared body before the dependencies that check the caller run,
and a route's thread waits for the whole body; so here, before the application sees anything:

1. the request line and headers: exactly one Authorization header (400), no NUL in the path or
   query (400);
2. the caller, resolved from its credentials in a worker thread with a time limit (503 when the
   database does not answer in time), and kept in the request's state for `get_principal`.
   An API key that authenticated before is not looked up again while the access epoch has
   not moved (`known_keys`): the request then costs one shared read of the ledger snapshot
   (app/read_cache/shared_read.py), which the read cache uses too;
3. the body: none is read from an unauthenticated caller (401 at once, unread), except on the
   few paths the app opens to anonymous bodies (a sign-in form), and then only small ones.
   A body is read here, while it streams, up to the size limit (413, chunked or not) and the
   time limit (408), then checked (`body_checks`) and handed on whole.

A client trickling a body a byte at a time therefore costs one waiting coroutine, never a
request slot (app/request_limit.py) or a thread: /healthz and everyone else keep answering.
"""

from __future__ import annotations

import math
from typing import Any

import anyio
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.admission.authentication import resolve_principal
from app.admission.body_checks import refusal_of
from app.admission.known_keys import key_digest
from app.principal import Principal
from app.problems import database_unavailable, problem
from app.read_cache.ledger import LedgerSnapshot

PRINCIPAL = "principal"  # key in the request's state (`request.state.principal`)
SNAPSHOT = "ledger_snapshot"  # the snapshot read for this request, if one was
CHECK_IN_THREAD_BYTES = 256 * 1024  # bigger bodies are checked off the event loop


def principal_of(scope: Scope) -> Principal | None:
    found: Principal | None = (scope.get("state") or {}).get(PRINCIPAL)
    return found


def snapshot_of_request(scope: Scope) -> LedgerSnapshot | None:
    """The ledger snapshot admission read after this request arrived; None if it read none."""
    found: LedgerSnapshot | None = (scope.get("state") or {}).get(SNAPSHOT)
    return found


class Admission:
    """ASGI middleware. Reads the app's `state` at each request (settings, `open_session`,
    `authenticators`, `anonymous_body_paths`), so the tests can swap what they need."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings = state.settings
        refusal = _request_line_refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_state = scope.setdefault("state", {})
        try:
            principal = await _authenticate(state, headers, request_state, settings)
        except (SQLAlchemyError, TimeoutError):
            await database_unavailable()(scope, receive, send)
            return
        request_state[PRINCIPAL] = principal
        if _has_body(headers):
            if principal is None and scope["path"] not in state.anonymous_body_paths:
                await _closing(_unauthenticated(state, scope["path"]))(scope, receive, send)
                return
            limit = settings.max_body_bytes if principal else settings.anonymous_body_bytes
            outcome = await _read_body(
                receive, headers, limit=limit, timeout=settings.request_body_timeout_seconds
            )
            if outcome is None:
                return  # the client went away
            if isinstance(outcome, Response):
                await outcome(scope, receive, send)
                return
            checked = await _checked(headers.get("content-type", ""), outcome)
            if checked is not None:
                await checked(scope, receive, send)
                return
            receive = _replaying(outcome, receive)
        await self.app(scope, receive, send)


def _unauthenticated(state: Any, path: str) -> Response:
    """The answer to a body from nobody: a door may give its own under its path prefix (the
    web app sends a browser whose session ended to a page that says so), else a 401 problem."""
    for prefix, answer in state.unauthenticated_answers.items():
        if path.startswith(prefix):
            response: Response = answer()
            return response
    return problem(
        401, "Not authenticated", "Authenticate before sending a body: Authorization: Bearer <key>."
    )


def _request_line_refusal(scope: Scope) -> Response | None:
    authorizations = [value for name, value in scope["headers"] if name == b"authorization"]
    if len(authorizations) > 1:
        return problem(
            400, "Bad Request", "Send exactly one Authorization header; this request has several."
        )
    query = scope.get("query_string", b"")
    if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
        return problem(400, "Bad Request", "The path or query contains a NUL character.")
    return None


async def _authenticate(
    state: Any, headers: Headers, request_state: dict[str, Any], settings: Any
) -> Principal | None:
    """The caller: from the known keys when the access epoch has not moved since its key
    authenticated, else from the database (and then known, at the epoch read before)."""
    authorization = headers.get("authorization")
    if authorization is None:
        return await _resolve(state, headers, settings.authentication_timeout_seconds)
    snapshot: LedgerSnapshot | None = await state.ledger_snapshots.current()
    request_state[SNAPSHOT] = snapshot
    if snapshot is None:  # no answer in time: the database decides, as it always did
        return await _resolve(state, headers, settings.authentication_timeout_seconds)
    digest = key_digest(authorization)
    principal: Principal | None = state.known_keys.get(digest, snapshot.access_epoch)
    if principal is None:
        principal = await _resolve(state, headers, settings.authentication_timeout_seconds)
        if principal is not None:
            state.known_keys.put(digest, snapshot.access_epoch, principal)
    return principal


async def _resolve(state: Any, headers: Headers, timeout: float) -> Principal | None:
    authenticators = state.authenticators
    if "authorization" not in headers and not authenticators:
        return None  # nothing to look up: no database round trip

    def resolve() -> Principal | None:
        with state.open_session() as session:
            return resolve_principal(session, headers, authenticators)

    # A hung database must not hold the request past the limit: the thread is left to finish
    # (its connect and statement time-outs end it) and the request answers 503 now.
    with anyio.fail_after(timeout):
        return await anyio.to_thread.run_sync(resolve, abandon_on_cancel=True)


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() != "0"
    return "chunked" in headers.get("transfer-encoding", "").lower()


async def _read_body(
    receive: Receive, headers: Headers, *, limit: int, timeout: float
) -> bytes | Response | None:
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        return _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    deadline = anyio.current_time() + timeout
    while True:
        message: Message | None = None
        with anyio.move_on_after(max(0.0, deadline - anyio.current_time())):
            message = await receive()
        if message is None:
            return _closing(
                problem(
                    408,
                    "Request Timeout",
                    f"The body did not arrive within {_seconds(timeout)} seconds.",
                )
            )
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return _too_large(size, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _checked(content_type: str, body: bytes) -> Response | None:
    if len(body) > CHECK_IN_THREAD_BYTES:
        refusal = await anyio.to_thread.run_sync(refusal_of, content_type, body)
    else:
        refusal = refusal_of(content_type, body)
    if refusal is None:
        return None
    return problem(422, refusal.title, refusal.detail)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        after: Message = await receive()  # after the body: wait for the client to go away
        return after

    return replay


def _too_large(size: int, limit: int) -> Response:
    return _closing(
        problem(
            413, "Payload too large", f"The body is at least {size:,} bytes, more than {limit:,}."
        )
    )


def _closing(response: Response) -> Response:
    # The rest of the body is never read: the connection cannot carry another request.
    response.headers["Connection"] = "close"
    return response


def _seconds(value: float) -> str:
    return str(int(value)) if math.isclose(value, int(value)) else f"{value:g}"

"""Repeated reads answered from memory while the ledger has not changed.

A dashboard polling its contract, fifty readers of the same evaluation, an auditor paging the
log twice: each such GET used to load the contract with its versions and grants through the
ORM and serialise the answer again — ~10 ms of CPU for the same bytes. A route that declares
the `CachedRead` dependency says its answer depends only on the caller, the request, the
ledger and today's date; its 200 answers are kept, keyed by exactly those, and served again
only while the ledger version (app/read_cache/ledger.py) is the one they were computed at. The
version is read before the route runs, so a kept answer never reflects a ledger older than its
version; any commit makes every kept answer unreachable.

Nothing else is relaxed. This middleware sits inside app/admission, which resolves the caller
on every request — from the database, or from the keys it knows while the access epoch has not
moved: answers are keyed by the *authenticated* principal (never by the raw header), and a key
revoked — even directly in the database, with no audit entry — is refused before a kept answer
could be sent. Conditional requests, requests without a resolved caller and anything but GET
pass straight through. The version is the one admission read for this request (one shared read
in a worker thread with a short time limit, app/read_cache/shared_read.py), or read the same way
here for a caller of another door (a web session): a database that does not answer costs a
cache miss, never the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request

from app.admission.middleware import principal_of, snapshot_of_request
from app.clock import today
from app.read_cache.ledger import LedgerSnapshot
from app.read_cache.store import ResponseStore, StoredResponse

CACHED_READ_MARK = "tranche.cached_read"


async def declare_cached_read(request: Request) -> None:  # async: no worker thread
    """The route's answer is a function of the caller, the request, the ledger and today's
    date, nothing else (not the time of day, not a setting that changes while the process
    runs, not a side effect such as an access log): it may be kept and served again."""
    request.scope[CACHED_READ_MARK] = True


# `@router.get(..., dependencies=[CachedRead])`
CachedRead = Depends(declare_cached_read)

BYPASS_HEADERS = (b"if-none-match", b"if-modified-since", b"if-match", b"range")

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class CachedReads:
    """ASGI middleware around the application, inside admission (so a hit costs the caller's
    authentication, the ledger version and writing the bytes)."""

    def __init__(
        self,
        app: Any,
        *,
        ledger_snapshot: Callable[[], Awaitable[LedgerSnapshot | None]],
        max_bytes: int,
    ):
        self.app = app
        self.ledger_snapshot = ledger_snapshot
        self.store = ResponseStore(max_bytes=max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _cache_key(scope)
        version = await self._version(scope) if key is not None else None
        if key is None or version is None:
            await self.app(scope, receive, send)
            return
        kept = self.store.get(key, version)
        if kept is not None:
            await send(
                {"type": "http.response.start", "status": kept.status, "headers": kept.headers}
            )
            await send({"type": "http.response.body", "body": kept.body})
            return
        recorder = _Recorder(send, limit=self.store.max_entry_bytes)
        await self.app(scope, receive, recorder.send)
        if scope.get(CACHED_READ_MARK) and recorder.complete and recorder.status == 200:
            self.store.put(key, version, recorder.response())

    async def _version(self, scope: Scope) -> int | None:
        snapshot = snapshot_of_request(scope)
        if snapshot is None:
            snapshot = await self.ledger_snapshot()
        return None if snapshot is None else snapshot.version


def _cache_key(scope: Scope) -> tuple[Any, ...] | None:
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    principal = principal_of(scope)
    headers = dict(scope["headers"])
    if principal is None or any(name in headers for name in BYPASS_HEADERS):
        return None
    return (
        principal,
        scope["path"],
        scope["query_string"],
        headers.get(b"accept", b""),
        today(),
    )


class _Recorder:
    """Passes a response through while keeping a copy of it, up to ``limit`` body bytes."""

    def __init__(self, send: Send, *, limit: int):
        self._send = send
        self._limit = limit
        self.status = 0
        self.headers: tuple[tuple[bytes, bytes], ...] = ()
        self._chunks: list[bytes] = []
        self._size = 0
        self.complete = False
        self._too_big = False

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = tuple(message.get("headers", ()))
        elif message["type"] == "http.response.body" and not self._too_big:
            body = message.get("body", b"")
            self._size += len(body)
            self._too_big = self._size > self._limit
            if self._too_big:
                self._chunks.clear()
            else:
                self._chunks.append(body)
            self.complete = not self._too_big and not message.get("more_body", False)
        await self._send(message)

    def response(self) -> StoredResponse:
        return StoredResponse(self.status, self.headers, b"".join(self._chunks))

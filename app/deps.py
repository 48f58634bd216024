"""The FastAPI dependencies every router uses, as `Annotated` aliases in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.admission.middleware import principal_of
from app.config import Settings
from app.db import begin_reading
from app.errors import NotAuthenticated
from app.event_loops import PerEventLoop
from app.organisations.service import KEY_REQUIRED
from app.principal import Principal

# Only for the OpenAPI document (the security scheme): the key is checked by app/admission
# before the route runs, and before any body is read.
_bearer = HTTPBearer(auto_error=False, description="An API key created with `tranche key create`.")


def get_session(request: Request) -> Iterator[Session]:
    # Services commit, through the unit of work; this only guarantees the session is closed
    # (and rolled back if a service raised before committing). The transaction starts as a
    # reader: the unit of work begins the write (app/unit_of_work.py).
    with request.app.state.open_session() as session:
        yield session


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]

T = TypeVar("T")


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """`work(session)` in one trip to a worker thread, the session opened and closed there.

    For the hot reads (`async def` routes): a plain route with `SessionDep` takes three trips
    (opening the session, the route, closing it) and a fourth to check its response model;
    on a loaded 2-core server each trip is a thread hand-off and a fight for the GIL. What
    `work` returns is built in the thread — touch no lazy attribute after it returns. `work`
    only reads: on PostgreSQL it runs in autocommit (app/db.py `begin_reading`)."""

    def run() -> T:
        with request.app.state.open_session() as session:
            begin_reading(session)
            return work(session)

    return await anyio.to_thread.run_sync(
        run, limiter=_hot_read_threads(request.app.state).current()
    )


# At most this many hot reads run at once per worker process; the rest wait their turn, first
# come first served. Fifty clients on two cores measured (bench/stored.py, first reads): with
# every read in a thread of its own (anyio's 40), a few dozen threads fight the event loop for
# the GIL; with 4, throughput rose ~30 % and p99 fell by a third — a read of a few ms that
# waits its turn finishes sooner than one interleaved with twenty others.
HOT_READ_THREADS = 4


def _hot_read_threads(state: Any) -> PerEventLoop[anyio.CapacityLimiter]:
    """The worker's limiters, one per event loop (a test client's loop gets its own)."""
    kept: PerEventLoop[anyio.CapacityLimiter] | None = getattr(state, "hot_read_threads", None)
    if kept is None:
        kept = state.hot_read_threads = PerEventLoop(
            lambda: anyio.CapacityLimiter(HOT_READ_THREADS)
        )
    return kept


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_principal(  # async: pure, so no trip to a worker thread
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller app/admission resolved from the request's credentials."""
    principal = principal_of(request.scope)
    if principal is None:
        raise NotAuthenticated(KEY_REQUIRED)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def read_raw_body(request: Request) -> bytes:
    """The request body as sent, so routes can stay plain `def` (run in the thread pool).
    app/admission has already read it (within the limits) from an authenticated caller."""
    return await request.body()


RawBody = Annotated[bytes, Depends(read_raw_body)]

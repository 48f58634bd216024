"""`create_app(settings)`: builds the service. Nothing is built at import time.
`create_served_app()`: the same, for a server process of its own (`tranche serve`)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.admission.known_keys import KnownKeys
from app.admission.middleware import Admission
from app.api_document import declare_problems
from app.audit.checkpoints import keyring_from
from app.audit.router import router as audit_router
from app.audit.signing import KEYRING_INFO
from app.bundles.router import router as bundles_router
from app.config import Settings, get_settings
from app.contracts.router import router as contracts_router
from app.db import POOL, make_engine, make_session_factory, session_opener
from app.engine.definition import Definition
from app.evaluation.router import router as evaluation_router
from app.health.router import router as health_router
from app.ingestion.router import router as ingestion_router
from app.obligations.router import router as obligations_router
from app.problems import install_problem_handlers
from app.read_cache.ledger import LedgerVersion
from app.read_cache.middleware import CachedReads
from app.read_cache.shared_read import SharedRead
from app.reports.router import router as reports_router
from app.request_limit import RequestLimit
from app.statements.router import router as statements_router
from app.web.install import install_web

ROUTERS = [
    health_router,
    contracts_router,
    ingestion_router,
    evaluation_router,
    obligations_router,
    statements_router,
    reports_router,
    audit_router,
    bundles_router,
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_closing_ledger,
        title="Tranche",
        version="1.0.0",
        description="The neutral ledger for outcome-based K-12 contracts.",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, timeouts=settings.database_timeouts())
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.keyring = keyring_from(settings)
    app.state.session_factory.configure(info={KEYRING_INFO: app.state.keyring})
    app.state.open_session = session_opener(app.state.session_factory)  # the tests swap it
    # Other doors plug in here (the web app's session cookie; app/admission/authentication.py),
    # and name the paths that take a (small) body before sign-in.
    app.state.authenticators = []
    app.state.anonymous_body_paths = set()
    app.state.unauthenticated_answers = {}  # path prefix → the answer to a body from nobody
    app.state.ledger = LedgerVersion(
        app.state.engine, wait_seconds=settings.ledger_read_timeout_seconds
    )
    app.state.ledger_state = app.state.ledger.read  # the tests read through their transaction
    # One read of the ledger version and access epoch shared by the requests waiting for it
    # (app/read_cache/shared_read.py); admission knows keys per epoch (app/admission/known_keys).
    app.state.ledger_snapshots = SharedRead(
        lambda: app.state.ledger_state(), timeout=settings.ledger_read_timeout_seconds
    )
    app.state.known_keys = KnownKeys()
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app, settings)
    # The last added runs first: admission (the caller, the body), then a kept answer, then a
    # request slot — so a slow body or a cache hit never holds a slot.
    app.add_middleware(
        RequestLimit,
        limit=POOL["pool_size"] + POOL["max_overflow"],
        wait_seconds=settings.request_queue_timeout_seconds,
    )
    if settings.read_cache_bytes:
        app.add_middleware(
            CachedReads,
            ledger_snapshot=lambda: app.state.ledger_snapshots.current(),
            max_bytes=settings.read_cache_bytes,
        )
    app.add_middleware(Admission)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def create_served_app() -> FastAPI:
    """The factory each `tranche serve` worker process calls: the app, then its heap frozen.

    What exists once the app is built (the modules of FastAPI, SQLAlchemy, pydantic, pandas,
    pyarrow and ours, their classes, the routes) lives as long as the process. Python's full
    collection still walked all of it, 150-200 ms a time with the worker holding the GIL, ~19
    times in a 35 s load: every request in flight waited, and that was the p99 of first reads
    (bench/RESULTS.md). Frozen objects are left out of collections; garbage made later is
    collected as before. Not in `create_app`, which the tests call hundreds of times in one
    process: a frozen cycle is never freed."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


@asynccontextmanager
async def _closing_ledger(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.ledger.close()  # its connection is its own, outside the engine's pool


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        definition_schema = Definition.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components.update(definition_schema.pop("$defs", {}))
        components["ContractDefinition"] = definition_schema
        app.openapi_schema = declare_problems(schema)
    return app.openapi_schema

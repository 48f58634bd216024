"""`tranche serve`: the HTTP service under uvicorn."""

from __future__ import annotations

import os

import typer
import uvicorn

from app import migrate
from app.config import get_settings

GRACEFUL_SHUTDOWN_SECONDS = 10


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Server processes [default: one per core]. Python runs one thread at a time "
        "per process, so using more cores takes more processes (bench/RESULTS.md).",
    ),
    upgrade: bool = typer.Option(True, help="Run the migrations first (idempotent)."),
) -> None:
    settings = get_settings()
    if upgrade:
        migrate.upgrade(settings.database_url)
    # Each worker builds its own app (its own pool, read cache and evaluation cache) from the
    # same environment, so the factory is named, not passed.
    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers or os.cpu_count() or 1,
        # SIGTERM: stop accepting, give requests in flight this long, then close regardless
        # (a request stuck on a database that never answers must not keep the process alive).
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )

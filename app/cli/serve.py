"""`tranche serve`: the HTTP service under uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from app import migrate
from app.config import get_settings
from app.main import create_app


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    upgrade: bool = typer.Option(True, help="Run the migrations first (idempotent)."),
) -> None:
    settings = get_settings()
    if upgrade:
        migrate.upgrade(settings.database_url)
    uvicorn.run(create_app(settings), host=host, port=port)

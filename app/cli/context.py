"""What every CLI command needs: settings and a session on the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from app.config import Settings, get_settings
from app.db import make_engine, make_session_factory
from app.errors import DomainError, InvalidInput


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session for one command; domain errors become a message and exit code 2."""
    engine = make_engine((settings or get_settings()).database_url)
    session = make_session_factory(engine)()
    try:
        yield session
    except DomainError as error:
        session.rollback()
        typer.echo(f"error: {error.detail}", err=True)
        if isinstance(error, InvalidInput):
            for problem in error.problems:
                typer.echo(
                    f"  {problem.get('path', '')}: {problem.get('message', problem)}", err=True
                )
        raise typer.Exit(2) from error
    finally:
        session.close()
        engine.dispose()

"""What every CLI command needs: settings and a session on the configured database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from app.audit.checkpoints import keyring_from
from app.audit.signing import KEYRING_INFO
from app.config import Settings, get_settings
from app.db import make_engine, make_session_factory
from app.errors import DomainError, InvalidInput


@contextmanager
def cli_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session for one command; domain errors become a message and exit code 2."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    factory.configure(info={KEYRING_INFO: keyring_from(settings)})
    session = factory()
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

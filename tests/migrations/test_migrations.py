"""The migrations alone build the schema, on SQLite and PostgreSQL: up, down, up again."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from app import migrate
from app.db import make_engine
from app.models import Base


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"tranche_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_and_upgrade_again(empty_database_url):
    migrate.upgrade(empty_database_url)
    assert tables(empty_database_url) == set(Base.metadata.tables)
    migrate.downgrade(empty_database_url, "base")
    assert tables(empty_database_url) == set()
    migrate.upgrade(empty_database_url)
    assert tables(empty_database_url) == set(Base.metadata.tables)


def test_models_and_migrations_do_not_drift(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []

"""The real ledger version reader, on committed data in a database of its own.

The rest of the suite reads the version through its test transaction; this proves the
production reader — its own autocommit connection, on SQLite and on PostgreSQL — sees every
commit at once, recovers from a broken connection, and keeps the read cache honest across
connections.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from app import migrate
from app.admission import middleware
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.read_cache.ledger import NO_ENTRIES_YET, LedgerVersion


@pytest.fixture
def fresh_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated database nothing else uses: the suite's kind (SQLite or PostgreSQL)."""
    shared = os.environ.get("TRANCHE_TEST_DATABASE_URL")
    if not shared:
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"tranche_ledger_{uuid.uuid4().hex[:12]}"
    admin = make_url(Settings(database_url=shared).database_url)
    admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = Settings(database_url=str(admin.set(database=name).render_as_string(False))).database_url
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def engine(fresh_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()


def add_district(engine: Engine, key: str) -> str:
    """Commits an organisation and a key through the services; returns the secret."""
    with make_session_factory(engine)() as session:
        organisations.create_organisation(session, key=key, kind=OrganisationKind.district)
        _, secret = organisations.create_api_key(
            session, organisation_key=key, system_name="tests", role=Role.approver
        )
    return secret


def test_every_commit_moves_the_version_at_once(engine):
    reader = LedgerVersion(engine)
    assert reader.read() == (NO_ENTRIES_YET, 0)
    add_district(engine, "ector-isd")  # two entries: the organisation and its key
    after = reader.read()
    assert after is not None and after.version > NO_ENTRIES_YET
    add_district(engine, "other-isd")
    newest = reader.read()
    assert newest is not None and newest.version > after.version
    assert reader.read() == newest  # nothing committed, nothing moved
    reader.close()


def test_a_broken_connection_gives_no_version_then_a_new_connection(engine):
    reader = LedgerVersion(engine)
    assert reader.read() == (NO_ENTRIES_YET, 0)
    reader._connection.close()  # as if the server had gone away
    assert reader.read() is None
    assert reader.read() == (NO_ENTRIES_YET, 0)
    reader.close()


def test_an_unreachable_database_gives_no_version_and_the_request_its_usual_answer(tmp_path):
    """No version means no cache: the request goes to the application, which answers as it
    does when the database is down (here /healthz's 503), not with a bare server error."""
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'tranche.db'}"
    reader = LedgerVersion(make_engine(url))
    assert reader.read() is None
    app = create_app(Settings(database_url=url))
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/healthz", headers={"Authorization": "Bearer trk_x_y"})
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    app.state.engine.dispose()


def test_the_service_refuses_a_key_revoked_by_another_process(fresh_url, engine):
    """`tranche key revoke` commits from another process; the server's kept answers for
    that key must stop at once."""
    secret = add_district(engine, "ector-isd")
    headers = {"Authorization": f"Bearer {secret}"}
    app = create_app(Settings(database_url=fresh_url))
    try:
        with TestClient(app) as client:
            assert client.get("/v1/contracts", headers=headers).status_code == 200
            assert client.get("/v1/contracts", headers=headers).status_code == 200
            with make_session_factory(engine)() as session:
                prefix = secret.split("_")[1]
                organisations.revoke_api_key(session, prefix=prefix)
            assert client.get("/v1/contracts", headers=headers).status_code == 401
    finally:
        app.state.engine.dispose()


def test_a_key_revoked_by_hand_from_another_connection_is_refused_at_once(
    fresh_url, engine, monkeypatch
):
    """The server knows the key (no database lookup on its second request); an UPDATE
    committed by someone else in SQL, with no audit entry, moves the access epoch, and the
    very next request looks the key up again and is refused."""
    secret = add_district(engine, "ector-isd")
    headers = {"Authorization": f"Bearer {secret}"}
    lookups: list[object] = []
    real = middleware.resolve_principal
    monkeypatch.setattr(
        middleware, "resolve_principal", lambda *args: lookups.append(1) or real(*args)
    )
    app = create_app(Settings(database_url=fresh_url))
    try:
        with TestClient(app) as client:
            for _ in range(3):
                assert client.get("/v1/contracts", headers=headers).status_code == 200
            assert len(lookups) == 1
            with engine.begin() as connection:
                connection.execute(
                    text("UPDATE api_keys SET revoked_at = created_at WHERE prefix = :prefix"),
                    {"prefix": secret.split("_")[1]},
                )
            assert client.get("/v1/contracts", headers=headers).status_code == 401
            assert len(lookups) == 2
    finally:
        app.state.engine.dispose()

"""A database that does not answer costs a request seconds and a 503, never the worker
(issue #14, item 3; SPEC §3 "Limits")."""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from tests.admission.fake_database import Relay, silent_database
from tests.admission.live import get, request, serving, status_of
from tests.read_cache.test_ledger_version import fresh_url  # noqa: F401 - a fixture

QUICK = {
    "database_connect_timeout_seconds": 2,
    "authentication_timeout_seconds": 3,
    "database_pool_timeout_seconds": 3,
}


def test_a_database_that_never_answers_gives_503_within_seconds_and_others_are_served():
    with silent_database() as database:
        url = f"postgresql+psycopg://tranche@127.0.0.1:{database.port}/tranche"
        app = create_app(Settings(database_url=url, **QUICK))
        with serving(app) as address:
            answers: dict[str, bytes] = {}
            keyed = get("/v1/contracts", {"Authorization": "Bearer trk_abc_def"})
            waiting = threading.Thread(target=lambda: answers.update(keyed=request(address, keyed)))
            waiting.start()
            assert database.accepted.wait(20)
            # While that request waits on the database, the worker answers everyone else.
            assert status_of(request(address, get("/openapi.json"))) == 200
            waiting.join(30)
            assert status_of(answers["keyed"]) == 503
            assert b"application/problem+json" in answers["keyed"]
            assert status_of(request(address, get("/healthz"))) == 503
        app.state.engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TRANCHE_TEST_DATABASE_URL"), reason="needs PostgreSQL to restart"
)
def test_while_postgresql_restarts_requests_get_503_and_service_resumes_by_itself(
    fresh_url,  # noqa: F811
):
    engine = make_engine(fresh_url)
    with make_session_factory(engine)() as session:
        organisations.create_organisation(session, key="ector-isd", kind=OrganisationKind.district)
        _, secret = organisations.create_api_key(
            session, organisation_key="ector-isd", system_name="sis", role=Role.approver
        )
    engine.dispose()
    real = make_url(fresh_url)
    relay = Relay((real.host or "127.0.0.1", real.port or 5432))
    through_relay = real.set(host="127.0.0.1", port=relay.port).render_as_string(False)
    app = create_app(Settings(database_url=through_relay, read_cache_bytes=0, **QUICK))
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        with serving(app) as address:
            assert status_of(request(address, get("/v1/contracts", headers))) == 200
            relay.restart()
            assert status_of(request(address, get("/v1/contracts", headers))) == 503
            assert status_of(request(address, get("/healthz"))) == 503
            relay.resume()
            assert status_of(request(address, get("/v1/contracts", headers))) == 200
            assert status_of(request(address, get("/healthz"))) == 200
    finally:
        relay.close()
        app.state.engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TRANCHE_TEST_DATABASE_URL"), reason="needs PostgreSQL to freeze"
)
def test_a_frozen_postgresql_gets_its_connections_back_and_service_resumes(
    fresh_url,  # noqa: F811
):
    """A server stopped after the connection is made never enforces its statement_timeout:
    the client-side watchdog frees the waiting thread and its pooled connection anyway."""
    engine = make_engine(fresh_url)
    with make_session_factory(engine)() as session:
        organisations.create_organisation(session, key="ector-isd", kind=OrganisationKind.district)
        _, secret = organisations.create_api_key(
            session, organisation_key="ector-isd", system_name="sis", role=Role.approver
        )
    engine.dispose()
    real = make_url(fresh_url)
    relay = Relay((real.host or "127.0.0.1", real.port or 5432))
    through_relay = real.set(host="127.0.0.1", port=relay.port).render_as_string(False)
    settings = Settings(
        database_url=through_relay,
        read_cache_bytes=0,
        database_statement_timeout_seconds=1,
        **QUICK,
    )
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        with serving(app) as address:
            assert status_of(request(address, get("/v1/contracts", headers))) == 200
            relay.freeze()
            assert status_of(request(address, get("/v1/contracts", headers))) == 503
            pool = app.state.engine.pool
            for _ in range(200):  # the watchdog's deadline is seconds; this is a bound
                if pool.checkedout() == 0:
                    break
                time.sleep(0.1)
            assert pool.checkedout() == 0  # while the server is still frozen
            relay.resume()
            assert status_of(request(address, get("/v1/contracts", headers))) == 200
    finally:
        relay.close()
        app.state.engine.dispose()

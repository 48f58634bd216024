"""On SQLite, a request holds the one write lock only while its unit of work writes: not
while an upload is parsed, not while a report renders (issue #14, item 6). Another writer,
allowed to wait only 200 ms, writes during both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.db import make_engine, make_session_factory
from app.ingestion import service as ingestion
from app.main import create_app
from app.migrate import upgrade
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.reports import service as reports
from tests.conftest import SIMPLE_DEFINITION


def write_quickly(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA busy_timeout=200")
            with connection.begin():
                connection.execute(text("CREATE TABLE IF NOT EXISTS notes (body TEXT)"))
                connection.execute(text("INSERT INTO notes VALUES ('written meanwhile')"))
    finally:
        engine.dispose()


@pytest.fixture
def service(tmp_path) -> Iterator[tuple[TestClient, str, dict[str, dict[str, str]]]]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    upgrade(url)
    engine = make_engine(url)
    headers = {}
    with make_session_factory(engine)() as session:
        parties = (
            ("ector-isd", "district"),
            ("bright-tutors", "vendor"),
            ("tx-state-audit", "auditor"),
        )
        for key, kind in parties:
            organisations.create_organisation(session, key=key, kind=OrganisationKind(kind))
            _, secret = organisations.create_api_key(
                session, organisation_key=key, system_name="sis", role=Role.approver
            )
            headers[key] = {"Authorization": f"Bearer {secret}"}
    engine.dispose()
    app = create_app(Settings(database_url=url, read_cache_bytes=0))
    with TestClient(app) as client:
        assert (
            client.post(
                "/v1/contracts", json=SIMPLE_DEFINITION, headers=headers["ector-isd"]
            ).status_code
            == 201
        )
        path = "/v1/contracts/ector-hdt-2026"
        assert client.post(f"{path}/accept", headers=headers["bright-tutors"]).status_code == 200
        yield client, url, headers
    app.state.engine.dispose()


def test_an_upload_is_parsed_without_the_write_lock(service, monkeypatch):
    client, url, headers = service
    parse = ingestion._parsed

    def parsed_while_another_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        write_quickly(url)  # "database is locked" if this request held the lock
        return parse(*args, **kwargs)

    monkeypatch.setattr(ingestion, "_parsed", parsed_while_another_writes)
    posted = client.post(
        "/v1/contracts/ector-hdt-2026/roster",
        content="student_id,grade\nS1,3\n",
        headers={**headers["ector-isd"], "content-type": "text/csv"},
    )
    assert posted.status_code == 201, posted.text


def test_a_report_renders_without_the_write_lock(service, monkeypatch):
    client, url, headers = service
    render = reports.render

    def rendered_while_another_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        write_quickly(url)
        return render(*args, **kwargs)

    monkeypatch.setattr(reports, "render", rendered_while_another_writes)
    report = client.get(
        "/v1/contracts/ector-hdt-2026/report",
        params={"as_of": "2027-06-30"},
        headers=headers["ector-isd"],
    )
    assert report.status_code == 200, report.text
    reads = client.get("/v1/contracts/ector-hdt-2026/report/reads", headers=headers["ector-isd"])
    assert len(reads.json()) == 1

"""Bodies against a real server (issue #14, item 2): an unauthenticated body is refused
unread, a body over the limit while it streams, a body too slow with 408, and clients
trickling bodies a byte at a time do not stop /healthz or anyone else."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from app.config import Settings
from app.db import POOL, make_engine, make_session_factory
from app.main import create_app
from app.migrate import upgrade
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from tests.admission.live import get, read_answer, request, serving, status_of


@pytest.fixture(scope="module")
def live_database(tmp_path_factory) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A SQLite file of its own (committed rows; the suite's transaction is not visible to a
    server thread), with one district key."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        organisations.create_organisation(session, key="ector-isd", kind=OrganisationKind.district)
        _, secret = organisations.create_api_key(
            session, organisation_key="ector-isd", system_name="sis", role=Role.approver
        )
    engine.dispose()
    return url, secret


@pytest.fixture
def live(live_database) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    url, secret = live_database
    app = create_app(
        Settings(database_url=url, max_upload_bytes=1024 * 1024, request_body_timeout_seconds=2)
    )
    with serving(app) as address:
        yield address, secret
    app.state.engine.dispose()


def post_head(path: str, length: int | None, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: test", "Content-Type: application/json"]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_an_unauthenticated_300_mb_body_is_refused_without_being_read(live):
    address, _ = live
    # Only the headers are sent: the answer comes without the server waiting for the body.
    answer = request(address, post_head("/v1/contracts", 300 * 1024 * 1024))
    assert status_of(answer) == 401
    assert b"application/problem+json" in answer


def test_a_body_declared_over_the_limit_is_refused_before_it_is_sent(live):
    address, secret = live
    head = post_head("/v1/contracts", 300 * 1024 * 1024, {"Authorization": f"Bearer {secret}"})
    assert status_of(request(address, head)) == 413


def test_a_chunked_body_is_refused_once_it_passes_the_limit(live):
    address, secret = live
    chunk = b"x" * 65536
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    with socket.create_connection(address, timeout=20) as connection:
        connection.sendall(post_head("/v1/contracts", None, {"Authorization": f"Bearer {secret}"}))
        try:
            for _ in range(64):  # 4 MiB offered, the limit is 1 MiB (+ multipart framing)
                connection.sendall(framed)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        answer = read_answer(connection)
    assert status_of(answer) == 413


def test_a_body_that_does_not_arrive_in_time_gets_408(live):
    address, secret = live
    with socket.create_connection(address, timeout=20) as connection:
        connection.sendall(post_head("/v1/contracts", 100, {"Authorization": f"Bearer {secret}"}))
        connection.sendall(b"{")  # then nothing more
        answer = read_answer(connection)
    assert status_of(answer) == 408


def test_clients_trickling_bodies_do_not_stop_healthz_or_other_requests(live):
    """More trickling clients than the service has request slots (the review's 40 sockets)."""
    address, secret = live
    authorised = {"Authorization": f"Bearer {secret}"}
    slots = POOL["pool_size"] + POOL["max_overflow"]
    with ExitStack() as stack:
        for number in range(slots + 10):
            connection = stack.enter_context(socket.create_connection(address, timeout=20))
            headers = authorised if number % 2 else {}
            # Authenticated ones wait for their body; anonymous ones are refused at once.
            connection.sendall(post_head("/v1/contracts", 1000, headers) + b"[")
        assert status_of(request(address, get("/healthz"))) == 200
        assert status_of(request(address, get("/v1/contracts", authorised))) == 200

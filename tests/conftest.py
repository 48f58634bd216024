"""Shared fixtures. The schema is always built by the real Alembic migrations.

Set TRANCHE_TEST_DATABASE_URL to run the suite on PostgreSQL (a throwaway database: the suite
empties it first); by default it runs on a SQLite file in a temporary folder.
"""

from __future__ import annotations

import base64
import copy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import migrate
from app.audit.signing import KEYRING_INFO
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.organisations import passwords, people
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.read_cache.ledger import SNAPSHOT, snapshot_of


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TRANCHE_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return Settings(database_url=url).database_url


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(migrated_engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one outer transaction rolled back after
    the test: services commit as in production, nothing leaks into the next test."""
    connection = migrated_engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


# The suite's audit signing key (SPEC §3): generated once, given as the key itself.
SIGNING_KEY = base64.b64encode(
    Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
).decode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Generous waits on the test database: a busy CI machine must not turn into 503s. The
    # tests of those limits set their own.
    return Settings(
        database_url=database_url,
        authentication_timeout_seconds=60,
        ledger_read_timeout_seconds=60,
        signing_key=SIGNING_KEY,
    )


@pytest.fixture
def app(settings: Settings, db_session: Session):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    # Admission (who is calling) and the routes both work in the test's own transaction; a
    # request that fails rolls back to the last commit, as its own session would (on
    # PostgreSQL a failed statement would otherwise poison every later request of the test).
    application.state.open_session = lambda: _rolled_back_on_error(db_session)
    db_session.info[KEYRING_INFO] = application.state.keyring  # as the app's sessions carry it
    # The read cache and the known keys must see the test's own uncommitted ledger and access
    # epoch, as the routes do.
    application.state.ledger_state = lambda: snapshot_of(db_session.execute(text(SNAPSHOT)).one())
    yield application
    application.state.engine.dispose()


@contextmanager
def _rolled_back_on_error(session: Session) -> Iterator[Session]:
    try:
        yield session
    except Exception:
        session.rollback()
        raise


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class _Keys(dict[str, dict[str, str]]):
    """`headers[org]`: the organisation's first approver (may do everything its kind may).
    `headers["org:approver"]`, `["org:preparer"]`, `["org:viewer"]`: another person of that
    organisation with that role, made on first use (so a statement drafted with
    `headers[org]` can be approved with `headers["org:approver"]`)."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world

    def __missing__(self, name: str) -> dict[str, str]:
        org, _, role = name.partition(":")
        if not role:
            raise KeyError(name)
        self[name] = self.world.person(org, Role(role), label=role)
        return self[name]


@dataclass
class World:
    """Organisations with people holding API keys. `headers[org]` authenticates as that
    organisation's first approver; see `_Keys` for the other roles."""

    session: Session | None = None
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = _Keys(self)

    def add(self, key: str, kind: OrganisationKind) -> dict[str, str]:
        assert self.session is not None
        organisations.create_organisation(self.session, key=key, kind=kind)
        self.headers[key] = self.person(key, Role.approver, label="first")
        return self.headers[key]

    def person(self, org: str, role: Role, *, label: str) -> dict[str, str]:
        """A new person of `org` with `role`, and an API key for them."""
        assert self.session is not None
        email = f"{label}.{role.value}@{org}.test"
        people.create_person(
            self.session,
            organisation_key=org,
            email=email,
            name=f"{label.title()} {role.value.title()} of {org}",
            role=role,
            password="correct horse battery staple",
        )
        _, secret = organisations.create_api_key(
            self.session, organisation_key=org, person_email=email
        )
        return {"Authorization": f"Bearer {secret}"}

    def system(self, org: str, name: str, role: Role) -> dict[str, str]:
        assert self.session is not None
        _, secret = organisations.create_api_key(
            self.session, organisation_key=org, system_name=name, role=role
        )
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its production cost (64 MiB, 3 passes) per person would dominate the
    suite's time; the tests check behaviour, not the cost parameters."""
    production = passwords._HASHER
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
    yield
    passwords._HASHER = production


@pytest.fixture
def world(db_session: Session) -> World:
    """Two of each kind: `ector-isd` / `bright-tutors` / `tx-state-audit` are the parties to
    the contracts tests create; the `other-*` organisations are strangers to them."""
    the_world = World(session=db_session)
    the_world.add("ector-isd", OrganisationKind.district)
    the_world.add("other-isd", OrganisationKind.district)
    the_world.add("bright-tutors", OrganisationKind.vendor)
    the_world.add("other-vendor", OrganisationKind.vendor)
    the_world.add("tx-state-audit", OrganisationKind.auditor)
    the_world.add("other-audit", OrganisationKind.auditor)
    return the_world


SIMPLE_DEFINITION: dict[str, Any] = {
    "key": "ector-hdt-2026",
    "title": "High-dosage reading tutoring, grades 3-5",
    "district": "ector-isd",
    "vendor": "bright-tutors",
    "currency": "USD",
    "term": {"start": "2026-08-01", "end": "2027-07-31"},
    "holdback": "0.10",
    "population": {"grades": [3, 4, 5]},
    "auditors": ["tx-state-audit"],
    "measures": {
        "minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2027-05-15"},
        "met_goal": {
            "assessment": "map_reading",
            "from_window": "fall-2026",
            "to_window": "spring-2027",
            "value": "met_target",
        },
    },
    "eligibility": [{"measure": "minutes", "at_least": 900}],
    "metrics": {
        "dosage_rate": {
            "share_of": "population",
            "where": [{"measure": "minutes", "at_least": 900}],
        },
        "growers": {"count_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
    },
    "tranches": [
        {"key": "base", "type": "fixed", "amount": "1000.00", "due": "2026-10-01"},
        {
            "key": "fidelity",
            "type": "threshold",
            "metric": "dosage_rate",
            "at_least": "0.75",
            "amount": "500.00",
            "due": "2027-01-31",
        },
        {
            "key": "growth",
            "type": "per_unit",
            "metric": "growers",
            "rate": "100.00",
            "cap": "10000.00",
            "due": "2027-06-30",
        },
    ],
}


@pytest.fixture
def definition() -> Callable[..., dict[str, Any]]:
    """A fresh, valid contract definition (a JSON document); keyword arguments override keys."""

    def build(**overrides: Any) -> dict[str, Any]:
        document = copy.deepcopy(SIMPLE_DEFINITION)
        document.update(overrides)
        return document

    return build


@pytest.fixture
def active_contract(client: TestClient, world: World, definition) -> str:  # type: ignore[no-untyped-def]
    """`ector-hdt-2026`, proposed by ector-isd and accepted by bright-tutors."""
    created = client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    assert created.status_code == 201, created.text
    accepted = client.post(
        "/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"]
    )
    assert accepted.status_code == 200, accepted.text
    return "ector-hdt-2026"

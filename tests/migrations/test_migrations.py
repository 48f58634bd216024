"""The migrations alone build the schema, on SQLite and PostgreSQL: up, down, up again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import migrate
from app.audit.chain import GENESIS_HASH, entry_hash
from app.audit.models import AuditChainHead, AuditEntry
from app.audit.verification import verify_chain
from app.contracts.service import load_contract_documents
from app.db import make_engine
from app.engine import SumWindow
from app.evaluation import repository
from app.ingestion.models import Batch, BatchStatus
from app.ingestion.service import ingest_batch
from app.ingestion.upload import Upload
from app.models import Base
from app.organisations import service as organisations
from app.organisations.keys import new_api_key
from app.organisations.models import OrganisationKind, Role
from app.organisations.service import authenticate
from app.principal import OPERATOR, Principal
from tests.conftest import SIMPLE_DEFINITION


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


def test_entries_and_keys_from_before_people_survive_the_upgrade(empty_database_url):
    """A log written before entries named their actor still verifies after the upgrade, and
    a key made before people existed acts as a named system with its old powers."""
    migrate.upgrade(empty_database_url, "0004")
    engine = make_engine(empty_database_url)
    full, prefix, digest = new_api_key()
    moment = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    fields = dict(
        recorded_at=moment,
        organisation_id=1,
        api_key_id=1,
        action="organisation.created",
        object_type="organisation",
        object_id="ector-isd",
        contract_key=None,
        details="{}",
    )
    old_hash = entry_hash(previous_hash=GENESIS_HASH, **fields)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, key, kind, name, created_at) "
                "VALUES (1, 'ector-isd', 'district', 'Ector', :at)"
            ),
            {"at": moment},
        )
        connection.execute(
            text(
                "INSERT INTO api_keys (id, organisation_id, prefix, secret_sha256, label, "
                "created_at) VALUES (1, 1, :prefix, :digest, '', :at)"
            ),
            {"prefix": prefix, "digest": digest, "at": moment},
        )
        connection.execute(
            text(
                "INSERT INTO audit_entries (recorded_at, organisation_id, api_key_id, action, "
                "object_type, object_id, contract_key, details, previous_hash, entry_hash) "
                "VALUES (:recorded_at, :organisation_id, :api_key_id, :action, :object_type, "
                ":object_id, :contract_key, :details, :previous, :hash)"
            ),
            {**fields, "previous": GENESIS_HASH, "hash": old_hash},
        )
        connection.execute(
            text("UPDATE audit_chain_head SET last_entry_id = 1, last_hash = :hash"),
            {"hash": old_hash},
        )
    migrate.upgrade(empty_database_url)
    with Session(engine) as session:
        entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
        assert [entry.hash_version for entry in entries] == [1]
        assert verify_chain(entries, session.get(AuditChainHead, 1)).ok
        principal = authenticate(session, full)
        assert principal.name == f"system key-{prefix}"
        assert principal.role.value == "approver"
    engine.dispose()


def test_the_totals_of_data_stored_before_them_are_built_by_the_upgrade(empty_database_url):
    """Usage stored before the totals revision (replaced batches, restated days) gets
    totals equal to summing the rows that count, so evaluations read them from the start."""
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine, expire_on_commit=False) as session:
        ids = {}
        for key, kind in (
            ("ector-isd", "district"),
            ("bright-tutors", "vendor"),
            ("tx-state-audit", "auditor"),
        ):
            ids[key] = organisations.create_organisation(
                session, key=key, kind=OrganisationKind(kind)
            ).id
        load_contract_documents(
            session, [("c.json", SIMPLE_DEFINITION)], accept=True, actor=OPERATOR
        )

        def post(feed: str, content: bytes, replaces: str | None = None) -> str:
            poster = "bright-tutors" if feed == "usage" else "ector-isd"
            principal = Principal(
                organisation_id=ids[poster],
                organisation_key=poster,
                kind=OrganisationKind.vendor if feed == "usage" else OrganisationKind.district,
                role=Role.approver,
                api_key_id=None,
                system_name="test",
            )
            outcome = ingest_batch(
                session,
                principal=principal,
                key="ector-hdt-2026",
                feed=feed,
                upload=Upload(content, "text/csv"),
                replaces=replaces,
                max_bytes=1 << 20,
                max_problems=10,
            )
            return outcome.batch.public_id

        post("roster", b"student_id,grade\nS1,3\nS2,4\n")
        first = post("usage", b"student_id,date,minutes\nS1,2026-09-01,10\nS2,2026-09-01,20\n")
        post("usage", b"student_id,date,minutes\nS1,2026-09-01,15\nS1,2026-09-02,5\n")
        post("usage", b"student_id,date,minutes\nS2,2026-09-01,30\n", replaces=first)
    engine.dispose()

    migrate.downgrade(empty_database_url, "20261201_feeds")
    migrate.upgrade(empty_database_url)

    engine = make_engine(empty_database_url)
    window = SumWindow(
        "usage", "minutes", datetime(2026, 9, 1).date(), datetime(2027, 5, 15).date()
    )
    with Session(engine) as session:
        contract_id = session.execute(text("SELECT id FROM contracts")).scalar_one()
        accepted = [
            batch.id
            for batch in session.query(Batch).filter(
                Batch.feed == "usage", Batch.status == BatchStatus.accepted
            )
        ]
        kept = repository.window_sums(
            session, "usage", accepted, [window], current=True, contract_id=contract_id
        )[window]
        scanned = repository.scanned_sums(session, "usage", accepted, [window], current=True)[
            window
        ]
        kept_windows = repository.totals.kept_windows(
            session, contract_id, "usage", [(window.start, window.end)]
        )
    engine.dispose()
    assert (window.start, window.end) in kept_windows  # read from its totals, not the rows
    assert dict(kept.items()) == dict(scanned.items()) == {"S1": 20_000, "S2": 30_000}

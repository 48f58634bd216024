"""Fixtures for the ingestion tests: a small upload limit, a posted roster, row counters, fresh
contracts for the property tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.contracts.models import Contract
from app.ingestion.models import (
    Batch,
    BatchStatus,
    assessment_rows,
    roster_rows,
    schedule_rows,
    usage_rows,
)

SMALL_UPLOAD_LIMIT = 64 * 1024

ROSTER_CSV = b"student_id,grade,school_id,ell\n00123,3,sch-1,true\nS2,4,sch-1,false\nS3,5,sch-2,\n"
ASSESSMENTS_CSV = (
    b"student_id,assessment,window,score,growth_target\n"
    b"00123,map_reading,fall-2026,180,8\n"
    b"00123,map_reading,spring-2027,190,\n"
    b"S2,map_reading,fall-2026,175.5,6\n"
)
USAGE_CSV = (
    b"student_id,date,minutes,sessions\n"
    b"00123,2026-09-02,45,1\n"
    b"00123,2026-09-03,30.5,1\n"
    b"S2,2026-09-02,60,2\n"
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_upload_bytes=SMALL_UPLOAD_LIMIT)


@pytest.fixture
def post(client, world) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """post(feed, content, as_=org, content_type=..., key=..., **request kwargs)."""
    default_poster = {
        "roster": "ector-isd",
        "assessments": "ector-isd",
        "usage": "bright-tutors",
        "schedule": "ector-isd",
    }

    def send(  # type: ignore[no-untyped-def]
        feed: str,
        content: bytes | None = None,
        *,
        as_: str | None = None,
        content_type: str = "text/csv",
        contract: str = "ector-hdt-2026",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ):
        all_headers = dict(world.headers[as_ or default_poster[feed]])
        if content is not None:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        return client.post(
            f"/v1/contracts/{contract}/{feed}", content=content, headers=all_headers, **kwargs
        )

    return send


@pytest.fixture
def roster_batch(active_contract: str, post) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = post("roster", ROSTER_CSV)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def stored(db_session: Session) -> Callable[[], dict[str, int]]:
    """How many batches and data rows contract ector-hdt-2026 holds right now (one contract
    only, so rows that other tests commit for real, e.g. the PostgreSQL races, never count)."""

    def count() -> dict[str, int]:
        ours = (
            select(Batch.id)
            .join(Contract, Contract.id == Batch.contract_id)
            .where(Contract.key == "ector-hdt-2026")
        )

        def rows(table: Any) -> int:
            query = select(func.count()).select_from(table).where(table.c.batch_id.in_(ours))
            return db_session.execute(query).scalar_one()

        return {
            "batches": db_session.execute(
                select(func.count()).select_from(ours.subquery())
            ).scalar_one(),
            "roster_rows": rows(roster_rows),
            "assessment_rows": rows(assessment_rows),
            "usage_rows": rows(usage_rows),
            "schedule_rows": rows(schedule_rows),
        }

    return count


_CONTRACTS = itertools.count()


@pytest.fixture
def rostered_contract(client, world, definition) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """rostered_contract(grades, **definition overrides): the key of a new contract, accepted,
    its roster posted (student id → grade). Each call makes a contract of its own, so the
    examples of a property test never see each other's batches."""

    def new(grades: dict[str, int], **overrides: Any) -> str:
        key = f"rostered-{next(_CONTRACTS)}"
        district, vendor = world.headers["ector-isd"], world.headers["bright-tutors"]
        created = client.post(
            "/v1/contracts", json=definition(key=key, **overrides), headers=district
        )
        assert created.status_code == 201, created.text
        assert client.post(f"/v1/contracts/{key}/accept", headers=vendor).is_success
        roster = "".join(f"{student},{grade}\n" for student, grade in grades.items())
        posted = client.post(
            f"/v1/contracts/{key}/roster",
            content=f"student_id,grade\n{roster}".encode(),
            headers={**district, "Content-Type": "text/csv"},
        )
        assert posted.status_code == 201, posted.text
        return key

    return new


def accepted_usage_ids(session: Session, key: str) -> list[int]:
    """The ids of contract ``key``'s usage batches whose rows count now, in posting order."""
    return list(
        session.execute(
            select(Batch.id)
            .join(Contract, Contract.id == Batch.contract_id)
            .where(Contract.key == key, Batch.feed == "usage", Batch.status == BatchStatus.accepted)
            .order_by(Batch.id)
        ).scalars()
    )

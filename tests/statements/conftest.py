"""Fixtures for the statement tests: the story's data, posted through the ingestion API.

The data (12 students in grades 3-5 on `ector-hdt-2026`, see tests/conftest.py):
- usage: S01–S09 have 1000 minutes each (≥ 900: eligible), S10–S12 have 100.
  dosage_rate = 9/12 = 0.75 ⇒ the fidelity threshold (at_least 0.75) is met.
- corrected usage: S09 has 800 minutes instead ⇒ dosage_rate = 8/12 ≈ 0.6667 ⇒ not met.
- assessments: S01–S08 grow 10 points against a growth target of 5 ⇒ met_goal; S09–S12
  have no scores. growers = eligible students who met their goal = 8 (S09 has no scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from app import clock
from app.audit.models import AuditEntry

STUDENTS = [f"S{number:02d}" for number in range(1, 13)]
ROSTER_CSV = "student_id,grade\n" + "".join(
    f"{student},{3 + index % 3}\n" for index, student in enumerate(STUDENTS)
)


def usage_csv(minutes: dict[str, int]) -> str:
    rows = "".join(f"{student},2026-10-15,{value}\n" for student, value in minutes.items())
    return "student_id,date,minutes\n" + rows


USAGE_CSV = usage_csv({s: 1000 if s <= "S09" else 100 for s in STUDENTS})
CORRECTED_USAGE_CSV = usage_csv(
    {s: 1000 if s <= "S08" else (800 if s == "S09" else 100) for s in STUDENTS}
)
ASSESSMENTS_CSV = "student_id,assessment,window,score,growth_target,test_date\n" + "".join(
    f"{student},map_reading,fall-2026,200,5,2026-09-15\n"
    f"{student},map_reading,spring-2027,210,,2027-05-01\n"
    for student in STUDENTS[:8]
)


@dataclass
class Feeds:
    """Posts feed batches to the contract as the organisation the SPEC says posts them."""

    client: object
    headers: dict[str, dict[str, str]]
    contract: str
    ids: dict[str, str]

    def post(self, feed: str, csv: str, *, replaces: str | None = None) -> str:
        poster = "bright-tutors" if feed == "usage" else "ector-isd"
        url = f"/v1/contracts/{self.contract}/{feed}"
        if replaces:
            url += f"?replaces={replaces}"
        response = self.client.post(  # type: ignore[attr-defined]
            url,
            content=csv.encode(),
            headers={**self.headers[poster], "Content-Type": "text/csv"},
        )
        assert response.status_code == 201, response.text
        batch_id: str = response.json()["id"]
        self.ids[feed] = batch_id
        return batch_id

    def correct_usage(self) -> str:
        return self.post("usage", CORRECTED_USAGE_CSV, replaces=self.ids["usage"])


@pytest.fixture(autouse=True)
def after_the_school_year(monkeypatch):  # type: ignore[no-untyped-def]
    """Today is 2027-12-31 for these stories, so payments of 2027 are not in the future."""
    monkeypatch.setattr(clock, "today", lambda: date(2027, 12, 31))


@pytest.fixture
def feeds(client, world, active_contract) -> Feeds:  # type: ignore[no-untyped-def]
    """The active contract with its roster and first usage batch posted."""
    posted = Feeds(client=client, headers=world.headers, contract=active_contract, ids={})
    posted.post("roster", ROSTER_CSV)
    posted.post("usage", USAGE_CSV)
    return posted


@dataclass
class Desk:
    """The finance office's moves, as HTTP calls that must succeed."""

    client: object
    headers: dict[str, dict[str, str]]

    def call(self, method: str, url: str, org: str, expect: int, **kwargs: object) -> dict:
        response = self.client.request(method, url, headers=self.headers[org], **kwargs)  # type: ignore[attr-defined]
        assert response.status_code == expect, response.text
        return response.json()

    def draft(self, as_of: str, contract: str = "ector-hdt-2026") -> dict:
        return self.call(
            "POST", f"/v1/contracts/{contract}/statements", "ector-isd", 201, json={"as_of": as_of}
        )

    def approve(self, statement_id: str) -> dict:
        # Another approver than the one who drafted (SPEC §3: preparer ≠ approver).
        return self.call(
            "POST", f"/v1/statements/{statement_id}/approve", "ector-isd:approver", 200
        )

    def pay(self, statement_id: str, amount: str, reference: str = "CHK-1") -> dict:
        body = {"amount": amount, "paid_on": "2027-03-01", "reference": reference}
        return self.call(
            "POST", f"/v1/statements/{statement_id}/payments", "ector-isd", 201, json=body
        )

    def balance(self, org: str = "ector-isd") -> dict:
        return self.call("GET", "/v1/vendors/bright-tutors/balance", org, 200)


@pytest.fixture
def desk(client, world) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(client=client, headers=world.headers)


def amounts(line: dict) -> tuple[str, ...]:
    """A line's money as (earned, held, payable, previously_billed, due)."""
    return tuple(line[k] for k in ("earned", "held", "payable", "previously_billed", "due"))


@pytest.fixture
def approved_statement(feeds, desk) -> dict:  # type: ignore[no-untyped-def]
    """Statement 1 (as of 2027-02-01), approved: base 1000.00 + fidelity 450.00 = 1450.00."""
    draft = desk.draft("2027-02-01")
    return desk.approve(draft["id"])


def disable_settled_guard(session, table: str) -> None:  # type: ignore[no-untyped-def]
    """What a malicious database administrator would do first: switch off the triggers that
    refuse UPDATE and DELETE on settled rows (inside the test's transaction, so undone)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for operation in ("update", "delete"):
            session.execute(text(f"DROP TRIGGER {table}_settled_no_{operation}"))


def audited(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """The story contract's audit entries whose action matches `action` (SQL LIKE), in order.
    Filtered by contract: on PostgreSQL the concurrency tests' entries are really committed."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.contract_key == "ector-hdt-2026", AuditEntry.action.like(action))
            .order_by(AuditEntry.id)
        )
    )

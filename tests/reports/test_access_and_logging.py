"""Who may read a report, and every report request is in the report access log, which the
district and granted auditors read; reading a report writes nothing to the audit chain."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.reports.models import ReportRead

AS_OF = "2027-06-30"


def _report(client, headers, key="ector-hdt-2026", **params):  # type: ignore[no-untyped-def]
    return client.get(
        f"/v1/contracts/{key}/report", params={"as_of": AS_OF, **params}, headers=headers
    )


def _report_entries(db_session):  # type: ignore[no-untyped-def]
    return list(db_session.execute(select(ReportRead).order_by(ReportRead.id)).scalars())


@pytest.mark.parametrize("reader", ["ector-isd", "bright-tutors", "tx-state-audit"])
def test_parties_and_the_named_auditor_may_read_the_report(client, world, report_contract, reader):
    assert _report(client, world.headers[reader]).status_code == 200


@pytest.mark.parametrize("stranger", ["other-isd", "other-vendor", "other-audit"])
def test_foreign_organisations_get_not_found(client, world, report_contract, stranger):
    response = _report(client, world.headers[stranger])
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_an_auditor_dropped_by_an_accepted_amendment_loses_access(
    client, world, report_contract, definition
):
    from tests.reports.conftest import REPORT_DEFINITION_CHANGES

    amended = definition(**REPORT_DEFINITION_CHANGES, auditors=["other-audit"])
    client.put(f"/v1/contracts/{report_contract}", json=amended, headers=world.headers["ector-isd"])
    client.post(f"/v1/contracts/{report_contract}/accept", headers=world.headers["bright-tutors"])
    assert _report(client, world.headers["tx-state-audit"]).status_code == 404
    assert _report(client, world.headers["other-audit"]).status_code == 200


def test_unknown_contract_and_missing_key(client, world):
    assert _report(client, world.headers["ector-isd"], key="no-such").status_code == 404
    assert client.get("/v1/contracts/no-such/report").status_code == 401


def test_bad_format_or_date_is_invalid_input(client, world, report_contract):
    assert _report(client, world.headers["ector-isd"], format="docx").status_code == 422
    assert _report(client, world.headers["ector-isd"], as_of="2027-13-01").status_code == 422


@pytest.mark.parametrize("report_format", ["json", "csv"])
def test_every_report_request_is_logged_with_the_documents_hash(
    client, world, report_contract, db_session, report_format
):
    response = _report(client, world.headers["tx-state-audit"], format=report_format)
    assert response.status_code == 200
    (entry,) = _report_entries(db_session)
    assert entry.contract_key == report_contract
    assert entry.organisation_id is not None and entry.api_key_id is not None
    assert entry.format == report_format
    assert entry.as_of.isoformat() == AS_OF
    assert entry.sha256 == hashlib.sha256(response.content).hexdigest()
    assert entry.suppression is True
    assert len(entry.fingerprint) == 64


def test_refused_report_requests_leave_no_entry(client, world, report_contract, db_session):
    _report(client, world.headers["other-audit"])
    _report(client, world.headers["ector-isd"], format="docx")
    assert _report_entries(db_session) == []


def test_report_requests_are_listed_for_the_district_and_the_auditor(
    client, world, report_contract
):
    first = _report(client, world.headers["bright-tutors"])
    _report(client, world.headers["tx-state-audit"], format="csv")
    for reader in ("ector-isd", "tx-state-audit"):
        reads = client.get(
            f"/v1/contracts/{report_contract}/report/reads", headers=world.headers[reader]
        )
        assert reads.status_code == 200, reads.text
        assert [(r["organisation"], r["format"]) for r in reads.json()] == [
            ("bright-tutors", "json"),
            ("tx-state-audit", "csv"),
        ]
    assert reads.json()[0]["sha256"] == hashlib.sha256(first.content).hexdigest()
    later = client.get(
        f"/v1/contracts/{report_contract}/report/reads",
        params={"after": reads.json()[0]["id"]},
        headers=world.headers["ector-isd"],
    ).json()
    assert [r["organisation"] for r in later] == ["tx-state-audit"]


def test_reading_a_report_writes_nothing_to_the_audit_chain(
    client, world, report_contract, db_session
):
    """A read must not take the chain head's lock nor move the version every cache keys on."""
    before = db_session.execute(select(AuditEntry.id)).scalars().all()
    assert _report(client, world.headers["tx-state-audit"]).status_code == 200
    assert db_session.execute(select(AuditEntry.id)).scalars().all() == before
    assert client.get("/v1/audit-log/verify", headers=world.headers["ector-isd"]).json()["ok"]

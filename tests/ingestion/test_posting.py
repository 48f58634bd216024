"""Posting a batch (SPEC §2, §3): CSV, multipart and JSON all store the same rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from sqlalchemy import select

from app.audit.models import AuditEntry
from tests.ingestion.conftest import ASSESSMENTS_CSV, ROSTER_CSV, USAGE_CSV


def test_roster_csv_is_accepted_with_its_provenance(active_contract, post, stored):
    response = post("roster", ROSTER_CSV)
    assert response.status_code == 201, response.text
    batch = response.json()
    assert batch["feed"] == "roster"
    assert batch["contract"] == "ector-hdt-2026"
    assert batch["status"] == "accepted"
    assert batch["rows"] == 3
    assert batch["sha256"] == hashlib.sha256(ROSTER_CSV).hexdigest()
    assert batch["posted_by"] == "ector-isd"
    assert batch["posted_by_key"]
    assert batch["posted_at"]
    assert batch["replaces"] is None and batch["superseded_by"] is None
    assert batch["columns"] == ["student_id", "grade", "school_id", "ell"]
    assert batch["contract_version"] == 1
    assert stored()["roster_rows"] == 3


def test_assessments_are_accepted_for_students_on_the_roster(roster_batch, post, stored):
    response = post("assessments", ASSESSMENTS_CSV)
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 3
    assert stored()["assessment_rows"] == 3


def test_usage_is_accepted_from_the_vendor(roster_batch, post, stored):
    response = post("usage", USAGE_CSV)
    assert response.status_code == 201, response.text
    assert response.json()["posted_by"] == "bright-tutors"
    assert stored()["usage_rows"] == 3


def test_multipart_upload_keeps_the_file_name(active_contract, client, world, stored):
    response = client.post(
        f"/v1/contracts/{active_contract}/roster",
        files={"file": ("roster-fall.csv", ROSTER_CSV, "text/csv")},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["file_name"] == "roster-fall.csv"
    assert response.json()["sha256"] == hashlib.sha256(ROSTER_CSV).hexdigest()
    assert stored()["roster_rows"] == 3


def test_multipart_json_file_is_read_as_json(active_contract, client, world):
    rows = [{"student_id": "A1", "grade": 3}, {"student_id": "A2", "grade": "K"}]
    response = client.post(
        f"/v1/contracts/{active_contract}/roster",
        files={"file": ("roster.json", json.dumps(rows).encode(), "application/octet-stream")},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 2


def test_multipart_without_a_file_part_is_refused(active_contract, client, world, stored):
    response = client.post(
        f"/v1/contracts/{active_contract}/roster",
        files={"upload": ("roster.csv", ROSTER_CSV, "text/csv")},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 422
    assert stored()["batches"] == 0


def test_json_array_is_accepted(roster_batch, post, stored):
    rows = [
        {"student_id": "00123", "date": "2026-09-02", "minutes": 45},
        {"student_id": "S2", "date": "2026-09-02", "minutes": 12.5, "sessions": 2},
    ]
    response = post("usage", json.dumps(rows).encode(), content_type="application/json")
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 2
    assert response.json()["columns"] == ["student_id", "date", "minutes", "sessions"]
    assert stored()["usage_rows"] == 2


def test_bom_and_excel_quoting_are_read_correctly(active_contract, post, client, world):
    content = b'\xef\xbb\xbf"student_id","grade","school_id"\r\n"00123","3","Main, ""North"""\r\n'
    response = post("roster", content)
    assert response.status_code == 201, response.text
    rows = client.get(
        f"/v1/contracts/{active_contract}/batches/{response.json()['id']}/rows",
        headers=world.headers["ector-isd"],
    )
    assert list(csv.reader(io.StringIO(rows.text))) == [
        ["student_id", "grade", "school_id"],
        ["00123", "3", 'Main, "North"'],
    ]


def test_ids_are_kept_exactly_as_sent(active_contract, post, client, world):
    batch = post("roster", b"student_id,grade\n00123,3\nNA,4\n").json()
    rows = client.get(
        f"/v1/contracts/{active_contract}/batches/{batch['id']}/rows",
        headers=world.headers["ector-isd"],
    )
    assert rows.headers["content-type"].startswith("text/csv")
    records = list(csv.reader(io.StringIO(rows.text)))
    assert [record[0] for record in records] == ["student_id", "00123", "NA"]


def test_every_accepted_batch_is_in_the_audit_log(roster_batch, db_session):
    entries = db_session.execute(
        select(AuditEntry).where(AuditEntry.object_id == roster_batch["id"])
    ).scalars()
    assert [(entry.action, entry.contract_key) for entry in entries] == [
        ("batch.accepted", "ector-hdt-2026")
    ]

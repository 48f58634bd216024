"""Who sees which student data (SPEC §3), tried the way the outside review did (issue #14 §1):
a vendor collecting every row, CSV and report it can reach to rejoin roster flags to growth."""

from __future__ import annotations

import csv
import io

import pytest

from app.reports.breakdowns import suppressed_groups
from tests.reports.conftest import (
    REPORT_DEFINITION_CHANGES,
    _post_csv,
    assessments_csv,
    roster_csv,
    usage_csv,
)

AS_OF = "2027-06-30"
BASE = "/v1/contracts/ector-hdt-2026"
FLAGS = {"ell", "sped", "econ_disadv"}


def _csv_columns(text: str) -> set[str]:
    return set(next(csv.reader(io.StringIO(text))))


def _batches(client, headers) -> dict[str, str]:  # type: ignore[no-untyped-def]
    listed = client.get(f"{BASE}/batches", headers=headers)
    assert listed.status_code == 200, listed.text
    return {batch["feed"]: batch["id"] for batch in listed.json()}


def test_the_vendor_rejoin_attempt_returns_nothing_sensitive(client, world, report_contract):
    vendor = world.headers["bright-tutors"]
    batches = _batches(client, vendor)

    for feed in ("roster", "assessments"):
        refused = client.get(f"{BASE}/batches/{batches[feed]}/rows", headers=vendor)
        assert refused.status_code == 403, refused.text
        assert "batches they posted" in refused.json()["detail"]
    own = client.get(f"{BASE}/batches/{batches['usage']}/rows", headers=vendor)
    assert own.status_code == 200
    assert _csv_columns(own.text) == {"student_id", "date", "minutes", "sessions"}

    students = client.get(f"{BASE}/evaluation/students", params={"as_of": AS_OF}, headers=vendor)
    assert students.status_code == 200
    columns = _csv_columns(students.text)
    assert not columns & (FLAGS | {"school_id"})
    assert {"student_id", "grade", "growth", "met_goal", "eligible"} <= columns
    assert "growth_rate.counted" in columns

    report = client.get(f"{BASE}/report", params={"as_of": AS_OF}, headers=vendor).json()
    charts = report["charts"]
    assert charts["per_student_points"] is False
    assert charts["growth_values"] == [] and charts["dosage_growth_points"] == []
    assert sum(b["students"] for b in charts["growth_histogram"]) == 24
    hidden = {(r["dimension"], r["group"]) for r in report["breakdowns"]["rows"] if r["suppressed"]}
    assert ("ell", "true") in hidden  # the three ell students: not even their growth as a group


def test_per_student_points_still_reach_the_district(client, world, report_contract):
    district = world.headers["ector-isd"]
    charts = client.get(f"{BASE}/report", params={"as_of": AS_OF}, headers=district).json()[
        "charts"
    ]
    assert charts["per_student_points"] is True
    assert len(charts["dosage_growth_points"]) == 24
    students = client.get(f"{BASE}/evaluation/students", params={"as_of": AS_OF}, headers=district)
    assert "school_id" in _csv_columns(students.text)
    roster = client.get(
        f"{BASE}/batches/{_batches(client, district)['roster']}/rows", headers=district
    )
    assert _csv_columns(roster.text) >= FLAGS


def test_vendor_and_auditor_html_draw_no_per_student_dots(client, world, report_contract):
    html = client.get(
        f"{BASE}/report",
        params={"as_of": AS_OF, "format": "html"},
        headers=world.headers["tx-state-audit"],
    ).text
    assert "per-student points are shown to the district only" in html
    assert "24 students with both scores" in html


def test_auditor_without_raw_grant_sees_roster_without_flags_and_no_assessment_rows(
    client, world, report_contract
):
    auditor = world.headers["tx-state-audit"]
    batches = _batches(client, auditor)
    roster = client.get(f"{BASE}/batches/{batches['roster']}/rows", headers=auditor)
    assert roster.status_code == 200
    assert _csv_columns(roster.text) == {"student_id", "grade", "school_id"}
    scores = client.get(f"{BASE}/batches/{batches['assessments']}/rows", headers=auditor)
    assert scores.status_code == 403
    assert "raw access" in scores.json()["detail"]
    students = client.get(f"{BASE}/evaluation/students", params={"as_of": AS_OF}, headers=auditor)
    assert not _csv_columns(students.text) & FLAGS


@pytest.fixture
def raw_granted_contract(client, world, definition) -> str:  # type: ignore[no-untyped-def]
    document = definition(
        **REPORT_DEFINITION_CHANGES, auditors=[{"org": "tx-state-audit", "raw": True}]
    )
    created = client.post("/v1/contracts", json=document, headers=world.headers["ector-isd"])
    assert created.status_code == 201, created.text
    assert created.json()["auditors"] == ["tx-state-audit"]
    client.post(f"{BASE}/accept", headers=world.headers["bright-tutors"])
    _post_csv(client, f"{BASE}/roster", roster_csv(), world.headers["ector-isd"])
    _post_csv(client, f"{BASE}/assessments", assessments_csv(), world.headers["ector-isd"])
    _post_csv(client, f"{BASE}/usage", usage_csv(), world.headers["bright-tutors"])
    return "ector-hdt-2026"


def test_auditor_granted_raw_access_reads_what_the_district_reads(
    client, world, raw_granted_contract
):
    auditor = world.headers["tx-state-audit"]
    batches = _batches(client, auditor)
    roster = client.get(f"{BASE}/batches/{batches['roster']}/rows", headers=auditor)
    assert _csv_columns(roster.text) >= FLAGS
    scores = client.get(f"{BASE}/batches/{batches['assessments']}/rows", headers=auditor)
    assert scores.status_code == 200
    assert "score" in _csv_columns(scores.text)
    students = client.get(f"{BASE}/evaluation/students", params={"as_of": AS_OF}, headers=auditor)
    assert "school_id" in _csv_columns(students.text)
    # The raw grant is for the auditor alone: the vendor still reads only its own rows.
    vendor = client.get(
        f"{BASE}/batches/{batches['roster']}/rows", headers=world.headers["bright-tutors"]
    )
    assert vendor.status_code == 403


def test_a_raw_grant_must_be_true_or_false(client, world, definition):
    document = definition(auditors=[{"org": "tx-state-audit", "raw": "yes"}])
    refused = client.post("/v1/contracts", json=document, headers=world.headers["ector-isd"])
    assert refused.status_code == 422


def test_two_small_groups_whose_sum_is_small_take_a_third_with_them():
    # Hidden 3 + 4 = 7 students could be worked out together from the totals: hide 12 too.
    sizes = {("school", "a"): 3, ("school", "b"): 4, ("school", "c"): 12, ("school", "d"): 20}
    assert suppressed_groups(sizes, 10) == {("school", "a"), ("school", "b"), ("school", "c")}


def test_two_small_groups_that_together_reach_the_threshold_hide_no_more():
    sizes = {("school", "a"): 5, ("school", "b"): 6, ("school", "c"): 30}
    assert suppressed_groups(sizes, 10) == {("school", "a"), ("school", "b")}


def test_one_small_flag_group_beside_unknowns_hides_the_whole_dimension():
    # true 2 and unknown 3 are both small; together still small; so false goes too.
    sizes = {("ell", "true"): 2, ("ell", "unknown"): 3, ("ell", "false"): 40, ("grade", "3"): 45}
    assert suppressed_groups(sizes, 10) == {("ell", "true"), ("ell", "unknown"), ("ell", "false")}


def test_dimensions_are_suppressed_independently():
    sizes = {("school", "a"): 4, ("school", "b"): 30, ("grade", "3"): 20, ("grade", "4"): 14}
    assert suppressed_groups(sizes, 10) == {("school", "a"), ("school", "b")}

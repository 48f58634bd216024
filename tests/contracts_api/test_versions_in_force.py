"""Versions in force by effective date (SPEC §1 Lifecycle): evaluations, statements and
reports as of D use the version in force on D and say which; `?version=N` models any one."""

from __future__ import annotations

from datetime import date

import pytest

from app import clock

KEY = "ector-hdt-2026"


@pytest.fixture
def amended(client, world, active_contract, definition):
    """Version 2 raises base from 1000.00 to 1500.00 from 2027-01-01; the vendor accepts."""
    tranches = definition()["tranches"]
    tranches[0] = tranches[0] | {"amount": "1500.00"}
    body = definition(tranches=tranches) | {"effective": "2027-01-01"}
    put = client.put(f"/v1/contracts/{KEY}", json=body, headers=world.headers["ector-isd"])
    assert put.status_code == 200, put.text
    accepted = client.post(f"/v1/contracts/{KEY}/accept", headers=world.headers["bright-tutors"])
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def evaluation(client, world, as_of, **params):
    response = client.get(
        f"/v1/contracts/{KEY}/evaluation",
        params={"as_of": as_of, **params},
        headers=world.headers["bright-tutors"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    base = next(t for t in body["tranches"] if t["key"] == "base")
    return body["version"], base["earned"]


def test_an_amendment_governs_from_its_effective_date(client, world, amended):
    assert [v["effective"] for v in amended["versions"]][1] == "2027-01-01"
    assert evaluation(client, world, "2026-12-31") == (1, "1000.00")
    assert evaluation(client, world, "2027-01-01") == (2, "1500.00")


def test_version_n_evaluates_under_any_version_a_proposal_too(client, world, amended, definition):
    assert evaluation(client, world, "2027-06-30", version=1) == (1, "1000.00")
    tranches = definition()["tranches"]
    tranches[0] = tranches[0] | {"amount": "2000.00"}
    put = client.put(
        f"/v1/contracts/{KEY}",
        json=definition(tranches=tranches),
        headers=world.headers["ector-isd"],
    )
    assert put.status_code == 200
    assert evaluation(client, world, "2027-06-30", version=3) == (3, "2000.00")
    # Not accepted: the version in force is still 2.
    assert evaluation(client, world, "2027-06-30") == (2, "1500.00")
    missing = client.get(
        f"/v1/contracts/{KEY}/evaluation",
        params={"as_of": "2027-06-30", "version": 9},
        headers=world.headers["bright-tutors"],
    )
    assert missing.status_code == 404


def test_without_an_effective_date_an_amendment_governs_from_the_day_it_is_accepted(
    client, world, active_contract, definition, monkeypatch
):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 3, 15))
    client.put(
        f"/v1/contracts/{KEY}", json=definition(title="v2"), headers=world.headers["ector-isd"]
    )
    accepted = client.post(f"/v1/contracts/{KEY}/accept", headers=world.headers["bright-tutors"])
    assert accepted.json()["versions"][1]["effective"] == "2027-03-15"
    # Before any accepted version took effect, the first accepted one governs.
    assert evaluation(client, world, "2026-10-01")[0] == 1
    assert evaluation(client, world, "2027-03-15")[0] == 2


def test_a_bad_effective_date_is_a_problem(client, world, active_contract, definition):
    body = definition() | {"effective": "next tuesday"}
    refused = client.put(f"/v1/contracts/{KEY}", json=body, headers=world.headers["ector-isd"])
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["path"] == "effective"


def test_a_past_date_report_equals_the_statement_approved_for_that_date(
    client, world, active_contract, definition
):
    district = world.headers["ector-isd"]
    drafted = client.post(
        f"/v1/contracts/{KEY}/statements", json={"as_of": "2026-10-01"}, headers=district
    )
    assert drafted.status_code == 201, drafted.text
    approved = client.post(
        f"/v1/statements/{drafted.json()['id']}/approve",
        headers=world.headers["ector-isd:approver"],
    ).json()
    assert (approved["version"], approved["lines"][0]["earned"]) == (1, "1000.00")
    # Later, base is amended to 1500.00 from 2027-01-01.
    tranches = definition()["tranches"]
    tranches[0] = tranches[0] | {"amount": "1500.00"}
    client.put(
        f"/v1/contracts/{KEY}",
        json=definition(tranches=tranches) | {"effective": "2027-01-01"},
        headers=district,
    )
    client.post(f"/v1/contracts/{KEY}/accept", headers=world.headers["bright-tutors"])

    report = client.get(
        f"/v1/contracts/{KEY}/report",
        params={"as_of": "2026-10-01", "format": "json"},
        headers=world.headers["tx-state-audit"],
    ).json()
    assert report["contract"]["version_evaluated"] == approved["version"] == 1
    reported = {t["key"]: t for t in report["tranches"] if t["status"] != "pending"}
    billed = {line["tranche"]: line for line in approved["lines"]}
    assert reported.keys() == billed.keys() == {"base"}
    for key, line in billed.items():
        assert (reported[key]["earned"], reported[key]["held"], reported[key]["payable"]) == (
            line["earned"],
            line["held"],
            line["payable"],
        )
    assert report["totals"]["payable"] == approved["total_due"]
    # And a statement drafted for a date under version 2 says so.
    later = client.post(
        f"/v1/contracts/{KEY}/statements", json={"as_of": "2027-01-15"}, headers=district
    ).json()
    assert later["version"] == 2
    base = later["lines"][0]
    assert (base["payable"], base["previously_billed"], base["due"]) == (
        "1500.00",
        "1000.00",
        "500.00",
    )

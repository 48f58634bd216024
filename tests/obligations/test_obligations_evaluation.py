"""Stored records reach the engine: the evaluation's obligation statuses and what a due
obligation does to the tranches it covers (SPEC §1), over HTTP."""

from __future__ import annotations

from typing import Any


def evaluation(client, world, as_of: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": as_of},
        headers=world.headers["bright-tutors"],
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def line(document: dict[str, Any], key: str) -> tuple[str, str]:
    found = next(line for line in document["tranches"] if line["key"] == key)
    return found["status"], found["earned"]


def test_without_records_every_obligation_is_unknown(active_contract, client, world):
    document = evaluation(client, world, "2027-06-30")
    assert document["obligations"] == {"devices": "unknown", "schedule": "unknown"}


def test_the_districts_missed_record_pays_the_covered_tranche_in_full(
    active_contract, record, client, world
):
    # No data posted: dosage_rate has no students, so fidelity would be indeterminate; a
    # missed obligation outranks an insufficient metric and pays its full $500.00.
    record("ector-isd", "devices", "missed", "Chromebooks arrived in November")
    document = evaluation(client, world, "2027-06-30")
    assert document["obligations"]["devices"] == "missed"
    assert line(document, "fidelity") == ("earned", "500.00")


def test_the_vendors_missed_record_against_the_districts_met_is_disputed(
    active_contract, record, client, world
):
    record("ector-isd", "schedule", "met")
    record("bright-tutors", "schedule", "missed", "periods cancelled for testing weeks")
    document = evaluation(client, world, "2027-06-30")
    assert document["obligations"]["schedule"] == "disputed"
    assert line(document, "growth")[0] == "indeterminate"


def test_the_latest_record_of_each_party_counts(active_contract, record, client, world):
    record("ector-isd", "devices", "missed", "late")
    record("ector-isd", "devices", "met", "delivered after all; the delay was the carrier's")
    assert evaluation(client, world, "2027-06-30")["obligations"]["devices"] == "met"


def test_before_its_due_date_an_obligation_changes_nothing(active_contract, record, client, world):
    record("ector-isd", "devices", "missed", "late")
    # devices is due 2026-09-15; fidelity is due 2027-01-31 and pending either way, but its
    # projection is not paid in full before the obligation is due
    before = evaluation(client, world, "2026-09-14")
    assert line(before, "fidelity") != ("pending", "500.00")
    after = evaluation(client, world, "2026-09-15")
    assert line(after, "fidelity") == ("pending", "500.00")

"""Obligation statuses from both parties' records, and their effect from the due date on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from app.engine import ObligationRecord
from app.engine.obligations import obligation_status

from .builders import definition, evaluate, growth_cohort, line

NOON = datetime(2026, 9, 20, 12, 0)


def record(party: Any, status: Any, at: datetime = NOON, sequence: int = 0) -> ObligationRecord:
    return ObligationRecord("devices", party, status, at, sequence)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], "unknown"),
        ([record("vendor", "met")], "unknown"),
        ([record("vendor", "missed")], "disputed"),
        ([record("district", "met")], "met"),
        ([record("district", "met"), record("vendor", "met")], "met"),
        ([record("district", "met"), record("vendor", "missed")], "disputed"),
        ([record("district", "missed"), record("vendor", "met")], "missed"),
        ([record("district", "missed"), record("vendor", "missed")], "missed"),
    ],
)
def test_status_from_the_latest_record_of_each_party(
    records: list[ObligationRecord], expected: str
) -> None:
    assert obligation_status("devices", records) == expected


def test_the_latest_record_counts_and_equal_times_go_to_the_later_record() -> None:
    later = datetime(2026, 9, 21)
    assert obligation_status(
        "devices", [record("district", "met", later), record("district", "missed", NOON, 9)]
    ) == ("met")
    assert obligation_status(
        "devices", [record("district", "missed", NOON, 2), record("district", "met", NOON, 1)]
    ) == ("missed")


def contract() -> Any:
    return definition(
        obligations=[
            {"key": "devices", "text": "Devices", "due": "2027-06-30", "covers": ["reach"]}
        ],
        tranches=[
            {
                "key": "reach",
                "type": "threshold",
                "metric": "growth_rate",
                "at_least": "0.9",
                "amount": "500.00",
                "due": "2027-01-31",
            }
        ],
    )


def test_before_its_due_date_an_obligation_changes_nothing() -> None:
    students, assessments = growth_cohort(met=1, missed=1)
    missed = [record("district", "missed")]
    result = evaluate(
        contract(), students, assessments, as_of=date(2027, 6, 29), obligations=missed
    )
    assert (line(result, "reach")["status"], line(result, "reach")["earned"]) == (
        "not_earned",
        "0.00",
    )
    assert result.to_json()["obligations"] == {"devices": "missed"}


def test_from_its_due_date_a_missed_obligation_pays_in_full_and_an_unknown_one_holds() -> None:
    students, assessments = growth_cohort(met=1, missed=1)
    on_due = date(2027, 6, 30)
    missed = evaluate(
        contract(), students, assessments, as_of=on_due, obligations=[record("district", "missed")]
    )
    assert line(missed, "reach")["earned"] == "500.00"
    assert (
        "Paid in full: district obligation 'devices' missed on 2027-06-30"
        in (line(missed, "reach")["explanation"])
    )
    unknown = evaluate(contract(), students, assessments, as_of=on_due)
    assert line(unknown, "reach")["status"] == "indeterminate"
    met = evaluate(
        contract(), students, assessments, as_of=on_due, obligations=[record("district", "met")]
    )
    assert line(met, "reach")["status"] == "not_earned"

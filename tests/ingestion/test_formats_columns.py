"""Standard exports feed the v2 assessment columns and the schedule (SPEC §1, §2, §2b):
MAP's typical growth, conditional growth percentile and rapid guessing, and a tutoring log
posted as the district's schedule, each evaluated to hand-computed amounts."""

from __future__ import annotations

from typing import Any

from tests.feeds.formats.samples import MAP_FILE, TUTORING_FILE
from tests.ingestion.test_formats import ROSTER, contract_with, earned, evaluation

__all__ = ["contract_with"]  # the fixture, shared with test_formats.py

WINDOWS = {
    "fall-2026": {"from": "2026-08-15", "to": "2026-10-15"},
    "spring-2027": {"from": "2027-04-15", "to": "2027-06-10"},
}


def map_measure(value: str) -> dict[str, Any]:
    return {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": value,
    }


def test_map_typical_growth_pays_a_rate_card_on_percent_of_typical(
    contract_with, post, client, world
):
    contract_with(
        measures={"pct_typ": map_measure("percent_of_typical")},
        eligibility=[],
        metrics={},
        tranches=[
            {
                "key": "per_student",
                "type": "rate_card",
                "measure": "pct_typ",
                "over": "eligible",
                "levels": [
                    {"at_least": "0.5", "pay": "250.00"},
                    {"at_least": "1.0", "pay": "500.00"},
                    {"at_least": "1.5", "pay": "750.00"},
                ],
                "due": "2027-06-30",
            }
        ],
    )
    assert post("roster", ROSTER).status_code == 201
    assert post("assessments", MAP_FILE, params={"format": "nwea-map-cdf"}).status_code == 201
    # Growth ÷ fall typical growth: S1 12/9 = 1.33 ($500), S2 4/8 = 0.5 ($250),
    # S3 7/7 = 1.0 ($500).
    assert earned(evaluation(client, world)) == {"per_student": "1250.00"}


def test_map_growth_percentile_and_rapid_guessing_are_read(contract_with, post, client, world):
    contract_with(
        assessment_rules={"windows": WINDOWS, "max_rapid_guessing": "0.10"},
        measures={"cgp": map_measure("growth_percentile")},
        eligibility=[],
        metrics={"median_cgp": {"mean_of": "cgp", "over": "eligible"}},
        tranches=[
            {
                "key": "growth",
                "type": "tiered",
                "metric": "median_cgp",
                "tiers": [{"at_least": "55", "pay": "1000.00"}],
                "due": "2027-06-30",
            }
        ],
    )
    assert post("roster", ROSTER).status_code == 201
    assert post("assessments", MAP_FILE, params={"format": "nwea-map-cdf"}).status_code == 201
    document = evaluation(client, world)
    # S2's fall test had 12.5 % rapid guesses (≥ 10 %): ignored. The spring CGPs of S1 (61)
    # and S3 (50) average 55.5.
    assert document["ignored_rows"] == {"outside_window": 0, "rapid_guessing": 1}
    assert document["metrics"]["median_cgp"]["value"] == "55.500000"
    assert earned(document) == {"growth": "1000.00"}


def test_a_tutoring_log_round_trips_as_the_schedule(contract_with, post, client, world):
    contract_with(
        measures={"offered": {"schedule": "sessions", "from": "2026-09-01", "to": "2027-05-15"}},
        eligibility=[],
        accountability={"served": [{"measure": "offered", "at_least": 2}]},
        metrics={
            "served": {"count_of": "population", "where": [{"measure": "offered", "at_least": 2}]}
        },
        tranches=[
            {
                "key": "reach",
                "type": "per_unit",
                "metric": "served",
                "rate": "100.00",
                "due": "2027-06-30",
            }
        ],
    )
    assert post("roster", ROSTER).status_code == 201
    response = post("schedule", TUTORING_FILE, params={"format": "tutoring-sessions"})
    assert response.status_code == 201, response.text
    assert "attended" in response.json()["dropped_columns"]
    # Each row is one session offered: S1 2 (sess-1, sess-2), S2 2 (one missed: still
    # offered), S3 none, so S3 is excused and S1, S2 are served.
    document = evaluation(client, world)
    assert earned(document) == {"reach": "200.00"}

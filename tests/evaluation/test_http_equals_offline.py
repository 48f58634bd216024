"""The HTTP evaluation gives exactly what `tranche evaluate` prints on the same files
(SPEC §1: "the same JSON from the HTTP endpoint and from `tranche evaluate`")."""

from __future__ import annotations

import pytest

from tests.evaluation.conftest import ASSESSMENTS, ROSTER, USAGE, usage_csv


@pytest.mark.parametrize("as_of", ["2026-09-15", "2027-01-31", "2027-06-30", "2027-08-01"])
def test_http_evaluation_equals_tranche_evaluate(loaded, client, world, offline, as_of):
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": as_of},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 200, response.text
    expected = offline(roster=ROSTER, assessments=ASSESSMENTS, usage=USAGE, as_of=as_of)
    assert response.json() == expected


def test_the_data_set_exercises_the_contract(loaded, client, world):
    body = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": "2027-06-30"},
        headers=world.headers["ector-isd"],
    ).json()
    # population s01-s06, s08 (s07 is in kindergarten); 900+ minutes: s01, s02, s03, s05
    assert body["metrics"]["dosage_rate"]["numerator"] == 4
    assert body["metrics"]["dosage_rate"]["denominator"] == 7
    # eligible with met_goal true: s01 (11 ≥ 8), s03 (5 ≥ 5), s05 (10 ≥ 4); s02 4.5 < 6
    assert body["metrics"]["growers"]["numerator"] == 3
    assert [line["earned"] for line in body["tranches"]] == ["1000.00", "0.00", "300.00"]


def test_usage_batches_add_up(loaded, post_feed, client, world, offline):
    extra = usage_csv({"s06": [("2026-09-07", "0.001")], "s08": [("2026-09-07", "870")]})
    post_feed("usage", extra)
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": "2027-06-30"},
        headers=world.headers["bright-tutors"],
    )
    combined = USAGE + extra.split("\n", 1)[1]
    assert response.json() == offline(
        roster=ROSTER, assessments=ASSESSMENTS, usage=combined, as_of="2027-06-30"
    )
    assert response.json()["metrics"]["dosage_rate"]["numerator"] == 6


def test_replaced_usage_stops_counting(loaded, post_feed, client, world, offline):
    corrected = USAGE.replace("s02,2026-09-03,900,1", "s02,2026-09-03,90,1")
    post_feed("usage", corrected, replaces=loaded["usage"]["id"])
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": "2027-06-30"},
        headers=world.headers["ector-isd"],
    )
    assert response.json() == offline(
        roster=ROSTER, assessments=ASSESSMENTS, usage=corrected, as_of="2027-06-30"
    )
    assert response.json()["metrics"]["dosage_rate"]["numerator"] == 3


def test_later_roster_batch_wins_for_a_student(loaded, post_feed, client, world, offline):
    post_feed("roster", "student_id,grade\ns01,6\n")  # s01 moved up a grade: out of scope
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": "2027-06-30"},
        headers=world.headers["ector-isd"],
    )
    roster = ROSTER.replace("s01,3,north,true,false,true", "s01,6,,,,")
    assert response.json() == offline(
        roster=roster, assessments=ASSESSMENTS, usage=USAGE, as_of="2027-06-30"
    )
    assert response.json()["metrics"]["dosage_rate"]["denominator"] == 6


def test_later_assessment_batch_wins_for_a_score(loaded, post_feed, client, world, offline):
    fix = "student_id,assessment,window,score\ns02,map_reading,spring-2027,182\n"
    post_feed("assessments", fix)
    response = client.get(
        "/v1/contracts/ector-hdt-2026/evaluation",
        params={"as_of": "2027-06-30"},
        headers=world.headers["ector-isd"],
    )
    assessments = ASSESSMENTS.replace(
        "s02,map_reading,spring-2027,180,,2027-04-20", "s02,map_reading,spring-2027,182,,"
    )
    assert response.json() == offline(
        roster=ROSTER, assessments=assessments, usage=USAGE, as_of="2027-06-30"
    )
    assert response.json()["metrics"]["growers"]["numerator"] == 4

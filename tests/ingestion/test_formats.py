"""Standard exports over HTTP (SPEC §2b): each sample file is posted with ?format=, lands
as rows, and evaluates to amounts computed by hand; bad files are refused in the file's own
terms and store nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from app.ingestion.models import Batch, assessment_rows
from tests.feeds.formats.samples import (
    IREADY_FILE,
    IREADY_WINDOWS_JSON,
    MAP_FILE,
    ONEROSTER_ZIP,
    STAR_FILE,
    TUTORING_FILE,
    plain_csv,
    zip_of,
)

KEY = "ector-hdt-2026"
AS_OF = "2027-06-30"
ROSTER = plain_csv("student_id,grade,school_id", "S1,3,north", "S2,3,north", "S3,4,south")


def growth_contract(assessment: str, at_least: int) -> dict[str, Any]:
    """Every rostered student is eligible; $100 per student growing ``at_least`` points from
    fall-2026 to spring-2027, and $500 when the mean growth is at least 7."""
    return {
        "measures": {
            "growth": {
                "assessment": assessment,
                "from_window": "fall-2026",
                "to_window": "spring-2027",
                "value": "growth",
            }
        },
        "eligibility": [],
        "metrics": {
            "growers": {
                "count_of": "eligible",
                "where": [{"measure": "growth", "at_least": at_least}],
            },
            "mean_growth": {"mean_of": "growth", "over": "eligible"},
        },
        "tranches": [
            {
                "key": "growth",
                "type": "per_unit",
                "metric": "growers",
                "rate": "100.00",
                "due": "2027-06-30",
            },
            {
                "key": "mean",
                "type": "tiered",
                "metric": "mean_growth",
                "tiers": [{"at_least": "7", "pay": "500.00"}],
                "due": "2027-06-30",
            },
        ],
    }


@pytest.fixture
def contract_with(client, world, definition):  # type: ignore[no-untyped-def]
    def activate(**overrides: Any) -> str:
        created = client.post(
            "/v1/contracts", json=definition(**overrides), headers=world.headers["ector-isd"]
        )
        assert created.status_code == 201, created.text
        accepted = client.post(
            f"/v1/contracts/{KEY}/accept", headers=world.headers["bright-tutors"]
        )
        assert accepted.status_code == 200, accepted.text
        return KEY

    return activate


def evaluation(client, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{KEY}/evaluation",
        params={"as_of": AS_OF},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def earned(document: dict[str, Any]) -> dict[str, str]:
    return {line["key"]: line["earned"] for line in document["tranches"]}


def test_a_map_file_round_trips_to_hand_computed_amounts(contract_with, post, client, world):
    contract_with(**growth_contract("map_reading", 10))
    assert post("roster", ROSTER).status_code == 201
    response = post("assessments", MAP_FILE, params={"format": "nwea-map-cdf"})
    assert response.status_code == 201, response.text
    batch = response.json()
    assert batch["format"] == "nwea-map-cdf"
    assert batch["rows"] == 6
    assert {"StudentFirstName", "StudentLastName", "StudentDateOfBirth"} <= set(
        batch["dropped_columns"]
    )
    assert batch["skipped_rows"] == {
        "GrowthMeasureYN is false: not the growth test event of its term": 1
    }
    # Growth 192-180 = 12, 194-190 = 4, 207-200 = 7 (S3's FALSE event, 150, is not read):
    # one student grew 10 or more ($100), the mean 23/3 ≥ 7 ($500).
    document = evaluation(client, world)
    assert earned(document) == {"growth": "100.00", "mean": "500.00"}
    assert document["metrics"]["mean_growth"]["value"] == "7.666667"


def test_a_star_file_round_trips_using_the_last_test_of_each_period(
    contract_with, post, client, world
):
    contract_with(**growth_contract("star_reading", 50))
    assert post("roster", ROSTER).status_code == 201
    response = post(
        "assessments",
        STAR_FILE,
        params={"format": "renaissance-star"},
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["skipped_rows"] == {
        "not taken in a screening period (no ScreeningPeriodWindowName)": 1,
        "an earlier test in the same screening period (Renaissance reports the last)": 1,
    }
    # S1: 470 (the last spring test, not 430) − 400 = 70 ≥ 50; S2: 460 − 450 = 10.
    # Mean (70 + 10) / 2 = 40 ≥ 7.
    assert earned(evaluation(client, world)) == {"growth": "100.00", "mean": "500.00"}


def test_a_oneroster_zip_round_trips_to_the_roster(contract_with, post, client, world):
    contract_with()
    response = post(
        "roster", ONEROSTER_ZIP, content_type="application/zip", params={"format": "oneroster-1.2"}
    )
    assert response.status_code == 201, response.text
    batch = response.json()
    assert batch["rows"] == 3
    assert "users.csv: givenName" in batch["dropped_columns"]
    text = client.get(
        f"/v1/contracts/{KEY}/batches/{batch['id']}/rows", headers=world.headers["ector-isd"]
    ).text
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["S1", "0", "sch-1", "true", "false", "true"],
        ["S2", "3", "sch-2", "false", "false", "false"],
        ["u-4", "5", "sch-2", "", "", ""],
    ]
    # Grades 3-5 are the population: S2 and u-4 (S1 is in KG).
    assert evaluation(client, world)["metrics"]["dosage_rate"]["denominator"] == 2


def test_a_tutoring_log_round_trips_as_usage(contract_with, post, client, world):
    contract_with(
        measures={"minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2027-05-15"}},
        eligibility=[],
        metrics={
            "dosage_rate": {
                "share_of": "population",
                "where": [{"measure": "minutes", "at_least": 50}],
            }
        },
        tranches=[
            {
                "key": "fidelity",
                "type": "threshold",
                "metric": "dosage_rate",
                "at_least": "0.3",
                "amount": "500.00",
                "due": "2027-01-31",
            }
        ],
    )
    assert post("roster", ROSTER).status_code == 201
    response = post("usage", TUTORING_FILE, params={"format": "tutoring-sessions"})
    assert response.status_code == 201, response.text
    # S1 30 + 25 = 55 minutes ≥ 50; S2 0 (missed) + 28.5; S3 none: 1 of 3 ≥ 0.3.
    document = evaluation(client, world)
    assert document["metrics"]["dosage_rate"]["numerator"] == 1
    assert earned(document) == {"fidelity": "500.00"}


def test_dropped_columns_are_never_stored(contract_with, post, db_session):
    contract_with(**growth_contract("map_reading", 10))
    post("roster", ROSTER)
    batch_id = post("assessments", MAP_FILE, params={"format": "nwea-map-cdf"}).json()["id"]
    internal = db_session.execute(select(Batch.id).where(Batch.public_id == batch_id)).scalar_one()
    stored = db_session.execute(
        select(assessment_rows).where(assessment_rows.c.batch_id == internal)
    ).all()
    cells = {str(value) for row in stored for value in row}
    assert len(stored) == 6
    assert not cells & {"Doe", "Jan", "Roe", "Ann", "01/02/2017", "Hispanic", "Ector ISD"}
    assert set(assessment_rows.c.keys()).isdisjoint({"StudentFirstName", "first_name"})


def test_a_bad_map_file_is_refused_in_its_own_terms_and_stores_nothing(contract_with, post, stored):
    contract_with(**growth_contract("map_reading", 10))
    post("roster", ROSTER)
    before = stored()
    content = plain_csv(
        "StudentID,StudentFirstName,TermName,Discipline,GrowthMeasureYN,TestStartDate,TestRITScore",
        "S1,Jan,Fall 2026-2027,Reading,TRUE,9/14/2026,180",
        "S2,Ann,Fall 2026-2027,Reading,TRUE,9/14/2026,18O",
        "S9,Bo,Spring 2026-2027,Reading,TRUE,4/14/2027,190",
    )
    response = post("assessments", content, params={"format": "nwea-map-cdf"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problems = response.json()["problems"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (3, "TestRITScore", "18O"),
        (4, "StudentID", "S9"),
    ]
    assert stored() == before


def test_a_star_file_posted_as_map_is_refused_naming_both(contract_with, post):
    contract_with()
    post("roster", ROSTER)
    response = post("assessments", STAR_FILE, params={"format": "nwea-map-cdf"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "expected an NWEA MAP Growth Comprehensive Data File" in detail
    assert "this looks like a Renaissance Star data export" in detail


def test_an_export_posted_without_its_format_is_told_which_format_reads_it(contract_with, post):
    contract_with()
    post("roster", ROSTER)
    response = post("assessments", MAP_FILE)
    assert response.status_code == 422
    assert "This looks like an NWEA MAP Growth" in response.json()["detail"]
    assert "post it with ?format=nwea-map-cdf" in response.json()["detail"]


def test_a_zip_with_a_path_leaving_the_archive_is_refused(contract_with, post, stored):
    contract_with()
    before = stored()
    content = zip_of({"../users.csv": b"sourcedId,grades,role\nu1,03,student\n"})
    response = post(
        "roster", content, content_type="application/zip", params={"format": "oneroster-1.2"}
    )
    assert response.status_code == 422
    assert "unsafe path" in response.json()["detail"]
    assert stored() == before


def test_an_i_ready_export_round_trips_through_the_contracts_windows(
    contract_with, post, client, world
):
    contract_with(
        **growth_contract("iready_math", 10),
        assessment_rules={"windows": IREADY_WINDOWS_JSON},
    )
    assert post("roster", ROSTER).status_code == 201
    response = post(
        "assessments", IREADY_FILE, params={"format": "iready-diagnostic", "subject": "math"}
    )
    assert response.status_code == 201, response.text
    assert "Student Last Name" in response.json()["dropped_columns"]
    # S1: 425 − 400 = 25 ≥ 10; S2: 418 − 410 = 8. Mean 33/2 = 16.5 ≥ 7.
    document = evaluation(client, world)
    assert earned(document) == {"growth": "100.00", "mean": "500.00"}
    assert document["metrics"]["mean_growth"]["value"] == "16.500000"


def test_i_ready_needs_the_contracts_declared_windows(contract_with, post):
    contract_with()
    post("roster", ROSTER)
    response = post(
        "assessments", IREADY_FILE, params={"format": "iready-diagnostic", "subject": "math"}
    )
    assert response.status_code == 422
    assert "declares no assessment_rules.windows" in response.json()["detail"]


def test_an_unknown_format_is_refused(contract_with, post):
    contract_with()
    response = post("roster", ROSTER, params={"format": "excel"})
    assert response.status_code == 422


def test_a_format_for_another_feed_is_refused(contract_with, post):
    contract_with()
    response = post("roster", MAP_FILE, params={"format": "nwea-map-cdf"})
    assert response.status_code == 422
    assert "is for the assessments feed, not roster" in response.json()["detail"]


def test_the_vendor_cannot_post_assessments_in_any_format(contract_with, post):
    contract_with()
    response = post("assessments", MAP_FILE, as_="bright-tutors", params={"format": "nwea-map-cdf"})
    assert response.status_code == 403


def test_a_stranger_cannot_post_an_export(contract_with, post):
    contract_with()
    response = post(
        "roster",
        ONEROSTER_ZIP,
        as_="other-isd",
        content_type="application/zip",
        params={"format": "oneroster-1.2"},
    )
    assert response.status_code == 404


def test_a_tranche_batch_says_so(contract_with, post):
    contract_with()
    batch = post("roster", ROSTER).json()
    assert (batch["format"], batch["dropped_columns"], batch["skipped_rows"]) == ("tranche", [], {})

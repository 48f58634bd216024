"""The live evaluation over HTTP (SPEC §3): who sees it, its CSV, and the stored evaluation
that statements and reports build on."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.clock import utcnow
from app.contracts.repository import contract_by_key
from app.errors import Conflict, NotFound
from app.evaluation.service import BatchRef, evaluate_stored_contract
from tests.evaluation.conftest import USAGE

URL = "/v1/contracts/ector-hdt-2026/evaluation"


@pytest.mark.parametrize("reader", ["ector-isd", "bright-tutors", "tx-state-audit"])
def test_parties_and_the_granted_auditor_see_the_evaluation(loaded, client, world, reader):
    response = client.get(URL, params={"as_of": "2027-06-30"}, headers=world.headers[reader])
    assert response.status_code == 200
    assert response.json()["contract"] == "ector-hdt-2026"
    students = client.get(
        f"{URL}/students", params={"as_of": "2027-06-30"}, headers=world.headers[reader]
    )
    assert students.status_code == 200


@pytest.mark.parametrize("stranger", ["other-isd", "other-vendor", "other-audit"])
def test_strangers_get_not_found(loaded, client, world, stranger):
    for path in (URL, f"{URL}/students"):
        assert client.get(path, headers=world.headers[stranger]).status_code == 404


def test_evaluation_needs_a_key(loaded, client):
    assert client.get(URL).status_code == 401


def test_a_proposed_contract_has_no_evaluation(client, world, definition):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    response = client.get(URL, headers=world.headers["ector-isd"])
    assert response.status_code == 409


def test_as_of_defaults_to_today(loaded, client, world):
    response = client.get(URL, headers=world.headers["ector-isd"])
    assert response.json()["as_of"] == utcnow().date().isoformat()


def test_as_of_must_be_a_date(loaded, client, world):
    response = client.get(URL, params={"as_of": "soon"}, headers=world.headers["ector-isd"])
    assert response.status_code == 422


def test_a_contract_without_data_evaluates_to_insufficient_metrics(active_contract, client, world):
    body = client.get(URL, params={"as_of": "2027-06-30"}, headers=world.headers["ector-isd"])
    assert body.status_code == 200
    assert body.json()["metrics"]["dosage_rate"]["insufficient"] is True


def test_students_csv_has_one_row_per_population_student(loaded, client, world):
    response = client.get(
        f"{URL}/students", params={"as_of": "2027-06-30"}, headers=world.headers["ector-isd"]
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["student_id"] for row in rows] == ["s01", "s02", "s03", "s04", "s05", "s06", "s08"]
    by_id = {row["student_id"]: row for row in rows}
    assert by_id["s01"]["minutes"] == "950.5"
    assert by_id["s04"]["minutes"] == "100"  # rows outside the measure's window do not count
    assert by_id["s05"]["eligible"] == "true"
    assert by_id["s06"]["eligible"] == "false"
    assert by_id["s04"]["met_goal"] == ""  # no spring score: missing, not false


def test_students_csv_cannot_run_as_spreadsheet_formulas(active_contract, post_feed, client, world):
    post_feed("roster", 'student_id,grade\n"=cmd|calc",3\n')
    response = client.get(f"{URL}/students", headers=world.headers["ector-isd"])
    assert "'=cmd|calc" in response.text


def test_stored_evaluation_names_the_batches_it_read(loaded, db_session):
    contract = contract_by_key(db_session, "ector-hdt-2026")
    evaluation = evaluate_stored_contract(db_session, contract=contract, as_of=date(2027, 6, 30))
    assert evaluation.version == 1
    assert evaluation.batches == tuple(
        BatchRef(b["id"], b["feed"], b["sha256"], b["rows"])
        for b in (loaded["roster"], loaded["assessments"], loaded["usage"])
    )
    again = evaluate_stored_contract(db_session, contract=contract, as_of=date(2027, 6, 30))
    assert again.fingerprint == evaluation.fingerprint
    later = evaluate_stored_contract(db_session, contract=contract, as_of=date(2027, 7, 1))
    assert later.fingerprint != evaluation.fingerprint


def test_named_batches_reproduce_an_earlier_evaluation(loaded, post_feed, db_session):
    contract = contract_by_key(db_session, "ector-hdt-2026")
    as_of = date(2027, 6, 30)
    before = evaluate_stored_contract(db_session, contract=contract, as_of=as_of)
    corrected = USAGE.replace("s02,2026-09-03,900,1", "s02,2026-09-03,90,1")
    post_feed("usage", corrected, replaces=loaded["usage"]["id"])

    now = evaluate_stored_contract(db_session, contract=contract, as_of=as_of)
    assert now.fingerprint != before.fingerprint
    assert now.result.to_json() != before.result.to_json()

    ids = [ref.id for ref in before.batches]
    replay = evaluate_stored_contract(db_session, contract=contract, as_of=as_of, batch_ids=ids)
    assert replay.result.to_json() == before.result.to_json()
    assert replay.fingerprint == before.fingerprint


def test_naming_an_unknown_batch_is_not_found(loaded, db_session):
    contract = contract_by_key(db_session, "ector-hdt-2026")
    with pytest.raises(NotFound):
        evaluate_stored_contract(
            db_session, contract=contract, as_of=date(2027, 6, 30), batch_ids=["nope"]
        )


def test_stored_evaluation_of_a_proposed_contract_is_a_conflict(
    client, world, definition, db_session
):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    contract = contract_by_key(db_session, "ector-hdt-2026")
    with pytest.raises(Conflict):
        evaluate_stored_contract(db_session, contract=contract, as_of=date(2027, 6, 30))

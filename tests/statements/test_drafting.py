"""Drafting a statement: `POST /v1/contracts/{key}/statements` (SPEC §3, issue #5 §1)."""

from __future__ import annotations

from app.engine import ENGINE_VERSION
from tests.statements.conftest import audited

URL = "/v1/contracts/ector-hdt-2026/statements"


def test_a_draft_records_version_engine_batches_and_fingerprint(client, world, feeds):
    response = client.post(URL, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd"])
    assert response.status_code == 201
    body = response.json()
    assert (body["contract"], body["version"], body["as_of"]) == ("ector-hdt-2026", 1, "2027-02-01")
    assert body["status"] == "draft"
    assert body["engine_version"] == ENGINE_VERSION
    assert len(body["fingerprint"]) == 64
    assert {(b["id"], b["feed"]) for b in body["batches"]} == {
        (feeds.ids["roster"], "roster"),
        (feeds.ids["usage"], "usage"),
    }
    assert all(len(b["sha256"]) == 64 and b["rows"] == 12 for b in body["batches"])
    assert [h["status"] for h in body["history"]] == ["draft"]
    assert body["history"][0]["by"] == "ector-isd"
    assert (body["paid"], body["outstanding"], body["approved_at"]) == ("0.00", "0.00", None)
    assert response.headers["ETag"].startswith('"')


def test_every_line_carries_the_engines_explanation(desk, feeds):
    fidelity = desk.draft("2027-02-01")["lines"][1]
    assert fidelity["tranche"] == "fidelity"
    assert fidelity["status"] == "earned"
    assert fidelity["held_for_review"] is False
    assert "75.00%" in fidelity["explanation"]


def test_pending_tranches_are_left_out_of_the_statement(desk, feeds):
    # As of 2026-12-01 only base (due 2026-10-01) is due; fidelity and growth are pending.
    draft = desk.draft("2026-12-01")
    assert [line["tranche"] for line in draft["lines"]] == ["base"]
    assert draft["total_due"] == "1000.00"


def test_an_indeterminate_line_is_kept_with_nothing_earned_and_held_for_review(desk, feeds):
    # A roster of one grade-6 student: the population (grades 3-5) is empty, so dosage_rate,
    # a share of nobody, is insufficient and fidelity cannot be decided.
    feeds.post("roster", "student_id,grade\nS01,6\n", replaces=feeds.ids["roster"])
    draft = desk.draft("2027-02-01")
    fidelity = next(line for line in draft["lines"] if line["tranche"] == "fidelity")
    assert (
        fidelity["status"],
        fidelity["held_for_review"],
        fidelity["earned"],
        fidelity["due"],
    ) == (
        "indeterminate",
        True,
        "0.00",
        "0.00",
    )


def test_a_contract_not_yet_accepted_cannot_be_billed(client, world, definition):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    response = client.post(URL, json={"as_of": "2027-02-01"}, headers=world.headers["ector-isd"])
    assert response.status_code == 409


def test_a_draft_cannot_go_back_before_an_approved_statement(desk, approved_statement):
    refused = desk.call("POST", URL, "ector-isd", 409, json={"as_of": "2026-12-31"})
    assert refused["latest_approved_as_of"] == "2027-02-01"


def test_drafting_is_audited(desk, feeds, db_session):
    draft = desk.draft("2027-02-01")
    (entry,) = audited(db_session, "statement.drafted")
    assert (entry.object_id, entry.contract_key) == (draft["id"], "ector-hdt-2026")


def test_only_the_district_drafts(client, world, feeds):
    for org in ("bright-tutors", "tx-state-audit"):
        response = client.post(URL, json={"as_of": "2027-02-01"}, headers=world.headers[org])
        assert response.status_code == 403, org


def test_strangers_cannot_draft_on_someone_elses_contract(client, world, feeds):
    for org in ("other-isd", "other-vendor", "other-audit"):
        response = client.post(URL, json={"as_of": "2027-02-01"}, headers=world.headers[org])
        assert response.status_code == 404, org


def test_a_draft_needs_a_date(client, world, feeds):
    response = client.post(URL, json={"as_of": "soon"}, headers=world.headers["ector-isd"])
    assert response.status_code == 422

"""Reproducibility: `POST /v1/statements/{id}/verify` recomputes from exactly the recorded
batches and says whether every amount still matches (issue #5 §4)."""

from __future__ import annotations

from sqlalchemy import text

from tests.statements.conftest import disable_settled_guard, usage_csv


def verify(desk, statement_id: str, org: str = "ector-isd") -> dict:
    return desk.call("POST", f"/v1/statements/{statement_id}/verify", org, 200)


def test_a_fresh_statement_verifies_line_by_line(desk, feeds):
    draft = desk.draft("2027-02-01")
    report = verify(desk, draft["id"])
    assert report["matches"] is True
    assert report["fingerprint"]["recomputed"] == draft["fingerprint"]
    assert [(line["tranche"], line["matches"]) for line in report["lines"]] == [
        ("base", True),
        ("fidelity", True),
    ]
    assert report["lines"][1]["payable"] == {
        "recorded": "450.00",
        "recomputed": "450.00",
        "matches": True,
    }
    assert report["total_due"]["recomputed"] == "1450.00"
    assert all(batch["matches"] for batch in report["batches"])


def test_an_approved_statement_still_verifies_after_its_data_was_corrected(
    desk, approved_statement, feeds
):
    feeds.correct_usage()  # supersedes the usage batch the statement used
    report = verify(desk, approved_statement["id"])
    assert report["matches"] is True


def test_a_statement_still_verifies_after_the_contract_was_amended(
    client, world, desk, approved_statement, definition
):
    client.put(
        "/v1/contracts/ector-hdt-2026",
        json=definition(title="v2"),
        headers=world.headers["ector-isd"],
    )
    client.post("/v1/contracts/ector-hdt-2026/accept", headers=world.headers["bright-tutors"])
    assert verify(desk, approved_statement["id"])["matches"] is True


def test_a_later_statement_verifies_against_what_was_billed_before_it(
    desk, approved_statement, feeds
):
    feeds.correct_usage()
    second = desk.approve(desk.draft("2027-02-01")["id"])  # the −450.00 fidelity credit
    report = verify(desk, second["id"])
    assert report["matches"] is True
    assert report["lines"][1]["previously_billed"]["recomputed"] == "450.00"


def test_verification_detects_an_amount_that_was_altered(desk, approved_statement, db_session):
    # Someone switches off the database's guard and edits the stored fidelity line behind the
    # service's back: 450.00 → 499.00 due.
    disable_settled_guard(db_session, "statement_lines")
    db_session.execute(
        text(
            "UPDATE statement_lines SET due = 49900 WHERE statement_id = :id AND tranche = 'fidelity'"
        ),
        {"id": approved_statement["id"]},
    )
    db_session.expire_all()
    report = verify(desk, approved_statement["id"])
    assert report["matches"] is False
    base, fidelity = report["lines"]
    assert base["matches"] is True
    assert fidelity["matches"] is False
    assert fidelity["due"] == {"recorded": "499.00", "recomputed": "450.00", "matches": False}
    assert fidelity["earned"]["matches"] is True
    assert report["fingerprint"]["matches"] is True  # the data did not change; the record did


def test_verification_detects_a_batch_whose_content_hash_changed(
    desk, approved_statement, feeds, db_session
):
    db_session.execute(
        text("UPDATE batches SET sha256 = :fake WHERE public_id = :id"),
        {"fake": "0" * 64, "id": feeds.ids["usage"]},
    )
    db_session.expire_all()
    report = verify(desk, approved_statement["id"])
    assert report["matches"] is False
    usage = next(batch for batch in report["batches"] if batch["feed"] == "usage")
    assert (usage["matches"], usage["stored_sha256"]) == (False, "0" * 64)
    assert report["fingerprint"]["matches"] is False


def test_parties_and_the_granted_auditor_may_verify(client, world, desk, approved_statement):
    for org in ("ector-isd", "bright-tutors", "tx-state-audit"):
        assert verify(desk, approved_statement["id"], org)["matches"] is True
    for org in ("other-isd", "other-vendor", "other-audit"):
        response = client.post(
            f"/v1/statements/{approved_statement['id']}/verify", headers=world.headers[org]
        )
        assert response.status_code == 404, org


def test_a_statement_still_verifies_after_a_later_batch_restated_a_day(
    desk, approved_statement, feeds
):
    # Not a replacement: a later batch's value for S09's day wins over the earlier one.
    feeds.post("usage", usage_csv({"S09": 800}))
    assert verify(desk, approved_statement["id"])["matches"] is True
    second = desk.draft("2027-02-01")
    assert [line["due"] for line in second["lines"] if line["tranche"] == "fidelity"] == ["-450.00"]

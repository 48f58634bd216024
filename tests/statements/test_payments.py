"""Recording payments: `POST /v1/statements/{id}/payments` (SPEC §3, issue #5 §2)."""

from __future__ import annotations

from tests.statements.conftest import audited


def payment(amount: str = "100.00") -> dict:
    return {"amount": amount, "paid_on": "2027-03-01", "reference": "CHK-77"}


def test_partial_payments_add_up_to_what_is_due(desk, approved_statement, db_session):
    statement = approved_statement["id"]
    # 1450.00 due: 1000.00 + 449.99 + 0.01
    desk.pay(statement, "1000.00")
    desk.pay(statement, "449.99")
    paid = desk.pay(statement, "0.01")
    assert (paid["paid"], paid["outstanding"]) == ("1450.00", "0.00")
    assert [(p["amount"], p["reference"]) for p in paid["payments"]] == [
        ("1000.00", "CHK-1"),
        ("449.99", "CHK-1"),
        ("0.01", "CHK-1"),
    ]
    entries = audited(db_session, "payment.recorded")
    assert len(entries) == 3
    assert '"amount":"449.99"' in entries[1].details


def test_a_payment_past_the_outstanding_amount_is_refused(desk, approved_statement):
    statement = approved_statement["id"]
    desk.pay(statement, "1000.00")
    # 1450.00 − 1000.00 = 450.00 outstanding: 450.01 is one cent too much.
    refused = desk.call(
        "POST", f"/v1/statements/{statement}/payments", "ector-isd", 409, json=payment("450.01")
    )
    assert refused["outstanding"] == "450.00"
    assert desk.pay(statement, "450.00")["outstanding"] == "0.00"


def test_a_fully_paid_statement_takes_no_more_payments(desk, approved_statement):
    statement = approved_statement["id"]
    desk.pay(statement, "1450.00")
    desk.call(
        "POST", f"/v1/statements/{statement}/payments", "ector-isd", 409, json=payment("0.01")
    )


def test_a_draft_cannot_be_paid(desk, feeds):
    draft = desk.draft("2027-02-01")
    refused = desk.call(
        "POST", f"/v1/statements/{draft['id']}/payments", "ector-isd", 409, json=payment()
    )
    assert "only against approved statements" in refused["detail"]


def test_a_voided_statement_cannot_be_paid(desk, feeds):
    draft = desk.draft("2027-02-01")
    desk.call("POST", f"/v1/statements/{draft['id']}/void", "ector-isd", 200)
    desk.call("POST", f"/v1/statements/{draft['id']}/payments", "ector-isd", 409, json=payment())


def test_a_payment_is_a_nonzero_amount_of_whole_cents_given_as_a_string(desk, approved_statement):
    url = f"/v1/statements/{approved_statement['id']}/payments"
    for amount in ("0.00", "10.005", "ten", 10.5, "1e3", "1e30", "9" * 5000, "1000000000.01"):
        refused = desk.call("POST", url, "ector-isd", 422, json=payment(amount))  # type: ignore[arg-type]
        assert refused["problems"][0]["path"].endswith("amount"), amount
    # A refund is not recorded against a statement that bills money.
    assert "refund" in desk.call("POST", url, "ector-isd", 409, json=payment("-5.00"))["detail"]
    desk.call("POST", url, "ector-isd", 422, json={"amount": "1.00", "paid_on": "2027-03-01"})


def test_if_match_guards_a_payment_against_a_change_made_since_reading(
    client, world, desk, approved_statement
):
    statement = approved_statement["id"]
    read = client.get(f"/v1/statements/{statement}", headers=world.headers["ector-isd"])
    etag = read.headers["ETag"]
    desk.pay(statement, "100.00")  # someone else pays meanwhile
    headers = {**world.headers["ector-isd"], "If-Match": etag}
    stale = client.post(f"/v1/statements/{statement}/payments", json=payment(), headers=headers)
    assert stale.status_code == 412
    fresh_etag = client.get(f"/v1/statements/{statement}", headers=world.headers["ector-isd"])
    headers["If-Match"] = fresh_etag.headers["ETag"]
    accepted = client.post(f"/v1/statements/{statement}/payments", json=payment(), headers=headers)
    assert accepted.status_code == 201
    assert accepted.json()["paid"] == "200.00"


def test_only_the_district_records_payments(client, world, approved_statement):
    url = f"/v1/statements/{approved_statement['id']}/payments"
    for org in ("bright-tutors", "tx-state-audit"):
        assert client.post(url, json=payment(), headers=world.headers[org]).status_code == 403
    for org in ("other-isd", "other-vendor", "other-audit"):
        assert client.post(url, json=payment(), headers=world.headers[org]).status_code == 404

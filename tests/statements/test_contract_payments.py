"""Payments and refunds per contract (SPEC §3 Payments): outstanding = approved − payments,
refunds are negative payments, and no payment takes outstanding past zero."""

from __future__ import annotations

import pytest

from tests.statements.conftest import audited

PAYMENTS = "/v1/contracts/ector-hdt-2026/payments"


def pay(desk, amount, expect=201, paid_on="2027-03-01", org="ector-isd"):
    body = {"amount": amount, "paid_on": paid_on, "reference": f"CHK {amount}"}
    return desk.call("POST", PAYMENTS, org, expect, json=body)


def figures(desk, org="ector-isd"):
    (contract,) = desk.balance(org)["contracts"]
    return contract


def test_a_credit_statement_then_the_vendors_refund_bring_outstanding_to_zero(
    desk, feeds, approved_statement, db_session
):
    # Statement 1: base 1000.00 + fidelity 450.00 = 1450.00, paid in full.
    assert pay(desk, "1450.00")["outstanding"] == "0.00"
    # Corrected usage: the dosage rate falls to 8/12 and fidelity is no longer met, so
    # statement 2 credits its 450.00 back.
    feeds.correct_usage()
    credit = desk.approve(desk.draft("2027-03-01")["id"])
    assert credit["total_due"] == "-450.00"
    owed = figures(desk, "bright-tutors")
    assert (owed["outstanding"], owed["vendor_owes"]) == ("-450.00", "450.00")
    # Only a refund fits now, and at most what the vendor owes.
    assert "only a refund" in pay(desk, "10.00", expect=409)["detail"]
    assert pay(desk, "-450.01", expect=409)["outstanding"] == "-450.00"
    refund = pay(desk, "-450.00")
    assert (refund["amount"], refund["statement"], refund["outstanding"]) == (
        "-450.00",
        None,
        "0.00",
    )
    settled = figures(desk)
    assert (settled["approved"], settled["paid"], settled["outstanding"]) == (
        "1000.00",
        "1000.00",
        "0.00",
    )
    assert settled["vendor_owes"] == "0.00"
    # Nothing is outstanding: neither a payment nor a refund can be recorded.
    pay(desk, "0.01", expect=409)
    pay(desk, "-0.01", expect=409)
    (refund_entry,) = audited(db_session, "refund.recorded")
    assert '"amount":"-450.00"' in refund_entry.details


def test_the_statement_shortcut_is_held_to_the_contracts_outstanding(
    desk, feeds, approved_statement
):
    feeds.correct_usage()
    desk.approve(desk.draft("2027-03-01")["id"])  # a credit of 450.00, nothing paid yet
    # Statement 1 alone says 1450.00, but the contract owes only 1000.00 after the credit.
    url = f"/v1/statements/{approved_statement['id']}/payments"
    body = {"amount": "1450.00", "paid_on": "2027-03-01", "reference": "CHK-1"}
    refused = desk.call("POST", url, "ector-isd", 409, json=body)
    assert refused["outstanding"] == "1000.00"
    paid = desk.call("POST", url, "ector-isd", 201, json=body | {"amount": "1000.00"})
    assert paid["payments"][0]["statement"] == approved_statement["id"]
    assert figures(desk)["outstanding"] == "0.00"


@pytest.mark.parametrize(
    ("paid_on", "why"),
    [("2028-01-01", "future"), ("2025-07-31", "a year before the term starts")],
)
def test_a_payment_date_in_the_future_or_long_before_the_term_is_refused(
    desk, approved_statement, paid_on, why
):
    refused = pay(desk, "100.00", expect=422, paid_on=paid_on)
    assert refused["problems"][0]["path"] == "paid_on"
    assert why in refused["problems"][0]["message"]


def test_a_payment_dated_today_or_exactly_a_year_before_the_term_is_accepted(
    desk, approved_statement
):
    pay(desk, "100.00", paid_on="2027-12-31")  # today, in these stories
    pay(desk, "100.00", paid_on="2025-08-01")  # the term starts 2026-08-01
    assert figures(desk)["paid"] == "200.00"


@pytest.mark.parametrize("amount", ["1e30", "9" * 5000, "-1000000000.01", "NaN", "0.00", 12])
def test_absurd_or_zero_amounts_are_a_problem_never_a_server_error(
    desk, approved_statement, amount
):
    refused = pay(desk, amount, expect=422)
    assert refused["problems"][0]["path"].endswith("amount")
    assert len(str(refused)) < 2000  # the 5000 digits are not echoed back


def test_contract_payments_are_for_the_districts_approvers_only(client, world, approved_statement):
    body = {"amount": "1.00", "paid_on": "2027-03-01", "reference": "X"}
    for org, status in [
        ("other-isd", 404),
        ("other-vendor", 404),
        ("bright-tutors", 403),
        ("tx-state-audit", 403),
        ("ector-isd:preparer", 403),
        ("ector-isd:viewer", 403),
    ]:
        assert client.post(PAYMENTS, json=body, headers=world.headers[org]).status_code == status
    recorded = client.post(PAYMENTS, json=body, headers=world.headers["ector-isd:approver"])
    assert recorded.status_code == 201
    assert recorded.json()["recorded_by"].startswith("Approver Approver of ector-isd")

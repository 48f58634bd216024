"""The full story of one contract, with every amount computed by hand (issue #5).

Contract `ector-hdt-2026` (tests/conftest.py): base fixed 1000.00 due 2026-10-01; fidelity
500.00 if dosage_rate ≥ 0.75, due 2027-01-31; growth 100.00 per grower, due 2027-06-30;
holdback 10% of non-fixed lines until closeout (term ends 2027-07-31). Data: see conftest.py.
"""

from __future__ import annotations

from tests.statements.conftest import ASSESSMENTS_CSV, amounts


def test_draft_approve_pay_correct_credit_and_closeout(feeds, desk):
    # --- Statement 1, as of 2027-02-01: base and fidelity are due, growth is pending.
    # base:     fixed, never held:          earned 1000.00, held 0.00, payable 1000.00
    # fidelity: 9/12 = 0.75 ≥ 0.75 ⇒ 500.00; held 10% = 50.00; payable 450.00
    # nothing billed before ⇒ due = payable; total 1000.00 + 450.00 = 1450.00
    first = desk.draft("2027-02-01")
    assert first["status"] == "draft"
    assert [line["tranche"] for line in first["lines"]] == ["base", "fidelity"]
    assert amounts(first["lines"][0]) == ("1000.00", "0.00", "1000.00", "0.00", "1000.00")
    assert amounts(first["lines"][1]) == ("500.00", "50.00", "450.00", "0.00", "450.00")
    assert first["total_due"] == "1450.00"
    assert {b["feed"] for b in first["batches"]} == {"roster", "usage"}

    approved = desk.approve(first["id"])
    assert approved["status"] == "approved"
    assert approved["outstanding"] == "1450.00"

    # --- Paid in two parts: 1000.00 then 450.00 ⇒ outstanding 1450.00 − 1450.00 = 0.00.
    after_first = desk.pay(first["id"], "1000.00", "CHK-1001")
    assert (after_first["paid"], after_first["outstanding"]) == ("1000.00", "450.00")
    after_second = desk.pay(first["id"], "450.00", "CHK-1002")
    assert (after_second["paid"], after_second["outstanding"]) == ("1450.00", "0.00")

    # --- A data correction: S09 really had 800 minutes ⇒ dosage 8/12 ≈ 0.6667 < 0.75.
    feeds.correct_usage()
    feeds.post("assessments", ASSESSMENTS_CSV)

    # --- Statement 2, as of 2027-06-30: growth is due now.
    # base:     payable 1000.00 − billed 1000.00 = 0.00
    # fidelity: not met ⇒ earned 0.00, payable 0.00 − billed 450.00 = −450.00 (a credit)
    # growth:   8 growers × 100.00 = 800.00; held 80.00; payable 720.00; due 720.00
    # total:    0.00 − 450.00 + 720.00 = 270.00
    second = desk.draft("2027-06-30")
    lines = {line["tranche"]: line for line in second["lines"]}
    assert amounts(lines["base"]) == ("1000.00", "0.00", "1000.00", "1000.00", "0.00")
    assert amounts(lines["fidelity"]) == ("0.00", "0.00", "0.00", "450.00", "-450.00")
    assert amounts(lines["growth"]) == ("800.00", "80.00", "720.00", "0.00", "720.00")
    assert "(a credit)" in lines["fidelity"]["explanation"]
    assert second["total_due"] == "270.00"
    desk.approve(second["id"])
    desk.pay(second["id"], "270.00", "CHK-1003")

    # Mid-way: earned to date on the latest approved statement 1000 + 0 + 800 = 1800.00;
    # approved 1450.00 + 270.00 = 1720.00, all paid; 80.00 still held back on growth.
    mid = desk.balance()["contracts"][0]
    assert (mid["earned"], mid["approved"], mid["paid"], mid["outstanding"], mid["held"]) == (
        "1800.00",
        "1720.00",
        "1720.00",
        "0.00",
        "80.00",
    )

    # --- Closeout statement, as of the term's end 2027-07-31: nothing is held any more.
    # base:     0.00 due; fidelity: 0.00 − (450.00 − 450.00) = 0.00
    # growth:   800.00 earned, held 0.00, payable 800.00 − billed 720.00 = 80.00: the holdback
    # total:    80.00
    closeout = desk.draft("2027-07-31")
    lines = {line["tranche"]: line for line in closeout["lines"]}
    assert amounts(lines["base"]) == ("1000.00", "0.00", "1000.00", "1000.00", "0.00")
    assert amounts(lines["fidelity"]) == ("0.00", "0.00", "0.00", "0.00", "0.00")
    assert amounts(lines["growth"]) == ("800.00", "0.00", "800.00", "720.00", "80.00")
    assert closeout["total_due"] == "80.00"
    desk.approve(closeout["id"])
    desk.pay(closeout["id"], "80.00", "CHK-1004")

    # The dues of each tranche add up to its latest payable:
    # base 1000 + 0 + 0 = 1000; fidelity 450 − 450 + 0 = 0; growth 720 + 80 = 800.
    # Balance: earned 1800.00 = approved 1450 + 270 + 80 = 1800.00 = paid; nothing held.
    final = desk.balance("bright-tutors")
    expected = {
        "earned": "1800.00",
        "approved": "1800.00",
        "paid": "1800.00",
        "outstanding": "0.00",
        "vendor_owes": "0.00",
        "held": "0.00",
        "disputed": "0.00",
    }
    assert final["vendor"] == "bright-tutors"
    assert [c["contract"] for c in final["contracts"]] == ["ector-hdt-2026"]
    assert {k: final["contracts"][0][k] for k in expected} == expected
    assert final["totals"] == expected


def test_a_statement_that_only_corrects_is_a_credit_and_takes_no_payment(
    feeds, desk, approved_statement
):
    # Same as_of as statement 1 after the correction: base 1000 − 1000 = 0.00,
    # fidelity 0.00 − 450.00 = −450.00 ⇒ total −450.00, a credit the vendor owes back.
    feeds.correct_usage()
    credit = desk.draft("2027-02-01")
    assert credit["total_due"] == "-450.00"
    desk.approve(credit["id"])
    refused = desk.call(
        "POST",
        f"/v1/statements/{credit['id']}/payments",
        "ector-isd",
        409,
        json={"amount": "1.00", "paid_on": "2027-03-01", "reference": "X"},
    )
    assert "credit" in refused["detail"]
    # Approved 1450.00 − 450.00 = 1000.00, nothing paid yet ⇒ outstanding 1000.00.
    balance = desk.balance()["totals"]
    assert (balance["approved"], balance["outstanding"]) == ("1000.00", "1000.00")

"""What a vendor is owed: `GET /v1/vendors/{key}/balance` (SPEC §3, issue #5 §3)."""

from __future__ import annotations

from app.read_cache.ledger import SNAPSHOT
from tests.statements_run import statements_run

FIGURES = ("earned", "approved", "paid", "outstanding", "held", "disputed")
URL = "/v1/vendors/bright-tutors/balance"


def figures(entry: dict) -> tuple[str, ...]:
    return tuple(entry[name] for name in FIGURES)


def test_a_vendor_with_nothing_approved_is_owed_nothing(desk, feeds):
    desk.draft("2027-02-01")  # drafts do not count
    balance = desk.balance()
    assert figures(balance["contracts"][0]) == ("0.00",) * 6
    assert figures(balance["totals"]) == ("0.00",) * 6


def test_the_balance_follows_approvals_and_payments(desk, approved_statement):
    # Statement 1: base 1000.00 + fidelity 500.00 earned; 50.00 held; 1450.00 approved.
    desk.pay(approved_statement["id"], "1000.00")
    balance = desk.balance()
    # outstanding = 1450.00 approved − 1000.00 paid = 450.00
    assert figures(balance["contracts"][0]) == (
        "1500.00",
        "1450.00",
        "1000.00",
        "450.00",
        "50.00",
        "0.00",
    )
    assert figures(balance["totals"]) == figures(balance["contracts"][0])


def test_totals_add_up_over_the_vendors_contracts(
    client, world, desk, approved_statement, definition
):
    # A second contract with the same vendor, another district: its base is due too.
    second = definition(key="other-hdt-2026", district="other-isd", auditors=[])
    client.post("/v1/contracts", json=second, headers=world.headers["other-isd"])
    client.post("/v1/contracts/other-hdt-2026/accept", headers=world.headers["bright-tutors"])
    draft = desk.call(
        "POST",
        "/v1/contracts/other-hdt-2026/statements",
        "other-isd",
        201,
        json={"as_of": "2026-12-01"},
    )
    desk.call("POST", f"/v1/statements/{draft['id']}/approve", "other-isd:approver", 200)
    desk.pay(approved_statement["id"], "300.00")
    body = {"amount": "1000.00", "paid_on": "2027-03-01", "reference": "CHK-9"}
    desk.call("POST", f"/v1/statements/{draft['id']}/payments", "other-isd", 201, json=body)

    vendor_view = desk.balance("bright-tutors")
    assert [c["contract"] for c in vendor_view["contracts"]] == ["ector-hdt-2026", "other-hdt-2026"]
    # Each contract's own statements and payments, never the other's.
    assert [figures(c) for c in vendor_view["contracts"]] == [
        ("1500.00", "1450.00", "300.00", "1150.00", "50.00", "0.00"),
        ("1000.00", "1000.00", "1000.00", "0.00", "0.00", "0.00"),
    ]
    # approved 1450.00 + 1000.00 (other's base only, no data needed) = 2450.00
    assert vendor_view["totals"]["approved"] == "2450.00"
    assert vendor_view["totals"]["earned"] == "2500.00"  # 1500.00 + 1000.00
    assert vendor_view["totals"]["paid"] == "1300.00"

    # Each district sees only its own contracts with the vendor.
    assert [c["contract"] for c in desk.balance("ector-isd")["contracts"]] == ["ector-hdt-2026"]
    assert [c["contract"] for c in desk.balance("other-isd")["contracts"]] == ["other-hdt-2026"]
    assert desk.balance("other-isd")["totals"]["approved"] == "1000.00"


def test_another_vendors_balance_is_not_found(client, world, active_contract):
    assert client.get(URL, headers=world.headers["other-vendor"]).status_code == 404


def test_a_district_without_contracts_with_the_vendor_is_told_it_does_not_exist(
    client, world, active_contract
):
    assert client.get(URL, headers=world.headers["other-isd"]).status_code == 404


def test_an_unknown_vendor_or_a_non_vendor_is_not_found(client, world, active_contract):
    for key in ("nobody", "ector-isd"):
        response = client.get(f"/v1/vendors/{key}/balance", headers=world.headers["ector-isd"])
        assert response.status_code == 404, key


def test_auditors_are_refused_the_balance(client, world, active_contract):
    # Documented choice: the SPEC gives the balance to the district and the vendor only.
    for org in ("tx-state-audit", "other-audit"):
        assert client.get(URL, headers=world.headers[org]).status_code == 403, org


def test_the_balance_needs_a_key(client, active_contract):
    assert client.get(URL).status_code == 401


def test_a_vendors_balance_costs_one_query_however_many_contracts_it_covers(
    client, world, desk, approved_statement, definition
):
    """A state-wide vendor's balance covers hundreds of contracts: one query per contract
    would make it the slowest read of the service, and every first read after a change to the
    ledger pays for each query it makes (issue #17, goal 4)."""

    def queries_for_balance() -> int:
        desk.pay(approved_statement["id"], "1.00", reference=f"CHK-{len(seen)}")  # not kept
        seen.clear()
        desk.balance("bright-tutors")
        # Besides the ledger snapshot admission reads (one shared by the requests waiting).
        return len([statement for statement in seen if statement != SNAPSHOT])

    with statements_run() as seen:
        desk.balance("bright-tutors")
        one = queries_for_balance()
        for number in range(3):
            key = f"more-hdt-{number}"
            more = definition(key=key, district="other-isd", auditors=[])
            client.post("/v1/contracts", json=more, headers=world.headers["other-isd"])
            client.post(f"/v1/contracts/{key}/accept", headers=world.headers["bright-tutors"])
        assert len(desk.balance("bright-tutors")["contracts"]) == 4
        four = queries_for_balance()
    assert one == 1
    assert four == 1

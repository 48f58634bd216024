"""Disputes: the vendor objects to a line, the district resolves it with an outcome and a
note (SPEC §3; blocking approval: tests/statements/test_approval.py)."""

from __future__ import annotations

from tests.statements.conftest import audited


def dispute(
    desk, statement_id: str, line: str = "fidelity", expect: int = 201, org="bright-tutors"
):
    body = {"line": line, "reason": "Our logs show 9 of 12 students above 900 minutes."}
    return desk.call("POST", f"/v1/statements/{statement_id}/disputes", org, expect, json=body)


def resolve(desk, statement_id: str, dispute_id: str, expect: int = 200, org="ector-isd"):
    url = f"/v1/disputes/{dispute_id}/resolve"
    body = {"outcome": "rejected", "note": "Checked against the SIS: agreed."}
    return desk.call("POST", url, org, expect, json=body)


def test_the_vendor_disputes_a_line_and_the_district_resolves_it(
    desk, approved_statement, db_session
):
    statement = approved_statement["id"]
    opened = dispute(desk, statement)
    assert (opened["statement"], opened["line"]) == (statement, "fidelity")
    assert (opened["status"], opened["resolved_at"]) == ("open", None)
    shown = desk.call("GET", f"/v1/statements/{statement}", "ector-isd", 200)
    assert [line["disputed"] for line in shown["lines"]] == [False, True]
    assert shown["disputes"][0]["id"] == opened["id"]

    resolved = resolve(desk, statement, opened["id"])
    assert resolved["status"] == "resolved"
    assert resolved["resolution_note"] == "Checked against the SIS: agreed."
    shown = desk.call("GET", f"/v1/statements/{statement}", "bright-tutors", 200)
    assert [line["disputed"] for line in shown["lines"]] == [False, False]
    # The statement itself did not change: the dispute lives beside it.
    assert shown["lines"] == approved_statement["lines"]
    assert shown["status"] == "approved"
    actions = [entry.action for entry in audited(db_session, "dispute.%")]
    assert actions == ["dispute.opened", "dispute.resolved"]


def test_an_open_dispute_counts_as_disputed_in_the_balance_until_resolved(desk, approved_statement):
    opened = dispute(desk, approved_statement["id"])
    # The fidelity line's due is 450.00.
    assert desk.balance()["totals"]["disputed"] == "450.00"
    resolve(desk, approved_statement["id"], opened["id"])
    assert desk.balance()["totals"]["disputed"] == "0.00"


def test_a_draft_line_can_be_disputed_before_approval(desk, feeds):
    draft = desk.draft("2027-02-01")
    assert dispute(desk, draft["id"], line="base")["status"] == "open"


def test_a_line_that_is_not_on_the_statement_cannot_be_disputed(desk, approved_statement):
    # growth is pending as of 2027-02-01, so it is not a line of this statement.
    refused = dispute(desk, approved_statement["id"], line="growth", expect=422)
    assert refused["problems"][0]["path"] == "line"


def test_a_line_with_an_open_dispute_cannot_be_disputed_again(desk, approved_statement):
    dispute(desk, approved_statement["id"])
    dispute(desk, approved_statement["id"], expect=409)


def test_a_voided_statement_cannot_be_disputed(desk, feeds):
    draft = desk.draft("2027-02-01")
    desk.call("POST", f"/v1/statements/{draft['id']}/void", "ector-isd", 200)
    dispute(desk, draft["id"], expect=409)


def test_a_resolved_dispute_cannot_be_resolved_again(desk, approved_statement):
    opened = dispute(desk, approved_statement["id"])
    resolve(desk, approved_statement["id"], opened["id"])
    resolve(desk, approved_statement["id"], opened["id"], expect=409)


def test_an_unknown_dispute_is_not_found(desk, approved_statement):
    resolve(desk, approved_statement["id"], "no-such-dispute", expect=404)


def test_only_the_vendor_disputes(desk, approved_statement):
    for org in ("ector-isd", "tx-state-audit"):
        dispute(desk, approved_statement["id"], org=org, expect=403)
    for org in ("other-isd", "other-vendor", "other-audit"):
        dispute(desk, approved_statement["id"], org=org, expect=404)


def test_only_the_district_resolves(desk, approved_statement):
    opened = dispute(desk, approved_statement["id"])
    for org in ("bright-tutors", "tx-state-audit"):
        resolve(desk, approved_statement["id"], opened["id"], org=org, expect=403)
    for org in ("other-isd", "other-vendor", "other-audit"):
        resolve(desk, approved_statement["id"], opened["id"], org=org, expect=404)

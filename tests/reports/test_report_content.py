"""The JSON report against the hand-computed contract of conftest.py (as seen by the district)."""

from __future__ import annotations

import pytest

AS_OF = "2027-06-30"


@pytest.fixture
def report(client, world, paid_contract):  # type: ignore[no-untyped-def]
    response = client.get(
        f"/v1/contracts/{paid_contract.key}/report",
        params={"as_of": AS_OF},
        headers=world.headers["ector-isd"],
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_report_names_the_contract_its_terms_and_version_history(report):
    contract = report["contract"]
    assert contract["key"] == "ector-hdt-2026"
    assert (contract["district"], contract["vendor"]) == ("ector-isd", "bright-tutors")
    assert contract["version_evaluated"] == 1 and contract["version_in_force"] == 1
    assert [t["key"] for t in contract["terms"]["tranches"]] == ["base", "fidelity", "growth"]
    assert [(v["version"], v["status"]) for v in contract["versions"]] == [(1, "active")]
    assert report["report"]["as_of"] == AS_OF
    assert report["report"]["audience"] == "district"


def test_version_history_lists_amendments(client, world, paid_contract, definition):
    from tests.reports.conftest import REPORT_DEFINITION_CHANGES

    amended = definition(**REPORT_DEFINITION_CHANGES, title="Amended, not yet accepted")
    client.put(
        f"/v1/contracts/{paid_contract.key}", json=amended, headers=world.headers["ector-isd"]
    )
    body = client.get(
        f"/v1/contracts/{paid_contract.key}/report",
        params={"as_of": AS_OF},
        headers=world.headers["ector-isd"],
    ).json()
    assert [(v["version"], v["status"]) for v in body["contract"]["versions"]] == [
        (1, "active"),
        (2, "proposed"),
    ]
    assert body["contract"]["version_evaluated"] == 1  # the proposal is not in force


def test_data_coverage_counts_batches_rows_students_and_missing_scores(report):
    coverage = report["coverage"]
    assert [(b["feed"], b["rows"], b["used"]) for b in coverage["batches"]] == [
        ("roster", 28, True),
        ("assessments", 50, True),  # 25 fall + 25 spring scores
        ("usage", 86, True),  # 20 × 4 + 3 × 2 sessions of 300 minutes
    ]
    assert all(len(b["sha256"]) == 64 for b in coverage["batches"])
    assert coverage["rows_by_feed"] == {"roster": 28, "assessments": 50, "usage": 86}
    assert coverage["roster_students"] == 28
    assert coverage["population"] == 26  # x01, x02 are grade 2
    assert coverage["students_with_usage"] == 23  # all but n12, s03, s04
    missing = {m["measure"]: (m["missing"], m["of"]) for m in coverage["missing_scores"]}
    assert missing == {"growth": (2, 26), "met_goal": (2, 26)}  # n10 and s02


def test_fidelity_shows_the_dosage_distribution_and_the_share_meeting_the_gate(report):
    fidelity = report["fidelity"]
    assert fidelity["gate"] == ["minutes ≥ 900"]
    assert (fidelity["eligible"], fidelity["population"]) == (20, 26)
    assert fidelity["share_eligible"] == "0.769231"
    assert [(b["label"], b["students"]) for b in fidelity["distribution"]] == [
        ("0–225", 3),
        ("225–450", 0),
        ("450–675", 3),
        ("675–900", 0),
        ("≥ 900", 20),
    ]


def test_outcomes_give_each_metric_with_numerator_denominator_and_coverage(report):
    metrics = {m["name"]: m for m in report["outcomes"]}
    assert metrics["dosage_rate"] | {} == {
        "name": "dosage_rate",
        "kind": "share_of",
        "value": "0.769231",
        "numerator": 20,
        "denominator": 26,
        "coverage": "1.000000",
        "insufficient": False,
    }
    assert (metrics["growers"]["numerator"], metrics["growers"]["denominator"]) == (10, 20)
    growth_rate = metrics["growth_rate"]
    assert (growth_rate["value"], growth_rate["numerator"], growth_rate["denominator"]) == (
        "0.555556",
        10,
        18,
    )
    assert growth_rate["coverage"] == "0.900000"  # 18 of 20 eligible have both scores
    assert metrics["avg_growth"]["value"] == "5.444444"  # 98 / 18


def test_every_tranche_is_shown_with_its_explanation_and_the_totals(report):
    lines = {t["key"]: t for t in report["tranches"]}
    assert (lines["base"]["earned"], lines["base"]["held"], lines["base"]["payable"]) == (
        "1000.00",
        "0.00",
        "1000.00",
    )
    assert (lines["fidelity"]["earned"], lines["fidelity"]["held"]) == ("500.00", "50.00")
    assert (lines["growth"]["earned"], lines["growth"]["payable"]) == ("1000.00", "900.00")
    assert "10 of 20 eligible students" in lines["growth"]["explanation"]
    assert all(line["explanation"] for line in report["tranches"])
    assert report["totals"] == {
        "earned": "2500.00",
        "held": "150.00",
        "payable": "2350.00",
        "projected": "2500.00",
    }


def test_ledger_lists_statements_payments_disputes_and_the_balance(report, paid_contract):
    ledger = report["ledger"]
    assert [(s["id"], s["status"], s["total_due"], s["paid"]) for s in ledger["statements"]] == [
        (paid_contract.statement_id, "approved", "2350.00", "1999.98")
    ]
    assert [(p["paid_on"], p["amount"]) for p in ledger["payments"]] == [
        ("2027-07-10", "1000.00"),
        ("2027-08-15", "999.98"),
    ]
    assert [(d["tranche"], d["open"]) for d in ledger["disputes"]] == [("growth", True)]
    assert ledger["balance"] == {
        "earned": "2500.00",
        "approved": "2350.00",
        "paid": "1999.98",
        "outstanding": "350.02",
        "held": "150.00",
        "disputed": "900.00",
    }


def test_cost_effectiveness_is_exact_and_rounded_half_up_to_cents(report):
    cost = report["cost_effectiveness"]
    assert cost["total_paid"] == "1999.98"
    assert cost["students_served"] == 23
    assert cost["paid_per_student_served"] == "86.96"  # 1999.98 / 23 = 86.9556…
    # Served students who met the target: n01-05, n11, e01-04, e09, s01 (s04 met, unserved).
    assert cost["students_meeting_target"] == 12
    # 1999.98 / 12 = 166.665 exactly: half-up gives 166.67 (half-even would give 166.66).
    assert cost["paid_per_student_meeting_target"] == "166.67"
    assert "more than zero" in cost["served_means"]


def test_cost_per_student_before_any_payment_is_zero(client, world, report_contract):
    cost = client.get(
        f"/v1/contracts/{report_contract}/report",
        params={"as_of": AS_OF},
        headers=world.headers["ector-isd"],
    ).json()["cost_effectiveness"]
    assert (cost["total_paid"], cost["paid_per_student_served"]) == ("0.00", "0.00")


def test_district_sees_every_group_with_hand_computed_figures(report):
    breakdowns = report["breakdowns"]
    assert breakdowns["suppression_applies"] is False
    assert not any(row["suppressed"] for row in breakdowns["rows"])
    rows = {(r["dimension"], r["group"]): r for r in breakdowns["rows"]}
    assert set(rows) == {
        ("school", "east"),
        ("school", "north"),
        ("school", "south"),
        ("grade", "3"),
        ("grade", "4"),
        ("grade", "5"),
        ("ell", "true"),
        ("ell", "false"),
        ("sped", "false"),
        ("econ_disadv", "true"),
        ("econ_disadv", "false"),
    }

    def figures(group, metric):  # type: ignore[no-untyped-def]
        m = rows[group]["metrics"][metric]
        return m["numerator"], m["denominator"], m["value"]

    south = ("school", "south")
    assert (rows[south]["students"], rows[south]["eligible"]) == (4, 2)
    assert figures(south, "growth_rate") == (1, 1, "1.000000")  # s02 has no fall score
    assert figures(("school", "north"), "growth_rate") == (5, 9, "0.555556")
    assert figures(("school", "east"), "growers") == (4, 8, "4")
    assert figures(("grade", "3"), "growth_rate") == (9, 11, "0.818182")
    assert figures(("grade", "4"), "avg_growth") == (None, None, "3.000000")  # (2·3 + 4·3) / 6
    assert figures(("ell", "true"), "growers") == (3, 3, "3")
    assert figures(("econ_disadv", "true"), "avg_growth") == (None, None, "5.400000")
    # Groups of a dimension add up to the contract's figures.
    schools = [r for r in breakdowns["rows"] if r["dimension"] == "school"]
    assert sum(r["metrics"]["growers"]["numerator"] for r in schools) == 10


def test_chart_data_is_sorted_and_covers_students_with_both_values(report):
    charts = report["charts"]
    assert charts["growth_measure"] == "growth"
    assert len(charts["growth_values"]) == 24  # 26 less n10 and s02
    assert charts["dosage_gate"] == "900"
    assert len(charts["dosage_growth_points"]) == 24
    assert [p["amount"] for p in charts["paid"]] == ["1000.00", "999.98"]
    assert [p["amount"] for p in charts["approved"]] == ["2350.00"]


def test_report_carries_the_evaluation_fingerprint(client, world, report, paid_contract):
    statement = client.get(
        f"/v1/statements/{paid_contract.statement_id}", headers=world.headers["ector-isd"]
    ).json()
    # Same data, same version, same as_of: the statement's fingerprint is the report's.
    assert report["evaluation"]["fingerprint"] == statement["fingerprint"]


def test_as_of_defaults_to_today(client, world, report_contract):
    from app.clock import utcnow

    body = client.get(
        f"/v1/contracts/{report_contract}/report", headers=world.headers["ector-isd"]
    ).json()
    assert body["report"]["as_of"] == utcnow().date().isoformat()


def test_a_contract_with_no_version_in_force_has_no_report(client, world, definition):
    client.post("/v1/contracts", json=definition(), headers=world.headers["ector-isd"])
    response = client.get("/v1/contracts/ector-hdt-2026/report", headers=world.headers["ector-isd"])
    assert response.status_code == 409

"""Tranche lines: each type's rule, rounding, indeterminate, max_total, holdback, pending."""

from __future__ import annotations

from datetime import date
from typing import Any

from .builders import CLOSEOUT, definition, evaluate, growth_cohort, line

BEFORE_CLOSEOUT = date(2027, 6, 30)
MEASURED = "2027-06-30"


def tranche(kind: str, key: str = "t", due: str = MEASURED, **fields: Any) -> dict[str, Any]:
    if kind != "fixed":
        fields.setdefault("metric", "growth_rate")
    return {"key": key, "type": kind, "due": due, **fields}


def run(
    tranches: list[dict[str, Any]],
    met: int,
    missed: int = 0,
    missing: int = 0,
    as_of: date = CLOSEOUT,
    **fields: Any,
):  # type: ignore[no-untyped-def]
    students, assessments = growth_cohort(met=met, missed=missed, missing=missing)
    return evaluate(definition(tranches=tranches, **fields), students, assessments, as_of=as_of)


def test_share_exactly_at_threshold_is_met() -> None:
    result = run([tranche("threshold", at_least="0.75", amount="25000.00")], met=3, missed=1)
    assert line(result, "t")["earned"] == "25000.00"
    assert line(result, "t")["status"] == "earned"


def test_two_thirds_does_not_meet_its_own_rounded_display() -> None:
    # 2/3 shows as 0.666667 but is less than 0.666667 exactly
    result = run([tranche("threshold", at_least="0.666667", amount="100.00")], met=2, missed=1)
    assert line(result, "t")["earned"] == "0.00"
    assert line(result, "t")["status"] == "not_earned"


def test_at_most_threshold_pays_when_the_metric_is_low_enough() -> None:
    result = run([tranche("threshold", at_most="0.25", amount="100.00")], met=1, missed=3)
    assert line(result, "t")["earned"] == "100.00"


def test_fixed_tranche_pays_its_amount_without_a_metric() -> None:
    result = run([tranche("fixed", amount="100000.00", due="2026-10-01")], met=0)
    assert (line(result, "t")["earned"], line(result, "t")["metric"]) == ("100000.00", None)


def test_tiers_in_any_file_order_pay_the_highest_tier_reached() -> None:
    tiers = [
        {"at_least": "0.8", "pay": "300.00"},
        {"at_least": "0.5", "pay": "100.00"},
        {"at_least": "0.7", "pay": "200.00"},
    ]
    result = run([tranche("tiered", tiers=tiers)], met=3, missed=1)  # 0.75 → the 0.7 tier
    assert line(result, "t")["earned"] == "200.00"
    assert "reaches the tier at least 70.00%" in line(result, "t")["explanation"]


def test_below_every_tier_earns_nothing() -> None:
    result = run([tranche("tiered", tiers=[{"at_least": "0.5", "pay": "100.00"}])], met=1, missed=3)
    assert line(result, "t")["earned"] == "0.00"
    assert line(result, "t")["status"] == "not_earned"


def test_linear_pays_the_share_of_the_way_from_floor_to_target() -> None:
    # 0.5 is halfway from 0.40 to 0.60 → 50% of 50,000.00
    result = run(
        [tranche("linear", floor="0.40", target="0.60", amount="50000.00")], met=1, missed=1
    )
    assert line(result, "t")["earned"] == "25000.00"


def test_linear_is_clamped_at_floor_and_target() -> None:
    linear = tranche("linear", floor="0.40", target="0.60", amount="50000.00")
    assert line(run([linear], met=7, missed=3), "t")["earned"] == "50000.00"
    assert line(run([linear], met=1, missed=9), "t")["earned"] == "0.00"


def test_linear_lower_is_better_when_floor_is_above_target() -> None:
    # share below benchmark 0.25: floor 0.40 pays nothing, target 0.20 pays all;
    # (0.25 − 0.40) ÷ (0.20 − 0.40) = 0.75 → 75% of 10,000.00
    linear = tranche("linear", floor="0.40", target="0.20", amount="10000.00")
    result = run([linear], met=1, missed=3)
    assert line(result, "t")["earned"] == "7500.00"
    assert "(lower is better)" in line(result, "t")["explanation"]
    assert line(run([linear], met=1, missed=9), "t")["earned"] == "10000.00"  # 0.10: past target
    assert line(run([linear], met=1, missed=1), "t")["earned"] == "0.00"  # 0.50: worse than floor


def test_per_unit_pays_rate_times_count_up_to_the_cap() -> None:
    metrics = {
        "growth_rate": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
    }
    per_unit = tranche("per_unit", rate="400.00", cap="1000.00")
    assert line(run([per_unit], met=2, metrics=metrics), "t")["earned"] == "800.00"
    capped = run([per_unit], met=3, metrics=metrics)  # 3 × 400 = 1,200 → cap 1,000
    assert line(capped, "t")["earned"] == "1000.00"
    assert "capped at $1,000.00" in line(capped, "t")["explanation"]


def test_per_unit_never_pays_for_a_negative_metric() -> None:
    metrics = {"avg": {"mean_of": "growth", "over": "population"}}
    students, assessments = growth_cohort(met=0, missed=2)  # growth 3 each
    assessments.loc[assessments["window"] == "spring-2027", "score"] = 190_000  # growth −10
    contract = definition(
        metrics=metrics, tranches=[tranche("per_unit", metric="avg", rate="10.00")]
    )
    assert line(evaluate(contract, students, assessments), "t")["earned"] == "0.00"


def test_half_a_cent_rounds_up() -> None:
    # 1/2 of 0.01 = 0.005 → 0.01; 1/2 of 0.03 = 0.015 → 0.02 (ties away from zero, not to even)
    halfway = {"floor": "0", "target": "1"}
    assert (
        line(run([tranche("linear", amount="0.01", **halfway)], met=1, missed=1), "t")["earned"]
        == "0.01"
    )
    assert (
        line(run([tranche("linear", amount="0.03", **halfway)], met=1, missed=1), "t")["earned"]
        == "0.02"
    )
    # just under half a cent rounds down: 1/3 of 0.01 = 0.00333…
    assert (
        line(run([tranche("linear", amount="0.01", **halfway)], met=1, missed=2), "t")["earned"]
        == "0.00"
    )


def test_per_unit_rate_with_more_places_rounds_half_up_once() -> None:
    metrics = {
        "growth_rate": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
    }
    # 5 × 0.125 = 0.625 → 0.63
    result = run([tranche("per_unit", rate="0.125")], met=5, metrics=metrics)
    assert line(result, "t")["earned"] == "0.63"


def test_insufficient_metric_makes_the_line_indeterminate_earning_nothing() -> None:
    metrics = {
        "growth_rate": {
            "share_of": "population",
            "where": [{"measure": "met_goal", "is": True}],
            "min_coverage": "0.9",
        }
    }
    result = run(
        [tranche("threshold", at_least="0.5", amount="100.00")], met=8, missing=2, metrics=metrics
    )
    shown = line(result, "t")
    assert (shown["status"], shown["earned"]) == ("indeterminate", "0.00")
    assert (
        "coverage 80.00% (8 of 10 students in the population) is below the required 90.00%"
        in shown["explanation"]
    )
    assert "indeterminate" in shown["explanation"]


def test_pending_beats_indeterminate() -> None:
    result = run(
        [tranche("threshold", at_least="0.5", amount="100.00")],
        met=0,
        missing=2,
        as_of=date(2027, 1, 1),
    )
    assert line(result, "t")["status"] == "pending"


def test_max_total_cuts_a_line_in_two_and_later_lines_earn_nothing() -> None:
    lines = [
        tranche("fixed", key="base", due="2026-10-01", amount="100000.00"),
        tranche("threshold", key="fidelity", at_least="0.5", amount="25000.00"),
        tranche("threshold", key="growth", at_least="0.5", amount="50000.00"),
    ]
    result = run(lines, met=1, max_total="110000.00")
    assert [line(result, k)["earned"] for k in ("base", "fidelity", "growth")] == [
        "100000.00",
        "10000.00",
        "0.00",
    ]
    assert (
        "reduced from $25,000.00 to $10,000.00: the contract maximum of $110,000.00 less"
        " $100,000.00 taken by the lines due before it (base)"
    ) in line(result, "fidelity")["explanation"]
    assert (
        "the lines due before it (base, fidelity) already take the contract maximum of"
        " $110,000.00" in line(result, "growth")["explanation"]
    )
    assert line(result, "growth")["status"] == "not_earned"
    assert result.to_json()["totals"]["earned"] == "110000.00"


def test_max_total_walks_lines_in_due_order_not_file_order() -> None:
    # A line due later never reduces a line due earlier, wherever it sits in the file.
    lines = [
        tranche("threshold", key="late", due="2027-06-30", at_least="0.5", amount="80.00"),
        tranche("fixed", key="early", due="2026-10-01", amount="50.00"),
    ]
    result = run(lines, met=1, max_total="100.00", as_of=date(2027, 1, 1))
    assert line(result, "early")["earned"] == "50.00"
    assert line(result, "late")["status"] == "pending" and line(result, "late")["earned"] == "50.00"
    totals = result.to_json()["totals"]
    assert (totals["earned"], totals["projected"]) == ("50.00", "100.00")


def test_max_total_counts_pending_lines_at_their_projection() -> None:
    lines = [
        tranche("threshold", key="first", due="2026-12-01", at_least="0.5", amount="80.00"),
        tranche("fixed", key="second", due="2027-01-01", amount="50.00"),
    ]
    result = run(lines, met=1, max_total="100.00", as_of=date(2026, 12, 15))
    assert line(result, "second")["status"] == "pending"
    assert line(result, "second")["earned"] == "20.00"  # projection: what the first left
    assert line(result, "first")["earned"] == "80.00"


def test_max_total_ties_on_due_date_go_in_definition_order() -> None:
    lines = [
        tranche("fixed", key="b", due="2026-10-01", amount="70.00"),
        tranche("fixed", key="a", due="2026-10-01", amount="70.00"),
    ]
    result = run(lines, met=1, max_total="100.00")
    assert (line(result, "b")["earned"], line(result, "a")["earned"]) == ("70.00", "30.00")


def test_due_dates_up_to_two_years_after_the_term_are_allowed() -> None:
    lines = [tranche("fixed", key="settle", due="2029-07-31", amount="10.00")]
    result = run(lines, met=1, as_of=date(2029, 7, 31))
    assert line(result, "settle")["status"] == "earned"


def test_holdback_keeps_a_share_of_non_fixed_lines_before_closeout() -> None:
    lines = [
        tranche("fixed", key="base", due="2026-10-01", amount="1000.00"),
        tranche("threshold", at_least="0.5", amount="50000.00"),
    ]
    result = run(lines, met=1, holdback="0.10", as_of=BEFORE_CLOSEOUT)
    assert (line(result, "t")["held"], line(result, "t")["payable"]) == ("5000.00", "45000.00")
    assert (line(result, "base")["held"], line(result, "base")["payable"]) == ("0.00", "1000.00")
    assert result.to_json()["totals"] == {
        "earned": "51000.00",
        "held": "5000.00",
        "payable": "46000.00",
        "projected": "51000.00",
    }


def test_holdback_is_released_at_closeout_and_after() -> None:
    for as_of in (CLOSEOUT, date(2027, 9, 1)):
        result = run(
            [tranche("threshold", at_least="0.5", amount="50000.00")],
            met=1,
            holdback="0.10",
            as_of=as_of,
        )
        assert (line(result, "t")["held"], line(result, "t")["payable"]) == ("0.00", "50000.00")
        assert "nothing is held back any more" in line(result, "t")["explanation"]


def test_holdback_of_a_half_cent_rounds_up() -> None:
    # 0.05 × 0.10 = 0.005 → held 0.01, payable 0.04
    result = run(
        [tranche("threshold", at_least="0.5", amount="0.05")],
        met=1,
        holdback="0.10",
        as_of=BEFORE_CLOSEOUT,
    )
    assert (line(result, "t")["held"], line(result, "t")["payable"]) == ("0.01", "0.04")


def test_pending_lines_show_their_projection_but_stay_out_of_totals() -> None:
    lines = [
        tranche("fixed", key="base", due="2026-10-01", amount="1000.00"),
        tranche("threshold", at_least="0.5", amount="500.00"),
    ]
    result = run(lines, met=1, holdback="0.10", as_of=date(2027, 3, 1))
    shown = line(result, "t")
    assert (shown["status"], shown["earned"], shown["held"], shown["payable"]) == (
        "pending",
        "500.00",
        "50.00",
        "450.00",
    )
    assert shown["explanation"].startswith(
        "Not yet due (due 2027-06-30); projection if it were due now:"
    )
    assert result.to_json()["totals"] == {
        "earned": "1000.00",
        "held": "0.00",
        "payable": "1000.00",
        "projected": "1500.00",
    }


def test_a_line_is_due_on_its_due_date() -> None:
    result = run(
        [tranche("threshold", at_least="0.5", amount="500.00")], met=1, as_of=date(2027, 6, 30)
    )
    assert line(result, "t")["status"] == "earned"


def test_explanation_reads_like_the_spec_example() -> None:
    students_lines = [
        tranche("linear", key="reach", floor="0.40", target="0.60", amount="50000.00")
    ]
    result = run(
        students_lines,
        met=84,
        missed=36,
        holdback="0.10",
        as_of=BEFORE_CLOSEOUT,
        metrics={
            "growth_rate": {"share_of": "eligible", "where": [{"measure": "met_goal", "is": True}]}
        },
    )
    assert line(result, "reach")["explanation"] == (
        "84 of 120 eligible students with both map_reading scores (fall-2026, spring-2027) and a"
        " growth target (70.00%) met their map_reading growth target; floor 40.00%, target 60.00%"
        " ⇒ 100% (limited from 150%) of $50,000.00 = $50,000.00; 10% held back until closeout:"
        " $5,000.00 held, $45,000.00 payable."
    )

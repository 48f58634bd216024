"""What would raise a vendor's earnings (SPEC §6): each hint is checked against the engine
itself — moving that many students really raises the line, and one fewer does not."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.hints import gate_hints, raising_hints
from tests.engine.builders import definition, evaluate, growth_cohort, line, roster, usage

TIERED = [
    {
        "key": "outcome",
        "type": "tiered",
        "metric": "growth_rate",
        "due": "2027-06-30",
        "tiers": [{"at_least": "0.5", "pay": "1000.00"}, {"at_least": "0.7", "pay": "2500.00"}],
    }
]


def _tiered(met: int, missed: int):  # type: ignore[no-untyped-def]
    contract = definition(tranches=TIERED)
    students, scores = growth_cohort(met=met, missed=missed)
    return contract, evaluate(contract, students, scores)


def test_four_of_ten_meeting_their_target_need_one_more_for_the_first_tier() -> None:
    contract, result = _tiered(met=4, missed=6)
    (hint,) = raising_hints(contract, result)
    assert (hint.tranche, hint.direction, hint.students) == ("outcome", "more", 1)
    assert (hint.amount_now, hint.amount_then) == (Decimal("0.00"), Decimal("1000.00"))
    assert "growth target" in hint.condition


def test_five_of_ten_need_two_more_for_the_next_tier() -> None:
    contract, result = _tiered(met=5, missed=5)
    (hint,) = raising_hints(contract, result)
    assert (hint.students, hint.amount_then) == (2, Decimal("2500.00"))


def test_a_line_at_its_top_tier_gets_no_hint() -> None:
    contract, result = _tiered(met=8, missed=2)
    assert raising_hints(contract, result) == []


def test_a_lower_is_better_threshold_asks_for_fewer_students() -> None:
    contract = definition(
        metrics={
            "missed_rate": {
                "share_of": "population",
                "where": [{"measure": "met_goal", "is": False}],
            }
        },
        tranches=[
            {
                "key": "fewer-misses",
                "type": "threshold",
                "metric": "missed_rate",
                "at_most": "0.25",
                "amount": "800.00",
                "due": "2027-06-30",
            }
        ],
    )
    students, scores = growth_cohort(met=6, missed=4)
    (hint,) = raising_hints(contract, evaluate(contract, students, scores))
    assert (hint.direction, hint.students, hint.amount_then) == ("fewer", 2, Decimal("800.00"))


def test_a_per_unit_line_says_when_it_reaches_its_cap() -> None:
    contract = definition(
        metrics={
            "growers": {"count_of": "population", "where": [{"measure": "met_goal", "is": True}]}
        },
        tranches=[
            {
                "key": "per-grower",
                "type": "per_unit",
                "metric": "growers",
                "rate": "100.00",
                "cap": "700.00",
                "due": "2027-06-30",
            }
        ],
    )
    students, scores = growth_cohort(met=4, missed=6)
    (hint,) = raising_hints(contract, evaluate(contract, students, scores))
    assert (hint.students, hint.amount_then) == (1, Decimal("500.00"))
    assert (hint.full_at, hint.amount_full) == (3, Decimal("700.00"))


def test_students_within_ten_percent_of_the_eligibility_gate_are_counted() -> None:
    contract = definition(
        eligibility=[{"measure": "minutes", "at_least": 900}],
        metrics={
            "growth_rate": {"share_of": "eligible", "where": [{"measure": "met_goal", "is": True}]}
        },
    )
    students = roster(["a", "b", "c", "d", "e"])
    minutes = [("a", 950), ("b", 899), ("c", 810), ("d", 809), ("e", 0)]
    rows = usage([(s, "2026-10-01", m, 1) for s, m in minutes if m])
    (hint,) = gate_hints(contract, evaluate(contract, students, usage_rows=rows))
    assert hint.measure == "minutes"
    assert hint.near == 2  # b (899) and c (810, exactly 90%); d at 809 is further away
    assert "900 minutes" in hint.condition


@settings(max_examples=25, deadline=None)
@given(met=st.integers(0, 12), missed=st.integers(1, 12))
def test_the_hinted_number_of_students_is_exactly_what_raises_the_line(
    met: int, missed: int
) -> None:
    contract, result = _tiered(met=met, missed=missed)
    hints = raising_hints(contract, result)
    now = Decimal(line(result, "outcome")["earned"])
    if not hints:
        # No hint only when even every student meeting the target would not pay more.
        _, everyone = _tiered(met=met + missed, missed=0)
        assert Decimal(line(everyone, "outcome")["earned"]) == now
        return
    (hint,) = hints
    _, raised = _tiered(met=met + hint.students, missed=missed - hint.students)
    assert Decimal(line(raised, "outcome")["earned"]) == hint.amount_then > now
    _, short = _tiered(met=met + hint.students - 1, missed=missed - hint.students + 1)
    assert Decimal(line(short, "outcome")["earned"]) == now


def test_a_hint_says_when_the_contract_maximum_keeps_the_total_where_it_is() -> None:
    base = {"key": "base", "type": "fixed", "amount": "1000.00", "due": "2026-10-01"}
    contract = definition(tranches=[base, *TIERED], max_total="1000.00")
    students, scores = growth_cohort(met=4, missed=6)
    (hint,) = raising_hints(contract, evaluate(contract, students, scores))
    assert hint.amount_then == Decimal("1000.00")  # what the tier's rule would pay
    assert (hint.total_now, hint.total_then) == (Decimal("1000.00"), Decimal("1000.00"))
    assert not hint.raises_total


def test_a_hint_that_raises_the_total_says_by_how_much() -> None:
    contract, result = _tiered(met=4, missed=6)
    (hint,) = raising_hints(contract, result)
    assert (hint.total_now, hint.total_then) == (Decimal("0.00"), Decimal("1000.00"))
    assert hint.raises_total

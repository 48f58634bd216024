"""How a statement's lines are made from an evaluation (pure: no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from app.engine.tranches import TrancheLine
from app.statements.drafting import statement_lines

AS_OF = date(2027, 6, 30)


def tranche(key: str, status: str, earned: str, held: str = "0.00", **extra) -> TrancheLine:
    return TrancheLine(
        key=key,
        type=extra.get("type", "threshold"),
        status=status,  # type: ignore[arg-type]
        metric=None,
        due=extra.get("due", date(2027, 1, 31)),
        earned=D(earned),
        held=D(held),
        payable=D(earned) - D(held),
        explanation=f"{key} explained.",
        before_max_total=D(earned),
    )


def lines(tranches, billed=None):
    return statement_lines(tranches, billed or {}, as_of=AS_OF, version=1, currency="USD")


def test_pending_tranches_are_left_out():
    made = lines([tranche("base", "earned", "1000.00"), tranche("growth", "pending", "300.00")])
    assert [line.tranche for line in made] == ["base"]


def test_due_is_payable_when_nothing_was_billed_before():
    (line,) = lines([tranche("fidelity", "earned", "500.00", held="50.00")])
    assert (line.payable, line.previously_billed, line.due) == (D("450.00"), D("0"), D("450.00"))
    assert line.explanation == "fidelity explained."


def test_due_is_payable_less_what_was_billed_before():
    # 800.00 earned − 80.00 held = 720.00 payable; 450.00 billed before ⇒ 270.00 due
    (line,) = lines([tranche("growth", "earned", "800.00", held="80.00")], {"growth": D("450")})
    assert line.previously_billed == D("450")
    assert line.due == D("270.00")
    assert "Less $450.00 billed on earlier approved statements = $270.00 due." in line.explanation


def test_a_lowered_result_is_a_negative_line_a_credit():
    (line,) = lines([tranche("fidelity", "not_earned", "0.00")], {"fidelity": D("450.00")})
    assert line.due == D("-450.00")
    assert "(a credit)" in line.explanation


def test_indeterminate_lines_are_kept_with_zero_earned_and_held_for_review():
    made = lines([tranche("reach", "indeterminate", "0.00"), tranche("base", "earned", "1.00")])
    assert [(line.tranche, line.held_for_review, line.earned) for line in made] == [
        ("reach", True, D("0.00")),
        ("base", False, D("1.00")),
    ]


def test_an_indeterminate_line_keeps_what_was_billed_and_is_due_nothing():
    (line,) = lines([tranche("reach", "indeterminate", "0.00")], {"reach": D("450.00")})
    assert (line.previously_billed, line.due, line.held_for_review) == (D("450.00"), D("0"), True)
    assert "stays billed" in line.explanation


def test_a_tranche_billed_before_but_no_longer_in_the_contract_is_credited_back():
    made = lines([tranche("base", "earned", "1000.00")], {"base": D("1000.00"), "old": D("25.00")})
    assert [(line.tranche, line.tranche_status, line.due) for line in made] == [
        ("base", "earned", D("0.00")),
        ("old", "not_due", D("-25.00")),
    ]
    assert made[1].explanation.startswith("No longer a tranche of the contract under version 1.")


def test_a_tranche_billed_before_and_now_pending_again_is_credited_back():
    made = lines(
        [tranche("growth", "pending", "300.00", due=date(2027, 7, 15))], {"growth": D("90.00")}
    )
    assert [(line.tranche, line.due) for line in made] == [("growth", D("-90.00"))]
    assert "due 2027-07-15" in made[0].explanation


def test_a_tranche_whose_earlier_dues_cancel_out_gets_no_credit_line():
    assert lines([], {"fidelity": D("0.00")}) == []

"""Properties that must hold for any data: caps are never exceeded, more success never pays
less, lines add up to the totals, and row order does not matter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import Definition

from .builders import GROWTH_MEASURES, definition, evaluate, roster, schedule, scores, usage

MONEY = st.decimals(min_value=0, max_value=100_000, places=2).map(lambda d: f"{d:.2f}")
SHARE = st.decimals(min_value=0, max_value=1, places=3).map(lambda d: f"{d:.3f}")
AS_OF = st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 9, 30))
DUE = st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 7, 31)).map(str)

# A student: growth outcome (True met, False missed, None missing) and minutes of use.
STUDENT = st.tuples(st.sampled_from([True, False, None]), st.integers(0, 2000))
COHORT = st.lists(STUDENT, min_size=0, max_size=25)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frames(
    cohort: list[tuple[bool | None, int]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ids = [f"s{index:03d}" for index in range(len(cohort))]
    score_rows: list[tuple[str, str, str, str | int, str | int | None]] = []
    usage_rows: list[tuple[str, str, str | int, int]] = []
    for student, (outcome, minutes) in zip(ids, cohort, strict=True):
        score_rows.append((student, "map_reading", "fall-2026", 200, 5))
        if outcome is not None:
            score_rows.append(
                (student, "map_reading", "spring-2027", 206 if outcome else 203, None)
            )
        if minutes:
            usage_rows.append((student, "2026-10-01", minutes % 1441, 1))
    return roster(ids), scores(score_rows), usage(usage_rows)


@st.composite
def tranches(draw: Any) -> list[dict[str, Any]]:
    kinds = draw(
        st.lists(
            st.sampled_from(["fixed", "threshold", "tiered", "linear", "per_unit"]),
            min_size=1,
            max_size=5,
        )
    )
    result: list[dict[str, Any]] = []
    for index, kind in enumerate(kinds):
        line: dict[str, Any] = {"key": f"t{index}", "type": kind, "due": draw(DUE)}
        if kind != "fixed":
            line["metric"] = "growers" if kind == "per_unit" else "growth_rate"
        if kind in ("fixed", "threshold", "linear"):
            line["amount"] = draw(MONEY)
        if kind == "threshold":
            line["at_least"] = draw(SHARE)
        if kind == "tiered":
            levels = draw(st.lists(SHARE, min_size=1, max_size=3, unique_by=Decimal))
            line["tiers"] = [{"at_least": level, "pay": draw(MONEY)} for level in levels]
        if kind == "linear":
            floor, target = draw(st.lists(SHARE, min_size=2, max_size=2, unique_by=Decimal))
            line.update(floor=floor, target=target)
        if kind == "per_unit":
            line["rate"] = draw(MONEY)
            if draw(st.booleans()):
                line["cap"] = draw(MONEY)
        result.append(line)
    return result


def contract(
    lines: list[dict[str, Any]],
    max_total: str | None,
    holdback: str | None,
    min_coverage: str | None,
) -> Definition:
    growth_rate: dict[str, Any] = {
        "share_of": "eligible",
        "where": [{"measure": "met_goal", "is": True}],
    }
    if min_coverage is not None:
        growth_rate["min_coverage"] = min_coverage
    fields: dict[str, Any] = {
        "eligibility": [{"measure": "minutes", "at_least": 300}],
        "metrics": {
            "growth_rate": growth_rate,
            "growers": {"count_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
        },
        "tranches": lines,
    }
    if max_total is not None:
        fields["max_total"] = max_total
    if holdback is not None:
        fields["holdback"] = holdback
    return definition(**fields)


@FAST
@given(COHORT, tranches(), st.none() | MONEY, st.none() | SHARE, st.none() | SHARE, AS_OF)
def test_no_line_earns_more_than_its_amount_cap_or_the_contract_maximum(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    holdback: str | None,
    min_coverage: str | None,
    as_of: date,
) -> None:
    result = evaluate(
        contract(lines, max_total, holdback, min_coverage), *frames(cohort), as_of=as_of
    )
    for spec, line in zip(lines, result.tranches, strict=True):
        assert Decimal(0) <= line.held <= line.earned
        assert line.payable == line.earned - line.held
        if "amount" in spec:
            assert line.earned <= Decimal(spec["amount"])
        if "cap" in spec:
            assert line.earned <= Decimal(spec["cap"])
        if "tiers" in spec:  # one tier's pay (or 0), before max_total may cut it
            assert line.before_max_total in {Decimal(0)} | {
                Decimal(t["pay"]) for t in spec["tiers"]
            }
        assert line.earned <= line.before_max_total
        if line.status == "indeterminate":
            assert line.earned == 0
    if max_total is not None:
        assert result.totals.projected <= Decimal(max_total)


@FAST
@given(COHORT, tranches(), st.none() | MONEY, st.none() | SHARE, AS_OF)
def test_lines_always_add_up_to_the_totals(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    holdback: str | None,
    as_of: date,
) -> None:
    result = evaluate(contract(lines, max_total, holdback, None), *frames(cohort), as_of=as_of)
    document = result.to_json()
    due = [line for line in document["tranches"] if line["status"] != "pending"]
    for field in ("earned", "held", "payable"):
        assert Decimal(document["totals"][field]) == sum(
            (Decimal(line[field]) for line in due), Decimal(0)
        )
    assert Decimal(document["totals"]["projected"]) == sum(
        (Decimal(line["earned"]) for line in document["tranches"]), Decimal(0)
    )


@FAST
@given(COHORT, tranches(), st.none() | MONEY, st.data())
def test_one_more_student_meeting_the_target_never_pays_less(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    data: Any,
) -> None:
    # A contract that rewards success: linear floors below targets (not "lower is better"),
    # and higher tiers paying at least as much as lower ones.
    for line in lines:
        if line["type"] == "linear" and Decimal(line["floor"]) > Decimal(line["target"]):
            line["floor"], line["target"] = line["target"], line["floor"]
        if line["type"] == "tiered":
            levels = sorted(Decimal(t["at_least"]) for t in line["tiers"])
            pays = sorted(Decimal(t["pay"]) for t in line["tiers"])
            line["tiers"] = [
                {"at_least": str(a), "pay": str(p)} for a, p in zip(levels, pays, strict=True)
            ]
    missed = [index for index, (outcome, _) in enumerate(cohort) if outcome is False]
    if not missed:
        return
    better = list(cohort)
    flip = data.draw(st.sampled_from(missed))
    better[flip] = (True, cohort[flip][1])
    terms = contract(lines, max_total, None, None)
    before = evaluate(terms, *frames(cohort)).totals.earned
    after = evaluate(terms, *frames(better)).totals.earned
    # At closeout every line is due, so the total is min(sum of the lines, max_total): a
    # line that grows may squeeze a later one, but never the total.
    assert after >= before


@FAST
@given(COHORT, tranches(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_row_order(
    cohort: list[tuple[bool | None, int]], lines: list[dict[str, Any]], shuffler: Any
) -> None:
    terms = contract(lines, None, "0.10", None)
    students, assessments, minutes = frames(cohort)

    def shuffled(frame: pd.DataFrame) -> pd.DataFrame:
        order = list(range(len(frame)))
        shuffler.shuffle(order)
        return frame.iloc[order].reset_index(drop=True)

    original = evaluate(terms, students, assessments, minutes, as_of=date(2027, 6, 30))
    reordered = evaluate(
        terms, shuffled(students), shuffled(assessments), shuffled(minutes), as_of=date(2027, 6, 30)
    )
    assert reordered.to_json() == original.to_json()
    assert reordered.students.equals(original.students)


# SPEC v2 properties: penalties, excused students, rate cards, max_total, due order.
GROWTH = st.sampled_from(["1", "3", "4", "6", "7"])


@st.composite
def v2_tranches(draw: Any) -> list[dict[str, Any]]:
    """Every type, rate cards on growth and penalties on the growers count included."""
    lines = draw(tranches())
    for index in range(draw(st.integers(0, 2))):
        levels = draw(st.lists(GROWTH, min_size=1, max_size=3, unique=True))
        line: dict[str, Any] = {
            "key": f"card{index}",
            "type": "rate_card",
            "measure": "growth",
            "over": draw(st.sampled_from(["population", "eligible"])),
            "levels": [{"at_least": level, "pay": draw(MONEY)} for level in levels],
            "due": draw(DUE),
        }
        if draw(st.booleans()):
            line["cap"] = draw(MONEY)
        lines.append(line)
    for index in range(draw(st.integers(0, 2))):
        lines.append(
            {
                "key": f"penalty{index}",
                "type": "penalty",
                "metric": "growers",
                "rate": draw(MONEY),
                "cap": draw(MONEY),
                "due": draw(DUE),
            }
        )
    return draw(st.permutations(lines))


@FAST
@given(COHORT, v2_tranches(), st.none() | MONEY, st.none() | SHARE, AS_OF)
def test_max_total_is_never_exceeded(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    holdback: str | None,
    as_of: date,
) -> None:
    result = evaluate(contract(lines, max_total, holdback, None), *frames(cohort), as_of=as_of)
    paying = [line for line in result.tranches if line.type != "penalty"]
    assert all(line.earned >= 0 for line in paying)
    assert all(
        line.earned <= 0 and line.held == 0 for line in result.tranches if line.type == "penalty"
    )
    if max_total is not None:
        assert sum((line.earned for line in paying), Decimal(0)) <= Decimal(max_total)


@FAST
@given(COHORT, v2_tranches(), st.none() | MONEY, st.none() | SHARE, AS_OF, MONEY, MONEY, DUE)
def test_a_penalty_never_raises_the_total(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    holdback: str | None,
    as_of: date,
    rate: str,
    cap: str,
    due: str,
) -> None:
    penalty = {"key": "regression", "type": "penalty", "metric": "growers", "rate": rate}
    penalised = [*lines, {**penalty, "cap": cap, "due": due}]
    data = frames(cohort)
    before = evaluate(contract(lines, max_total, holdback, None), *data, as_of=as_of)
    after = evaluate(contract(penalised, max_total, holdback, None), *data, as_of=as_of)
    for field in ("earned", "payable", "projected"):
        assert getattr(after.totals, field) <= getattr(before.totals, field)
    assert [line.earned for line in after.tranches[:-1]] == [
        line.earned for line in before.tranches
    ]


@FAST
@given(COHORT, v2_tranches(), st.none() | MONEY, st.data())
def test_due_lines_never_depend_on_lines_due_after_them(
    cohort: list[tuple[bool | None, int]],
    lines: list[dict[str, Any]],
    max_total: str | None,
    data: Any,
) -> None:
    cut = data.draw(DUE)
    changed = []
    for line in lines:
        line = dict(line)
        if line["due"] > cut:  # a later line's inputs: any amount, pay, rate or cap
            for field in ("amount", "rate", "cap"):
                if field in line:
                    line[field] = data.draw(MONEY)
            for field in ("tiers", "levels"):
                if field in line:
                    line[field] = [{**item, "pay": data.draw(MONEY)} for item in line[field]]
        changed.append(line)
    students = frames(cohort)
    before = evaluate(contract(lines, max_total, None, None), *students)
    after = evaluate(contract(changed, max_total, None, None), *students)
    for spec, old, new in zip(lines, before.tranches, after.tranches, strict=True):
        if spec["due"] <= cut:
            assert (new.earned, new.explanation) == (old.earned, old.explanation)


@FAST
@given(COHORT, st.lists(GROWTH, min_size=1, max_size=3, unique=True), st.data())
def test_raising_a_rate_card_levels_pay_never_lowers_earnings(
    cohort: list[tuple[bool | None, int]], levels: list[str], data: Any
) -> None:
    pays = [data.draw(MONEY) for _ in levels]
    cap = data.draw(st.none() | MONEY)
    raised = list(pays)
    which = data.draw(st.integers(0, len(levels) - 1))
    raised[which] = f"{Decimal(pays[which]) + Decimal(data.draw(MONEY)):.2f}"

    def card(level_pays: list[str]) -> list[dict[str, Any]]:
        line: dict[str, Any] = {
            "key": "card",
            "type": "rate_card",
            "measure": "growth",
            "over": "population",
            "levels": [{"at_least": a, "pay": p} for a, p in zip(levels, level_pays, strict=True)],
            "due": "2027-06-30",
        }
        return [line if cap is None else {**line, "cap": cap}]

    students = frames(cohort)
    before = evaluate(contract(card(pays), None, None, None), *students).tranches[0]
    after = evaluate(contract(card(raised), None, None, None), *students).tranches[0]
    assert after.earned >= before.earned


@FAST
@given(COHORT, st.data())
def test_excusing_a_student_who_would_have_failed_never_lowers_a_share(
    cohort: list[tuple[bool | None, int]], data: Any
) -> None:
    failing = [index for index, (outcome, _) in enumerate(cohort) if outcome is False]
    if not failing:
        return
    excused = data.draw(st.sampled_from(failing))
    students, assessments, minutes = frames(cohort)
    ids = list(students["student_id"])
    offered = [(student, "2026-10-01", 1, "30") for student in ids]
    unserved = [row for index, row in enumerate(offered) if index != excused]
    terms = definition(
        measures={**GROWTH_MEASURES, "offered": {"schedule": "sessions"}},
        accountability={"served": [{"measure": "offered", "at_least": 1}]},
        metrics={
            "rate": {"share_of": "population", "where": [{"measure": "met_goal", "is": True}]}
        },
    )
    before = evaluate(terms, students, assessments, minutes, schedule_rows=schedule(offered))
    after = evaluate(terms, students, assessments, minutes, schedule_rows=schedule(unserved))
    assert after.population["excused"] == before.population["excused"] + 1
    old, new = before.metrics["rate"].value, after.metrics["rate"].value
    if old is not None and new is not None:
        assert new >= old

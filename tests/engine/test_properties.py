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

from .builders import definition, evaluate, roster, scores, usage

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

"""SPEC §1 bounds: amounts, rates, thresholds, due dates and keys outside them are definition
problems with their path, never a traceback (issue 11)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine import DefinitionError, load_definition

from .builders import document
from .test_definition import problems_of


def per_unit(**fields: Any) -> dict[str, Any]:
    line = {"key": "growth", "type": "per_unit", "metric": "growth_rate", "rate": "400.00"}
    line.update(due="2027-06-30", **fields)
    return line


def fixed(amount: Any, **fields: Any) -> dict[str, Any]:
    return {"key": "base", "type": "fixed", "amount": amount, "due": "2026-10-01", **fields}


@pytest.mark.parametrize("amount", ["1e30", "1e999999999", "9" * 5000, "1000000000.01"])
def test_money_beyond_a_billion_is_a_problem_not_a_crash(amount: str) -> None:
    problems = problems_of(document(tranches=[fixed(amount)]))
    assert len(problems) == 1 and problems[0].startswith("tranches[0].amount: ")


def test_a_billion_exactly_is_the_largest_amount() -> None:
    loaded = load_definition(document(tranches=[fixed("1000000000.00")], max_total="1000000000"))
    assert loaded.max_total == Decimal("1000000000")


def test_a_per_unit_rate_of_1e30_is_refused_with_its_path() -> None:
    assert problems_of(document(tranches=[per_unit(rate="1e30")])) == [
        "tranches[0].rate: must be at most 1000000, got 1E+30"
    ]


def test_a_rate_of_a_million_keeps_its_extra_places() -> None:
    loaded = load_definition(document(tranches=[per_unit(rate="1000000")]))
    assert loaded.tranches[0].rate == Decimal("1000000")  # type: ignore[union-attr]
    loaded = load_definition(document(tranches=[per_unit(rate="0.125")]))
    assert loaded.tranches[0].rate == Decimal("0.125")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.6666666666667", "must have at most 12 significant digits"),
        ("1e-13", "must have at most 12 decimal places"),
        ("1e13", "too large: at most 12 digits before the point"),
        ("1e999999999", "too large: at most 12 digits before the point"),
    ],
)
def test_thresholds_are_exact_decimals_of_at_most_12_digits(value: str, message: str) -> None:
    line = {"key": "t", "type": "threshold", "metric": "avg", "at_least": value, "amount": "1.00"}
    metrics = {"avg": {"mean_of": "growth", "over": "population"}}
    (problem,) = problems_of(document(metrics=metrics, tranches=[{**line, "due": "2027-06-30"}]))
    assert problem.startswith(f"tranches[0].at_least: {message}")


def test_twelve_significant_digits_are_kept_exactly() -> None:
    line = {"key": "t", "type": "threshold", "metric": "growth_rate", "at_least": "0.666666666667"}
    loaded = load_definition(document(tranches=[{**line, "amount": "1.00", "due": "2027-06-30"}]))
    assert loaded.tranches[0].at_least == Decimal("0.666666666667")  # type: ignore[union-attr]


def test_a_yaml_integer_of_5000_digits_is_a_problem_not_a_crash() -> None:
    text = json.dumps(document(tranches=[fixed("PLACEHOLDER")])).replace(
        '"PLACEHOLDER"', "9" * 5000
    )
    (problem,) = problems_of(text)
    assert problem == "tranches[0].amount: too long a number (5000 characters)"


@pytest.mark.parametrize("kind", [{"a": 1}, ["fixed"], 3])
def test_a_tranche_type_that_is_not_text_is_a_problem(kind: Any) -> None:
    (problem,) = problems_of(document(tranches=[{**fixed("1.00"), "type": kind}]))
    assert problem.startswith("tranches[0].type: unknown tranche type")


def test_due_dates_may_be_up_to_two_years_after_the_term() -> None:
    load_definition(document(tranches=[fixed("1.00", due="2029-07-31")]))
    assert problems_of(document(tranches=[fixed("1.00", due="2029-08-01")])) == [
        "tranches[0].due: 2029-08-01 is outside 2026-08-01..2029-07-31"
        " (from the term's start to two years after its end)"
    ]
    (problem,) = problems_of(document(tranches=[fixed("1.00", due="2026-07-31")]))
    assert problem.startswith("tranches[0].due: 2026-07-31 is outside")


def test_keys_may_use_underscores_but_not_capitals_or_65_characters() -> None:
    loaded = load_definition(document(tranches=[{**fixed("1.00"), "key": "per_student"}]))
    assert loaded.tranches[0].key == "per_student"
    for bad in ("Base", "a" * 65, ""):
        (problem,) = problems_of(document(tranches=[{**fixed("1.00"), "key": bad}]))
        assert problem.startswith("tranches[0].key: must be 1-64 characters")


def test_contract_keys_take_no_underscore() -> None:
    (problem,) = problems_of(document(key="ector_hdt"))
    assert problem.startswith("key: must be 1-64 characters of lowercase letters, digits and '-'")


def test_measure_and_metric_names_are_keys() -> None:
    measures = {"Minutes": {"usage": "minutes"}}
    metrics = {"growth rate": {"share_of": "population", "where": [{"measure": "x", "is": True}]}}
    problems = problems_of(document(measures=measures, metrics=metrics, tranches=[fixed("1.00")]))
    assert "measures.Minutes: name must be 1-64 characters" in problems[0]
    assert "metrics.growth rate: name must be 1-64 characters" in problems[1]


JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["1e30", "1e999999999", "NaN", "-0", "0E+99999", "2027-06-30", "fixed"])
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["type", "amount", "rate", "cap", "due", "metric", "tiers", "key", "at_least", "floor"]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(FIELDS, JSON, max_size=6), st.dictionaries(st.text(max_size=6), JSON))
def test_any_tranche_or_metric_shape_is_a_definition_problem_never_a_crash(
    tranche: dict[str, Any], metric: Any
) -> None:
    doc = document(tranches=[tranche], metrics={"m": metric, "growth_rate": metric})
    try:
        load_definition(doc)
    except DefinitionError as error:
        assert error.problems

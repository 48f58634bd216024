"""Loading definitions: SPEC §1 fields, exact numbers, and every problem reported at once."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.engine import DefinitionError, load_definition
from app.engine.definition import LinearTranche, UsageMeasure

from .builders import document

SPEC_EXAMPLE = (Path(__file__).parent / "data" / "spec_example.yaml").read_text()


def problems_of(doc: Any) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(doc)
    return [str(problem) for problem in caught.value.problems]


def test_spec_example_loads_with_every_field() -> None:
    loaded = load_definition(SPEC_EXAMPLE)
    assert loaded.key == "ector-hdt-2026"
    assert loaded.max_total == Decimal("250000.00")
    assert loaded.holdback == Decimal("0.10")
    assert loaded.population.grades == [3, 4, 5]
    assert loaded.auditors == ["tx-state-audit"]
    assert [t.type for t in loaded.tranches] == [
        "fixed",
        "threshold",
        "per_unit",
        "linear",
        "tiered",
    ]
    minutes = loaded.measures["minutes"]
    assert isinstance(minutes, UsageMeasure) and str(minutes.from_) == "2026-09-01"


def test_unquoted_yaml_decimals_stay_exact() -> None:
    text = SPEC_EXAMPLE.replace('holdback: "0.10"', "holdback: 0.10").replace(
        'floor: "0.40"', "floor: 0.40"
    )
    loaded = load_definition(text)
    assert loaded.holdback == Decimal("0.10") and str(loaded.holdback) == "0.10"
    reach = loaded.tranches[3]
    assert isinstance(reach, LinearTranche) and reach.floor == Decimal("0.40")


def test_json_document_parsed_with_exact_decimals_loads_the_same() -> None:
    loaded = load_definition(SPEC_EXAMPLE)
    again = load_definition(json.loads(json.dumps(loaded.to_document()), parse_float=Decimal))
    assert again == loaded


def test_document_round_trip_keeps_money_as_strings() -> None:
    doc = load_definition(SPEC_EXAMPLE).to_document()
    assert doc["max_total"] == "250000.00"
    assert doc["measures"]["minutes"]["from"] == "2026-09-01"
    assert doc["tranches"][1]["at_least"] == "0.75"


def test_unknown_metric_reference_is_reported_with_its_path() -> None:
    doc = document(
        tranches=[
            {"key": "base", "type": "fixed", "amount": "1.00", "due": "2026-10-01"},
            {
                "key": "a",
                "type": "threshold",
                "metric": "growth_rate",
                "at_least": "0.5",
                "amount": "1.00",
                "due": "2027-06-30",
            },
            {
                "key": "b",
                "type": "threshold",
                "metric": "growht_rate",
                "at_least": "0.5",
                "amount": "1.00",
                "due": "2027-06-30",
            },
        ]
    )
    assert problems_of(doc) == ["tranches[2].metric: unknown metric 'growht_rate'"]


def test_every_problem_in_every_section_is_reported_at_once() -> None:
    doc = document(
        key="Bad Key",
        term={"start": "2026-08-01", "end": "2027-07-31"},
        holdback="1.5",
        colour="blue",
        measures={
            "minutes": {"usage": "minutes", "from": "2026-07-01"},
            "met_goal": {
                "assessment": "map_reading",
                "from_window": "fall-2026",
                "to_window": "spring-2027",
                "value": "met_target",
            },
            "growth": {"assessment": "map_reading", "window": "fall-2026", "value": "growth"},
        },
        eligibility=[{"measure": "minutes", "is": True}, {"measure": "minuts", "at_least": 5}],
        metrics={
            "growth_rate": {
                "share_of": "eligible",
                "where": [{"measure": "met_goal", "at_least": 1}],
                "min_coverage": "80",
            },
            "growers": {
                "count_of": "eligible",
                "where": [{"measure": "met_goal", "is": True}],
                "min_coverage": "0.8",
            },
            "avg": {"mean_of": "met_goal", "over": "eligible"},
        },
        tranches=[
            {"key": "base", "type": "fixed", "amount": "-5.00", "due": "2026-10-01"},
            {
                "key": "base",
                "type": "linear",
                "metric": "growth_rate",
                "floor": "0.4",
                "target": "0.4",
                "amount": "10.00",
                "due": "2029-08-01",
            },
            {"key": "tiers", "type": "tiered", "metric": "avg", "tiers": [], "due": "2027-02-30"},
        ],
    )
    assert problems_of(doc) == [
        "key: must be 1-64 characters of lowercase letters, digits and '-', got 'Bad Key'",
        "holdback: must be a share between 0 and 1, got 1.5",
        "colour: unknown field",
        "measures.minutes.from: 2026-07-01 is outside the term 2026-08-01..2027-07-31",
        "measures.growth.from_window: required for value: growth",
        "measures.growth.to_window: required for value: growth",
        "measures.growth.window: not allowed with value: growth (use from_window and to_window)",
        "eligibility[0].is: 'is' applies only to true/false measures; 'minutes' is a number",
        "eligibility[1].measure: unknown measure 'minuts'",
        "metrics.growth_rate.min_coverage: must be a share between 0 and 1, got 80",
        "metrics.growth_rate.where[0].at_least: applies only to numbers; 'met_goal' is true/false",
        "metrics.growers.min_coverage: not allowed on count_of (use min_count)",
        "metrics.avg.mean_of: applies only to numbers; 'met_goal' is true/false",
        "tranches[0].amount: must not be negative, got -5.00",
        "tranches[1].key: duplicate tranche key 'base' (also tranches[0])",
        "tranches[1].due: 2029-08-01 is outside 2026-08-01..2029-07-31"
        " (from the term's start to two years after its end)",
        "tranches[1].target: must differ from floor",
        "tranches[2].due: not a date (YYYY-MM-DD): '2027-02-30'",
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"term": {"start": "2027-08-01", "end": "2027-07-31"}},
            "term.end: 2027-07-31 is before the start 2027-08-01",
        ),
        ({"term": {"start": "2026-08-01"}}, "term.end: required"),
        ({"title": None}, "title: must be non-empty text, got None"),
        ({"max_total": "100.005"}, "max_total: must be whole cents, got 100.005"),
        ({"max_total": "-1.00"}, "max_total: must not be negative, got -1.00"),
        (
            {"currency": "dollars"},
            "currency: must be a three-letter ISO 4217 code such as 'USD', got 'dollars'",
        ),
        (
            {"population": {"grades": [3, 13]}},
            "population.grades[1]: must be a grade 0-12 (K = 0), got 13",
        ),
        ({"population": {"grade": [3]}}, "population.grade: unknown field"),
        (
            {"auditors": ["TX Audit"]},
            "auditors[0]: must be 1-64 characters of lowercase letters, digits and '-', got 'TX Audit'",
        ),
        ({"vendor": "ector-isd"}, "vendor: must differ from the district"),
        (
            {"measures": {"minutes": {"usage": "hours"}}},
            "measures.minutes.usage: input should be 'minutes', 'sessions' or 'lessons', got 'hours'",
        ),
        (
            {"metrics": {"growth_rate": {"share_of": "population", "where": []}}},
            "metrics.growth_rate.where: must list at least one condition",
        ),
        (
            {"metrics": {"growth_rate": {"share_of": "population"}}},
            "metrics.growth_rate.where: required",
        ),
        ({"tranches": []}, "tranches: must list at least one tranche"),
    ],
)
def test_header_and_section_problem_is_named(fields: dict[str, Any], expected: str) -> None:
    assert expected in problems_of(document(**fields))


def tranche_problems(tranche: dict[str, Any], **fields: Any) -> list[str]:
    base = {"key": "t", "due": "2027-06-30"}
    return problems_of(document(tranches=[{**base, **tranche}], **fields))


def test_threshold_needs_exactly_one_of_at_least_and_at_most() -> None:
    both = {
        "type": "threshold",
        "metric": "growth_rate",
        "at_least": "0.5",
        "at_most": "0.9",
        "amount": "1.00",
    }
    neither = {"type": "threshold", "metric": "growth_rate", "amount": "1.00"}
    expected = "tranches[0]: a threshold needs exactly one of at_least, at_most"
    assert tranche_problems(both) == [expected]
    assert tranche_problems(neither) == [expected]


def test_share_threshold_outside_zero_to_one_is_refused() -> None:
    percent_by_mistake = {
        "type": "threshold",
        "metric": "growth_rate",
        "at_least": "75",
        "amount": "1.00",
    }
    assert tranche_problems(percent_by_mistake) == [
        "tranches[0].at_least: 'growth_rate' is a share, so this must be between 0 and 1, got 75"
    ]


def test_threshold_above_one_is_fine_on_a_mean() -> None:
    metrics = {"avg": {"mean_of": "growth", "over": "population"}}
    tranche = {
        "key": "t",
        "due": "2027-06-30",
        "type": "threshold",
        "metric": "avg",
        "at_least": "7.5",
        "amount": "1.00",
    }
    assert load_definition(document(metrics=metrics, tranches=[tranche])).tranches[0].key == "t"


def test_empty_and_duplicate_tiers_are_refused() -> None:
    assert tranche_problems({"type": "tiered", "metric": "growth_rate", "tiers": []}) == [
        "tranches[0].tiers: must list at least one tier"
    ]
    tiers = [{"at_least": "0.5", "pay": "1.00"}, {"at_least": "0.50", "pay": "2.00"}]
    assert tranche_problems({"type": "tiered", "metric": "growth_rate", "tiers": tiers}) == [
        "tranches[0].tiers[1].at_least: duplicate at_least 0.50 (also tiers[0])"
    ]


def test_fractions_of_a_cent_are_refused_in_pays_and_caps_but_not_rates() -> None:
    tiers = [{"at_least": "0.5", "pay": "1.005"}]
    assert tranche_problems({"type": "tiered", "metric": "growth_rate", "tiers": tiers}) == [
        "tranches[0].tiers[0].pay: must be whole cents, got 1.005"
    ]
    per_unit = {"type": "per_unit", "metric": "growth_rate", "rate": "0.125", "cap": "10.001"}
    assert tranche_problems(per_unit) == ["tranches[0].cap: must be whole cents, got 10.001"]


def test_unknown_tranche_type_and_missing_fields() -> None:
    assert tranche_problems({"type": "bonus"}) == [
        "tranches[0].type: unknown tranche type 'bonus' (fixed, threshold, tiered, linear, per_unit, rate_card, penalty)"
    ]
    assert tranche_problems({"type": "linear", "metric": "growth_rate", "floor": "0.1"}) == [
        "tranches[0].target: required",
        "tranches[0].amount: required",
    ]


def test_usage_window_must_lie_inside_the_term() -> None:
    measures = {
        "minutes": {"usage": "minutes", "from": "2027-05-01", "to": "2027-08-15"},
        "met_goal": document()["measures"]["met_goal"],
    }
    assert problems_of(document(measures=measures)) == [
        "measures.minutes.to: 2027-08-15 is outside the term 2026-08-01..2027-07-31"
    ]


def test_yaml_that_is_not_yaml_says_where() -> None:
    (problem,) = problems_of("key: [unclosed\ntitle: x\n")
    assert problem.startswith("not valid YAML (line ")


def test_a_key_written_twice_in_yaml_is_refused_not_silently_dropped() -> None:
    (problem,) = problems_of("key: a\nkey: b\n")
    assert "appears twice" in problem


def test_a_definition_that_is_not_a_mapping_is_refused() -> None:
    assert problems_of("- just\n- a list\n") == ["a contract definition must be a mapping"]


def test_kindergarten_is_grade_zero_in_the_population() -> None:
    assert load_definition(document(population={"grades": ["K", 1]})).population.grades == [0, 1]

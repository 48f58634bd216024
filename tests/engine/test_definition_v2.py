"""SPEC v2 definition rules: every problem of the new sections reported with its path."""

from __future__ import annotations

from typing import Any

from app.engine import load_definition

from .builders import GROWTH_MEASURES, document
from .test_definition import problems_of

MEASURES: dict[str, Any] = {
    **GROWTH_MEASURES,
    "pct_typ": {
        "assessment": "map_reading",
        "from_window": "fall-2026",
        "to_window": "spring-2027",
        "value": "percent_of_typical",
    },
    "offered": {"schedule": "sessions"},
}
METRICS: dict[str, Any] = {
    "growth_rate": {"share_of": "population", "where": [{"measure": "met_goal", "is": True}]},
    "growers": {"count_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
}


def card(**fields: Any) -> dict[str, Any]:
    base = {
        "key": "per_student",
        "type": "rate_card",
        "measure": "pct_typ",
        "over": "eligible",
        "levels": [{"at_least": "0.5", "pay": "250.00"}, {"at_least": "1.0", "pay": "500.00"}],
        "due": "2027-06-30",
    }
    return {**base, **fields}


def v2(**fields: Any) -> dict[str, Any]:
    return document(**{"measures": MEASURES, "metrics": METRICS, **fields})


def test_a_full_v2_definition_loads() -> None:
    loaded = load_definition(
        v2(
            assessment_rules={
                "windows": {
                    "fall-2026": {"from": "2026-08-15", "to": "2026-10-15"},
                    "spring-2027": {"from": "2027-04-15", "to": "2027-06-10"},
                },
                "max_rapid_guessing": "0.30",
            },
            accountability={
                "served": [{"measure": "offered", "at_least": 36}],
                "excused": "pay_full",
            },
            obligations=[
                {
                    "key": "devices",
                    "text": "Devices",
                    "due": "2026-09-15",
                    "covers": ["per_student"],
                }
            ],
            tranches=[
                card(cap="60000.00"),
                {
                    "key": "regression",
                    "type": "penalty",
                    "metric": "growers",
                    "rate": "100.00",
                    "cap": "10000.00",
                    "due": "2027-06-30",
                },
            ],
        )
    )
    assert loaded.accountability is not None and loaded.accountability.excused == "pay_full"
    assert loaded.obligations[0].covers == ["per_student"]
    document_again = loaded.to_document()
    assert load_definition(document_again) == loaded


def test_every_v2_rule_is_a_problem_with_its_path() -> None:
    doc = v2(
        assessment_rules={"windows": {"fall-2026": {"from": "2026-10-15", "to": "2026-08-15"}}},
        accountability={"served": [{"measure": "offered", "is": True}]},
        obligations=[
            {"key": "devices", "text": "Devices", "due": "2026-09-15", "covers": ["base", "nope"]},
            {"key": "devices", "text": "Again", "due": "2026-09-15", "covers": ["growth"]},
        ],
        metrics={
            **METRICS,
            "counted": {
                "count_of": "eligible",
                "where": [{"measure": "met_goal", "at_least": 1}],
                "min_coverage": "0.5",
            },
        },
        tranches=[
            {"key": "base", "type": "fixed", "amount": "1.00", "due": "2026-10-01"},
            {
                "key": "growth",
                "type": "per_unit",
                "metric": "growers",
                "rate": "1",
                "due": "2027-06-30",
            },
            {
                "key": "uncapped",
                "type": "per_unit",
                "metric": "growers",
                "rate": "1",
                "due": "2027-06-30",
                "if_indeterminate": "full",
            },
            card(
                measure="met_goal",
                levels=[{"at_least": "1", "pay": "1.00"}, {"at_least": "1", "pay": "2.00"}],
            ),
            {
                "key": "regression",
                "type": "penalty",
                "metric": "growers",
                "rate": "1",
                "due": "2027-06-30",
            },
        ],
    )
    assert problems_of(doc) == [
        "assessment_rules.windows.fall-2026.to: is before from (2026-10-15)",
        "accountability.served[0].is: 'is' applies only to true/false measures;"
        " 'offered' is a number",
        "measures.met_goal.to_window: unknown window 'spring-2027'"
        " (assessment_rules.windows lists fall-2026)",
        "measures.growth.to_window: unknown window 'spring-2027'"
        " (assessment_rules.windows lists fall-2026)",
        "measures.pct_typ.to_window: unknown window 'spring-2027'"
        " (assessment_rules.windows lists fall-2026)",
        "obligations[0].covers[0]: 'base' is a fixed tranche: it cannot be covered",
        "obligations[0].covers[1]: unknown tranche 'nope'",
        "obligations[1].key: duplicate obligation key 'devices' (also obligations[0])",
        "obligations[1].covers[0]: 'growth' is a per_unit tranche without a cap:"
        " covering it needs one",
        "metrics.counted.min_coverage: not allowed on count_of (use min_count)",
        "metrics.counted.where[0].at_least: applies only to numbers; 'met_goal' is true/false",
        "tranches[2].if_indeterminate: 'full' needs a cap: an uncapped per_unit has no full amount",
        "tranches[3].measure: a rate card pays by a number; 'met_goal' is true/false",
        "tranches[3].levels[1].at_least: duplicate at_least 1 (also levels[0])",
        "tranches[4].cap: required",
    ]


def test_an_uncapped_rate_card_cannot_pay_in_full_when_indeterminate() -> None:
    (problem,) = problems_of(v2(tranches=[card(if_indeterminate="full")]))
    assert problem == (
        "tranches[0].if_indeterminate: 'full' needs a cap: an uncapped rate_card has no full amount"
    )


def test_min_count_must_be_a_whole_number_of_at_least_one() -> None:
    metrics = {**METRICS, "growers": {**METRICS["growers"], "min_count": 0}}
    (problem,) = problems_of(v2(metrics=metrics))
    assert problem.startswith("metrics.growers.min_count: ")


def test_a_fixed_tranche_has_no_if_indeterminate() -> None:
    line = {"key": "base", "type": "fixed", "amount": "1.00", "due": "2026-10-01"}
    (problem,) = problems_of(v2(tranches=[{**line, "if_indeterminate": "full"}]))
    assert problem == "tranches[0].if_indeterminate: unknown field"


def test_a_v1_document_reads_back_without_v2_defaults() -> None:
    document_again = load_definition(document()).to_document()
    assert "obligations" not in document_again and "assessment_rules" not in document_again
    assert "if_indeterminate" not in document_again["tranches"][0]

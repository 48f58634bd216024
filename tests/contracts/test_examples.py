"""The example contracts in contracts/ evaluated on their data sets, to amounts worked by hand.

Each data set is read through app.feeds exactly as `tranche evaluate` and the API read it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from app.engine import Definition, EvaluationResult, evaluate_contract, load_definition
from app.feeds import parse_feed

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def load(key: str) -> tuple[Definition, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    definition = load_definition((CONTRACTS / f"{key}.yaml").read_bytes())
    folder = CONTRACTS / "examples" / key
    term = {"term_start": definition.term.start, "term_end": definition.term.end}
    roster = parse_feed("roster", (folder / "roster.csv").read_bytes(), **term).frame
    ids = set(roster["student_id"])
    assessments = parse_feed(
        "assessments", (folder / "assessments.csv").read_bytes(), roster_ids=ids, **term
    ).frame
    usage = parse_feed("usage", (folder / "usage.csv").read_bytes(), roster_ids=ids, **term).frame
    return definition, roster, assessments, usage


def evaluate(key: str, as_of: date) -> EvaluationResult:
    definition, roster, assessments, usage = load(key)
    return evaluate_contract(definition, roster, assessments, usage, as_of)


def lines(result: EvaluationResult) -> dict[str, tuple[str, str, str, str]]:
    document: dict[str, Any] = result.to_json()
    return {
        line["key"]: (line["status"], line["earned"], line["held"], line["payable"])
        for line in document["tranches"]
    }


def test_every_example_contract_has_a_data_set() -> None:
    keys = sorted(path.stem for path in CONTRACTS.glob("*.yaml"))
    assert len(keys) >= 4
    for key in keys:
        assert load_definition((CONTRACTS / f"{key}.yaml").read_bytes()).key == key
        assert {p.name for p in (CONTRACTS / "examples" / key).iterdir()} >= {
            "roster.csv",
            "assessments.csv",
            "usage.csv",
        }


def test_tutoring_paid_per_grower_is_cut_by_max_total() -> None:
    result = evaluate("ector-hdt-2026", date(2027, 6, 30))
    # Population: t01–t12 (grades 3–5); t13, t14 are grade 6 and left out.
    # Minutes 2026-09-01..2027-05-15: t01 = 300 × 3 = 900 (exactly), t02 = 950, t03–t09 = 1,000;
    # t10 = 450 + 449.5 = 899.5 (its 200 on 2027-05-20 is after the window), t11 = 300, t12 = 0.
    # dosage_rate = 9 / 12 = 0.75 ≥ 0.75 → fidelity $5,000.00.
    # Eligible t01–t09. Growth vs target: t01 8 ≥ 8, t02 9 ≥ 7.5, t03 10.5 ≥ 6, t04 12 ≥ 9,
    # t05 5.5 ≥ 5, t06 14 ≥ 8 met; t07 7.9 < 8, t08 2 < 6 missed; t09 has no spring score.
    # growers = 6 → 6 × $400 = $2,400.00 (cap $4,000).
    # growth_rate = 6 / 8 = 0.75, coverage 8 / 9 ≥ 0.80 → (0.75 − 0.50) / (0.80 − 0.50) = 5/6
    #   → 5/6 × $6,000 = $5,000.00; but max_total $30,000: 20,000 + 5,000 + 2,400 = 27,400,
    #   so reach is cut to $2,600.00.
    # Holdback 10% on non-fixed lines: 500.00, 240.00, 260.00.
    assert lines(result) == {
        "base": ("earned", "20000.00", "0.00", "20000.00"),
        "fidelity": ("earned", "5000.00", "500.00", "4500.00"),
        "growth": ("earned", "2400.00", "240.00", "2160.00"),
        "reach": ("earned", "2600.00", "260.00", "2340.00"),
    }
    assert result.to_json()["totals"] == {
        "earned": "30000.00",
        "held": "1000.00",
        "payable": "29000.00",
        "projected": "30000.00",
    }
    # mean growth of the 8 eligible students with both scores:
    # (8 + 9 + 10.5 + 12 + 5.5 + 14 + 7.9 + 2) / 8 = 68.9 / 8 = 8.6125
    assert result.to_json()["metrics"]["avg_growth"]["value"] == "8.612500"


def test_tutoring_mid_year_only_the_base_is_due() -> None:
    result = evaluate("ector-hdt-2026", date(2027, 1, 15))
    # fidelity is due 2027-01-31, growth and reach 2027-06-30: pending, projected as above.
    assert [status for status, *_ in lines(result).values()] == [
        "earned",
        "pending",
        "pending",
        "pending",
    ]
    assert result.to_json()["totals"] == {
        "earned": "20000.00",
        "held": "0.00",
        "payable": "20000.00",
        "projected": "30000.00",
    }


def test_tutoring_closeout_releases_the_holdback() -> None:
    totals = evaluate("ector-hdt-2026", date(2027, 7, 31)).to_json()["totals"]
    assert totals == {
        "earned": "30000.00",
        "held": "0.00",
        "payable": "30000.00",
        "projected": "30000.00",
    }


def test_usage_gated_licence_with_linear_median_growth() -> None:
    result = evaluate("lakeview-mathpath-2026", date(2027, 6, 30))
    # Population m01–m10 (m11 is grade 5). Sessions 2026-09-01..2027-03-31: m01 = 5 × 4 = 20
    # (exactly), m02–m07 = 25, m08 = 19 (its 3 on 2027-04-05 are too late), m09 = 10, m10 = 0.
    # active_share = 7 / 10 = 0.70 ≥ 0.60 → licence $40,000.00.
    # Eligible m01–m07; growth 12, 18, 22, 25, 31, 40 (m07 has no spring score):
    # coverage 6/7 ≥ 0.75; median = (22 + 25) / 2 = 23.5
    # → (23.5 − 10) / (30 − 10) = 0.675 → 0.675 × $20,000 = $13,500.00. No holdback.
    assert lines(result) == {
        "licence": ("earned", "40000.00", "0.00", "40000.00"),
        "growth": ("earned", "13500.00", "0.00", "13500.00"),
    }
    assert result.to_json()["totals"]["payable"] == "53500.00"


def test_usage_gated_licence_is_not_paid_when_too_few_students_use_it() -> None:
    definition, roster, assessments, usage = load("lakeview-mathpath-2026")
    # Without m01's sessions only 6 of 10 (0.60) are active: still exactly at the threshold.
    # Without m01 and m02, 5 of 10 = 0.50 < 0.60 → no licence fee.
    fewer = usage[~usage["student_id"].isin(["m01", "m02"])]
    result = evaluate_contract(definition, roster, assessments, fewer, date(2027, 6, 30))
    assert lines(result)["licence"] == ("not_earned", "0.00", "0.00", "0.00")


@pytest.mark.parametrize(
    ("as_of", "expected_growth", "expected_totals"),
    [
        # due 2027-06-15 but before closeout 2027-07-31: 15% of $20,000 held = $3,000.00
        (
            date(2027, 6, 30),
            ("earned", "20000.00", "3000.00", "17000.00"),
            ("35000.00", "3000.00", "32000.00"),
        ),
        # at closeout the holdback is released
        (
            date(2027, 7, 31),
            ("earned", "20000.00", "0.00", "20000.00"),
            ("35000.00", "0.00", "35000.00"),
        ),
        # before the growth line is due: projected only
        (
            date(2027, 6, 1),
            ("pending", "20000.00", "3000.00", "17000.00"),
            ("15000.00", "0.00", "15000.00"),
        ),
    ],
)
def test_literacy_tiers_on_mean_growth_with_holdback(
    as_of: date, expected_growth: tuple[str, ...], expected_totals: tuple[str, ...]
) -> None:
    result = evaluate("lakeview-readwell-2026", as_of)
    # Population r01–r08 (grades K–2; r09 is grade 3). Minutes over the term: r01 = 600
    # (exactly), r02–r06 = 750, r07 = 599.999, r08 = 0 → eligible r01–r06.
    # Growth: 25, 35.5, 31, 28, 40; r06 has no spring score → coverage 5/6 ≥ 0.80.
    # Mean = 159.5 / 5 = 31.9 → tiers (file order 40, 20, 30): highest reached is 30 → $20,000.
    assert lines(result)["onboarding"] == ("earned", "15000.00", "0.00", "15000.00")
    assert lines(result)["growth"] == expected_growth
    totals = result.to_json()["totals"]
    assert (totals["earned"], totals["held"], totals["payable"]) == expected_totals
    assert totals["projected"] == "35000.00"


def test_lower_is_better_share_below_benchmark() -> None:
    result = evaluate("ector-benchmark-2026", date(2027, 7, 31))
    # Population b01–b10 (grades 6–8, schools 041/042; b11 is school 043, b12 grade 5).
    # Spring scores: 185, 190, 195, 200, 205, 210, 215, 220, 165; b10 has none → coverage
    # 9/10 = 0.90, exactly the minimum. At or below 190: 185, 190, 165 → 3/9 = 1/3.
    # (1/3 − 0.40) / (0.20 − 0.40) = 1/3 → $31,000 / 3 = $10,333.333… → $10,333.33.
    # At or below 170: 165 → 1/9 = 0.111… ≤ 0.12 → $5,000.00.
    assert lines(result) == {
        "implementation": ("earned", "5000.00", "0.00", "5000.00"),
        "reduction": ("earned", "10333.33", "0.00", "10333.33"),
        "deep-risk": ("earned", "5000.00", "0.00", "5000.00"),
    }
    assert result.to_json()["totals"]["earned"] == "20333.33"


def test_lower_is_better_lines_are_indeterminate_when_scores_are_missing() -> None:
    definition, roster, assessments, usage = load("ector-benchmark-2026")
    # Drop b09's spring score: coverage 8/10 = 0.80 < 0.90 → both outcome lines indeterminate.
    fewer = assessments[
        ~((assessments["student_id"] == "b09") & (assessments["window"] == "spring-2027"))
    ]
    result = evaluate_contract(definition, roster, fewer, usage, date(2027, 7, 31))
    assert lines(result)["reduction"] == ("indeterminate", "0.00", "0.00", "0.00")
    assert lines(result)["deep-risk"] == ("indeterminate", "0.00", "0.00", "0.00")
    assert result.to_json()["totals"]["earned"] == "5000.00"

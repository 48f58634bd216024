"""`tranche demo` draws each contract's district in proportion to its money (issue #13: the
demo used to print "915 × $400.00 = $366,000.00, capped at $4,000.00")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.demo import DemoProfile, _district_for, _schedule_for
from app.engine import EvaluationResult, evaluate_contract, load_definition
from app.engine.obligations import ObligationRecord

CONTRACT_FILES = sorted(Path(__file__).resolve().parents[2].joinpath("contracts").glob("*.yaml"))
CLOSE_OF_YEAR = date(2027, 6, 30)


def demo_evaluation(path: Path, offset: int) -> EvaluationResult:
    definition = load_definition(path.read_bytes())
    profile = DemoProfile.for_contract(path, definition.key)
    seed = 2026 + offset  # as `tranche demo` seeds them
    data = _district_for(
        definition,
        students=profile.students,
        usage_per_student=profile.usage_per_student,
        growth_scale=profile.growth_scale,
        seed=seed,
    )
    met = [  # the demo's district attests every obligation
        ObligationRecord(obligation.key, "district", "met", datetime(2026, 9, 1, tzinfo=UTC), n)
        for n, obligation in enumerate(definition.obligations)
    ]
    return evaluate_contract(
        definition,
        data.roster,
        data.assessments,
        data.usage,
        CLOSE_OF_YEAR,
        schedule=_schedule_for(definition, data, seed=seed),
        obligations=met,
    )


@pytest.fixture(scope="module")
def evaluations() -> dict[str, EvaluationResult]:
    return {path.stem: demo_evaluation(path, n) for n, path in enumerate(CONTRACT_FILES)}


def test_every_contract_has_a_demo_profile() -> None:
    for path in CONTRACT_FILES:
        assert (path.parent / "examples" / path.stem / "demo.yaml").exists(), path.stem


def test_per_unit_caps_are_reached_but_not_dwarfed(evaluations) -> None:
    checked = 0
    for key, result in evaluations.items():
        definition = load_definition(
            CONTRACT_FILES[[p.stem for p in CONTRACT_FILES].index(key)].read_bytes()
        )
        for tranche in definition.tranches:
            if tranche.type != "per_unit" or tranche.cap is None:
                continue
            value = result.metrics[tranche.metric].value
            assert value is not None
            uncapped = Decimal(tranche.rate) * Decimal(value.numerator) / Decimal(value.denominator)
            assert tranche.cap <= uncapped <= 10 * tranche.cap, (key, tranche.key, uncapped)
            checked += 1
    assert checked


def test_the_demo_has_lines_earned_and_lines_not_earned(evaluations) -> None:
    statuses = {line.status for result in evaluations.values() for line in result.tranches}
    assert {"earned", "not_earned"} <= statuses
    # and every contract earns something beyond its fixed fees
    for key, result in evaluations.items():
        assert any(line.status == "earned" and line.type != "fixed" for line in result.tranches), (
            key
        )


def test_the_demo_excuses_a_few_students_and_ignores_a_few_rushed_tests(evaluations) -> None:
    tutoring = evaluations["ector-tutoring-2026"].to_json()
    assert 0 < tutoring["population"]["excused"] < tutoring["population"]["students"] / 10
    assert tutoring["obligations"] == {"scheduling": "met"}
    licence = evaluations["lakeview-mathgrowth-2026"].to_json()
    assert licence["ignored_rows"]["rapid_guessing"] > 0

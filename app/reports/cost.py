"""Cost-effectiveness: what was paid per student served and per student who met the target.

Amounts are exact: total paid (Decimal) ÷ a count, as a `Fraction`, rounded half-up to the
cent once. "Served" is a population student with more than zero usage in the contract's usage
measures; "meeting the target" is a served student whose growth-target measure is true.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np

from app.engine.definition import Definition
from app.engine.money import money_text, round_cents
from app.engine.result import EvaluationResult
from app.reports.population import assessment_measure, students_with_usage
from app.reports.schemas import CostEffectiveness

SERVED_MEANS = (
    "students of the contract's population with more than zero minutes or sessions in the "
    "contract's usage measures (each measure's own date window)"
)


def cost_effectiveness(
    definition: Definition, result: EvaluationResult, *, total_paid: Decimal
) -> CostEffectiveness:
    served = students_with_usage(definition, result)
    served_count = int(served.sum())
    target_measure = assessment_measure(definition, "met_target")
    meeting: int | None = None
    meeting_means = "the contract has no growth-target (met_target) measure"
    if target_measure is not None:
        measure = result.detail.measures[target_measure]
        met = measure.present & np.asarray(measure.values, dtype=np.bool_)
        meeting = int((served & met).sum())
        meeting_means = (
            f"served students whose '{target_measure}' measure is true (they met their "
            "growth target); students without both scores are not counted"
        )
    return CostEffectiveness(
        total_paid=money_text(total_paid),
        students_served=served_count,
        served_means=SERVED_MEANS,
        paid_per_student_served=_per_student(total_paid, served_count),
        growth_measure=target_measure,
        students_meeting_target=meeting,
        meeting_target_means=meeting_means,
        paid_per_student_meeting_target=_per_student(total_paid, meeting),
    )


def _per_student(total: Decimal, students: int | None) -> str | None:
    if not students:
        return None
    return money_text(round_cents(Fraction(total) / students))

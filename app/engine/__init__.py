"""The pure calculation core.

Imports only the standard library, pandas, numpy, pydantic and PyYAML: never ``app.*`` outside
``app.engine``, never FastAPI or SQLAlchemy. Everything that computes money calls in here.

    definition = load_definition(yaml_text_or_mapping)       # raises DefinitionError
    result = evaluate_contract(definition, roster, assessments, usage, as_of,
                               schedule=schedule, obligations=records)
    result.to_json()    # the SPEC §1 document
    result.students     # per-student audit detail
"""

from app.engine.definition import Definition
from app.engine.evaluate import ENGINE_VERSION, evaluate_contract, evaluate_from_totals
from app.engine.loading import load_definition
from app.engine.obligations import ObligationRecord
from app.engine.problems import DefinitionError, DefinitionProblem
from app.engine.result import EvaluationResult
from app.engine.sums import SumWindow, sum_windows, summed_totals, usage_totals

__all__ = [
    "ENGINE_VERSION",
    "Definition",
    "DefinitionError",
    "DefinitionProblem",
    "EvaluationResult",
    "ObligationRecord",
    "SumWindow",
    "evaluate_contract",
    "evaluate_from_totals",
    "load_definition",
    "sum_windows",
    "summed_totals",
    "usage_totals",
]

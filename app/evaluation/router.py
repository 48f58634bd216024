"""Live evaluation over HTTP (SPEC §1, §3): the engine's JSON and the per-student CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.clock import today
from app.deps import PrincipalDep, SessionDep
from app.evaluation import service
from app.evaluation.schemas import EvaluationOut
from app.evaluation.students import students_csv
from app.read_cache.middleware import CachedRead

router = APIRouter(prefix="/v1/contracts/{key}/evaluation", tags=["evaluation"])

AsOf = Annotated[date | None, Query(description="The evaluation date; today (UTC) by default.")]
Version = Annotated[
    int | None,
    Query(
        ge=1,
        le=1_000_000,
        description="Evaluate under this version (a proposed one too); by default the version "
        "in force on as_of.",
    ),
]
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.get("", response_model=EvaluationOut, summary="Live evaluation", dependencies=[CachedRead])
def read_evaluation(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOf = None,
    version: Version = None,
) -> dict[str, Any]:
    evaluation = service.evaluate_for(
        session, principal=principal, key=key, as_of=as_of or today(), version=version
    )
    return evaluation.result.to_json()


@router.get(
    "/students",
    response_class=Response,
    responses=CSV_RESPONSE,
    summary="Each student's measures, eligibility and what they counted toward",
    dependencies=[CachedRead],
)
def read_evaluation_students(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOf = None,
    version: Version = None,
) -> Response:
    evaluation, students = service.students_for(
        session, principal=principal, key=key, as_of=as_of or today(), version=version
    )
    name = f"{key}-students-{evaluation.as_of.isoformat()}.csv"
    return Response(
        students_csv(students),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""A contract's page: its terms, versions, lines with their explanations, the students
behind each count (with a CSV), the charts the report draws, and for vendors what would
raise each line. Every figure comes from the evaluation service and the engine."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.bundles.build import audit_bundle
from app.clock import today
from app.contracts import service as contracts
from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.deps import SessionDep, SettingsDep
from app.engine.descriptions import condition_phrase, describe_metric
from app.engine.hints import gate_hints, raising_hints
from app.errors import InvalidInput
from app.evaluation import service as evaluations
from app.evaluation.students import students_csv
from app.organisations.models import OrganisationKind
from app.principal import Principal
from app.reports import service as reports
from app.reports.assembly import Audience, assemble_report
from app.web.deps import UserDep
from app.web.templating import render

router = APIRouter(prefix="/app/contracts/{key}", include_in_schema=False)

Which = Literal["met", "counted", "base", "eligible"]
SHOWN_STUDENTS = 500  # rows on the page; the CSV has them all


@router.get("")
def contract_page(
    key: str,
    request: Request,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    as_of: date | None = None,
) -> Response:
    principal = user.principal
    contract = contracts.get_contract(session, principal=principal, key=key)
    day = as_of or today()
    definition = stored_definition(contract.governing_version.definition_json)
    context: dict[str, object] = {
        "contract": contract,
        "definition": definition,
        "as_of": day,
        "eligibility": [
            condition_phrase(c, definition.measures[c.measure], definition.term)
            for c in definition.eligibility
        ],
        "evaluation": None,
    }
    if contract.version_in_force is not None:
        stored = evaluations.evaluate_for(session, principal=principal, key=key, as_of=day)
        result = stored.result
        governing = stored_definition(
            next(v for v in contract.versions if v.version == stored.version).definition_json
        )
        context |= {
            "definition": governing,
            "evaluation": stored,
            "metrics": {
                name: describe_metric(governing, governing.metrics[name], metric)
                for name, metric in result.metrics.items()
            },
            "charts": _charts(session, contract, day, principal, settings.small_group_threshold),
        }
        if principal.kind == OrganisationKind.vendor:
            context |= {
                "raising": raising_hints(governing, result),
                "gates": gate_hints(governing, result),
            }
    return render(request, "contract.html", context)


def _charts(
    session: Session, contract: Contract, day: date, principal: Principal, threshold: int
) -> dict[str, str]:
    # Imported here: matplotlib loads in seconds, which only pages with charts need to pay.
    from app.reports.html import chart_images

    report = assemble_report(
        session, contract=contract, as_of=day, audience=Audience.of(principal, threshold)
    )
    return chart_images(report)


def _students(
    session: SessionDep, user: UserDep, key: str, as_of: date, metric: str | None, which: Which
) -> pd.DataFrame:
    # The API's own per-role view (SPEC §3): no roster flags for vendors and auditors.
    _, students = evaluations.students_for(session, principal=user.principal, key=key, as_of=as_of)
    if which == "eligible":
        return students[students["eligible"].astype(bool)]
    column = f"{metric}.{which}"
    if metric is None or column not in students.columns:
        raise InvalidInput(
            "No such count on this contract.",
            [{"field": "metric", "problem": f"{metric!r} has no '{which}' students"}],
        )
    return students[students[column].astype(bool)]


@router.get("/students")
def students_page(
    key: str,
    request: Request,
    session: SessionDep,
    user: UserDep,
    as_of: date,
    which: Which,
    metric: str | None = None,
) -> Response:
    frame = _students(session, user, key, as_of, metric, which)
    shown = frame.head(SHOWN_STUDENTS)
    return render(
        request,
        "students.html",
        {
            "key": key,
            "as_of": as_of,
            "metric": metric,
            "which": which,
            "total": len(frame),
            "columns": list(shown.columns),
            "rows": shown.astype(object).where(shown.notna(), None).values.tolist(),
            "query": request.url.query,
        },
    )


@router.get("/students.csv")
def students_download(
    key: str,
    session: SessionDep,
    user: UserDep,
    as_of: date,
    which: Which,
    metric: str | None = None,
) -> Response:
    frame = _students(session, user, key, as_of, metric, which)
    name = f"{key}-{metric or 'all'}-{which}-{as_of.isoformat()}.csv"
    return Response(
        students_csv(frame),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/report.{report_format}")
def report(
    key: str,
    report_format: reports.ReportFormat,
    session: SessionDep,
    user: UserDep,
    settings: SettingsDep,
    as_of: date | None = None,
) -> Response:
    rendered = reports.contract_report(
        session,
        principal=user.principal,
        key=key,
        as_of=as_of,
        report_format=report_format,
        small_group_threshold=settings.small_group_threshold,
    )
    disposition = "inline" if report_format in ("json", "html") else "attachment"
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{rendered.file_name}"'},
    )


@router.get("/audit-bundle.zip")
def audit_bundle_download(
    key: str, session: SessionDep, user: UserDep, as_of: date | None = None
) -> Response:
    """The same signed bundle as the API's, for `tranche verify-bundle` (SPEC §3)."""
    bundle = audit_bundle(session, principal=user.principal, key=key, as_of=as_of or today())
    return Response(
        bundle.content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{bundle.file_name}"'},
    )

"""The contract report over HTTP (SPEC §3): one model, four renderings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.deps import LOGGED_READ, PrincipalDep, SessionDep, SettingsDep
from app.reports import service
from app.reports.schemas import ContractReport

router = APIRouter(prefix="/v1/contracts", tags=["reports"])

OTHER_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; JSON as described, or CSV, HTML or PDF per `format`.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/{key}/report",
    response_model=ContractReport,
    responses=OTHER_FORMATS,
    openapi_extra=LOGGED_READ,  # every report request is itself logged
)
def contract_report(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    as_of: Annotated[date | None, Query(description="Evaluation date; today if omitted.")] = None,
    format: Annotated[service.ReportFormat, Query(description="json, csv, html or pdf.")] = "json",
) -> Response:
    rendered = service.contract_report(
        session,
        principal=principal,
        key=key,
        as_of=as_of,
        report_format=format,
        small_group_threshold=settings.small_group_threshold,
    )
    disposition = "inline" if format in ("json", "html") else "attachment"
    return Response(
        content=rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{rendered.file_name}"'},
    )

"""The contract report over HTTP (SPEC §3): one model, four renderings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.db import LARGEST_ID
from app.deps import PrincipalDep, SessionDep, SettingsDep
from app.reports import reads, service
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


@router.get("/{key}/report/reads", response_model=list[reads.ReportReadOut])
def report_reads(
    key: str,
    session: SessionDep,
    principal: PrincipalDep,
    after: Annotated[
        int, Query(ge=0, le=LARGEST_ID, description="Only reads with a larger id.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=reads.MAX_PAGE)] = 100,
) -> list[reads.ReportReadOut]:
    """Who read this contract's report, when, in which format, and the SHA-256 of what they
    were given (the district and granted auditors)."""
    return reads.report_reads(session, principal=principal, key=key, after_id=after, limit=limit)

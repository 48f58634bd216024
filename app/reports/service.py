"""The contract report use case: check access, assemble, render, log who read it.

The report is assembled and rendered in the request's reading transaction, which holds no lock
(on SQLite, not the write lock: a PDF renders while others write). Only then is the read logged,
in a short unit of work of its own, as a row of the append-only access log
(app/reports/models.py) carrying the SHA-256 of exactly the document handed out; if rendering
fails, nothing is logged as delivered. A read is not an audit entry: it changes nothing in the
ledger, so it neither takes the chain head's lock nor moves the version the read caches key on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from app.clock import today, utcnow
from app.contracts.access import ANY_ROLE, contract_for
from app.principal import Principal
from app.reports.assembly import Audience, assemble_report
from app.reports.csv_export import render_csv
from app.reports.models import ReportRead
from app.reports.schemas import ContractReport
from app.unit_of_work import UnitOfWork

ReportFormat = Literal["json", "csv", "html", "pdf"]
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    media_type: str
    file_name: str
    report: ContractReport


def render(report: ContractReport, report_format: ReportFormat) -> bytes:
    if report_format == "json":
        return report.model_dump_json().encode("utf-8")
    if report_format == "csv":
        return render_csv(report).encode("utf-8")
    # Imported here: the HTML and PDF renderers load matplotlib and WeasyPrint, seconds that
    # the JSON and CSV formats, the service's start-up and every CLI command need not pay.
    from app.reports.html import render_html, render_pdf

    if report_format == "html":
        return render_html(report).encode("utf-8")
    return render_pdf(report)


def contract_report(
    session: Session,
    *,
    principal: Principal,
    key: str,
    as_of: date | None,
    report_format: ReportFormat,
    small_group_threshold: int,
) -> RenderedReport:
    """The report on contract `key` for a party or a granted auditor; `as_of` defaults to
    today (UTC). Every request is recorded in the report access log with the document's
    SHA-256."""
    contract = contract_for(session, principal, key, roles=ANY_ROLE)
    as_of = as_of or today()
    report = assemble_report(
        session,
        contract=contract,
        as_of=as_of,
        audience=Audience.of(principal, small_group_threshold),
    )
    content = render(report, report_format)
    read = ReportRead(
        recorded_at=utcnow(),
        organisation_id=principal.organisation_id,
        api_key_id=principal.api_key_id,
        person_id=principal.person_id,
        system_name=principal.system_name,
        actor_name=principal.name,
        contract_key=contract.key,
        format=report_format,
        as_of=as_of,
        version=report.contract.version_evaluated,
        fingerprint=report.evaluation.fingerprint,
        sha256=hashlib.sha256(content).hexdigest(),
        suppression=report.breakdowns.suppression_applies,
    )
    with UnitOfWork(session, actor=principal) as uow:
        uow.record_access(read)
        uow.commit()
    return RenderedReport(
        content=content,
        media_type=MEDIA_TYPES[report_format],
        file_name=f"{contract.key}-report-{as_of.isoformat()}.{report_format}",
        report=report,
    )

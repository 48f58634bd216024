"""The report as one tidy CSV: `section,item,field,value`, a row per figure.

One table rather than several stacked ones, so it loads into any spreadsheet and filters by
section. Every cell passes through `app.csv_safety`: text a spreadsheet would run as a formula
(a school id such as `=HYPERLINK(…)`) is neutralised, while plain numbers such as `-12.50` (a
credit line) stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from app.csv_safety import neutralise
from app.reports.schemas import ContractReport

HEADER = ("section", "item", "field", "value")
Row = tuple[str, str, str, Any]


def _fields(section: str, item: str, values: dict[str, Any]) -> Iterator[Row]:
    for field, value in values.items():
        if isinstance(value, dict | list):
            continue
        yield section, item, field, value


def report_rows(report: ContractReport) -> Iterator[Row]:
    yield from _fields("report", "", report.report.model_dump(mode="json"))
    yield from _fields("contract", report.contract.key, report.contract.model_dump(mode="json"))
    for version in report.contract.versions:
        yield from _fields("version", str(version.version), version.model_dump(mode="json"))
    coverage = report.coverage
    for batch in coverage.batches:
        yield from _fields("batch", batch.id, batch.model_dump(mode="json"))
    for feed, rows in coverage.rows_by_feed.items():
        yield "coverage", feed, "rows", rows
    yield from _fields("coverage", "students", coverage.model_dump(mode="json"))
    for missing in coverage.missing_scores:
        yield from _fields("missing_scores", missing.measure, missing.model_dump(mode="json"))
    fidelity = report.fidelity
    yield from _fields("fidelity", fidelity.dosage_measure or "", fidelity.model_dump(mode="json"))
    yield "fidelity", "", "gate", " and ".join(fidelity.gate)
    for band in fidelity.distribution:
        yield "dosage_distribution", band.label, "students", band.students
    accountability = report.accountability
    yield from _fields("accountability", "", accountability.model_dump(mode="json"))
    yield "accountability", "", "served", " and ".join(accountability.served)
    for reason, rows in accountability.ignored_rows.items():
        yield "ignored_rows", reason, "rows", rows
    for obligation in accountability.obligations:
        yield from _fields("obligation", obligation.key, obligation.model_dump(mode="json"))
        yield "obligation", obligation.key, "covers", " ".join(obligation.covers)
        for number, record in enumerate(obligation.records, start=1):
            item = f"{obligation.key}#{number}"
            yield from _fields("obligation_record", item, record.model_dump(mode="json"))
    for metric in report.outcomes:
        yield from _fields("metric", metric.name, metric.model_dump(mode="json"))
    for line in report.tranches:
        yield from _fields("tranche", line.key, line.model_dump(mode="json"))
    yield from _fields("totals", "", report.totals.model_dump(mode="json"))
    ledger = report.ledger
    for statement in ledger.statements:
        yield from _fields("statement", statement.id, statement.model_dump(mode="json"))
    for number, payment in enumerate(ledger.payments, start=1):
        yield from _fields("payment", str(number), payment.model_dump(mode="json"))
    for dispute in ledger.disputes:
        yield from _fields("dispute", dispute.id, dispute.model_dump(mode="json"))
    yield from _fields("balance", "", ledger.balance.model_dump(mode="json"))
    yield from _fields("cost_effectiveness", "", report.cost_effectiveness.model_dump(mode="json"))
    breakdowns = report.breakdowns
    yield "breakdowns", "", "threshold", breakdowns.threshold
    yield "breakdowns", "", "suppression_applies", breakdowns.suppression_applies
    yield "breakdowns", "", "note", breakdowns.note
    for row in breakdowns.rows:
        item = f"{row.dimension}={row.group}"
        if row.suppressed:
            yield "breakdown", item, "suppressed", True
            continue
        yield "breakdown", item, "students", row.students
        yield "breakdown", item, "eligible", row.eligible
        for name, group_metric in (row.metrics or {}).items():
            for field, value in group_metric.model_dump().items():
                yield "breakdown", item, f"{name}.{field}", value
    yield from _fields("evaluation", "", report.evaluation.model_dump(mode="json"))
    yield from _fields("audit", "", report.audit.model_dump(mode="json"))
    if report.audit.checkpoint is not None:
        yield from _fields("audit", "checkpoint", report.audit.checkpoint.model_dump(mode="json"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(str(value))


def render_csv(report: ContractReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in report_rows(report):
        writer.writerow([_cell(cell) for cell in row])
    return buffer.getvalue()

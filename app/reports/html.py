"""The report as HTML (charts embedded as PNG data URIs) and as PDF, made from that HTML."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from app.engine.money import money_display, percent
from app.reports import charts
from app.reports.schemas import ContractReport, GroupMetric, MoneyPoint


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("app.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return resources.files("app.reports").joinpath("templates/report.css").read_text("utf-8")


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _points(series: list[MoneyPoint]) -> list[tuple[date, Decimal]]:
    return [(point.on, Decimal(point.amount)) for point in series]


def chart_images(report: ContractReport) -> dict[str, str]:
    data = report.charts
    target = Decimal(data.growth_target) if data.growth_target is not None else None
    gate = Decimal(data.dosage_gate) if data.dosage_gate is not None else None
    measure = data.growth_measure or "—"
    if data.per_student_points:
        growth = charts.growth_distribution(data.growth_values, measure=measure, target=target)
    else:
        bins = [(b.low, b.high, b.students) for b in data.growth_histogram]
        growth = charts.growth_bins(bins, measure=measure, target=target)
    return {
        "growth": _data_uri(growth),
        "dosage": _data_uri(
            charts.dosage_vs_growth(
                data.dosage_growth_points,
                dosage_measure=data.dosage_measure or "—",
                growth_measure=data.growth_measure or "—",
                gate=gate,
                withheld=not data.per_student_points,
            )
        ),
        "payments": _data_uri(
            charts.payments_over_time(
                _points(data.paid), _points(data.approved), currency=report.contract.currency
            )
        ),
    }


def _rule(tranche: dict[str, Any]) -> str:
    kind = tranche["type"]
    if kind == "fixed":
        return f"pays {tranche['amount']}"
    if kind == "threshold":
        side = "≥" if tranche.get("at_least") is not None else "≤"
        bound = tranche.get("at_least", tranche.get("at_most"))
        return f"pays {tranche['amount']} if metric {side} {bound}"
    if kind == "linear":
        return f"up to {tranche['amount']}, linear from {tranche['floor']} to {tranche['target']}"
    if kind == "per_unit":
        cap = f", capped at {tranche['cap']}" if tranche.get("cap") else ""
        return f"{tranche['rate']} per unit{cap}"
    tiers = ", ".join(f"≥ {t['at_least']}: {t['pay']}" for t in tranche.get("tiers", []))
    return f"tiers {tiers}"


def _group_value(metric: GroupMetric) -> str:
    if metric.numerator is not None and metric.denominator is not None:
        shown = f"{metric.numerator}/{metric.denominator}"
        if metric.value is not None and metric.value != str(metric.numerator):
            shown += f" ({percent(Decimal(metric.value))})"
        return shown
    return metric.value if metric.value is not None else "—"


def render_html(report: ContractReport, *, images: dict[str, str] | None = None) -> str:
    currency = report.contract.currency
    template = _environment().get_template("report.html")
    return template.render(
        r=report,
        css=_stylesheet(),
        charts=images if images is not None else chart_images(report),
        money=lambda text: money_display(Decimal(text), currency),
        pct=lambda text: percent(Decimal(text)),
        dash=lambda value: "—" if value is None else value,
        rule=_rule,
        group_value=_group_value,
    )


def render_pdf(report: ContractReport) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF format needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report)).write_pdf()
    return pdf

"""The report's charts, drawn on the server with matplotlib's Agg backend as PNG bytes.

Figures are built with the object API (`Figure` + `FigureCanvasAgg`), never `pyplot`: pyplot
keeps global state, which is unsafe when routes run in a thread pool. Floats appear here only
to place marks on a picture; every number the report states comes from exact arithmetic.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SIZE_INCHES = (6.4, 3.2)
DPI = 110
INK = "#1f3b57"
ACCENT = "#c8553d"
MUTED = "#9aa5b1"


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _empty(axes: object, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=axes.transAxes)  # type: ignore[attr-defined]
    axes.set_xticks([])  # type: ignore[attr-defined]
    axes.set_yticks([])  # type: ignore[attr-defined]


def growth_distribution(
    values: Sequence[Decimal], *, measure: str, target: Decimal | None
) -> bytes:
    """Histogram of each student's growth; a vertical line marks a common growth target."""
    figure, axes = _figure()
    axes.set_title(f"Growth distribution ({measure})", loc="left", fontsize=10)  # type: ignore[attr-defined]
    if not values:
        _empty(axes, "No student has both scores yet")
        return _png(figure)
    numbers = [float(v) for v in values]
    bins = min(30, max(5, len(set(numbers))))
    axes.hist(numbers, bins=bins, color=INK, edgecolor="white")  # type: ignore[attr-defined]
    if target is not None:
        axes.axvline(float(target), color=ACCENT, linestyle="--", label=f"target {target}")  # type: ignore[attr-defined]
        axes.legend(frameon=False, fontsize=8)  # type: ignore[attr-defined]
    axes.set_xlabel("growth (score points)")  # type: ignore[attr-defined]
    axes.set_ylabel("students")  # type: ignore[attr-defined]
    return _png(figure)


def dosage_vs_growth(
    points: Sequence[tuple[Decimal, Decimal]],
    *,
    dosage_measure: str,
    growth_measure: str,
    gate: Decimal | None,
) -> bytes:
    """One dot per student with both values; a vertical line marks the fidelity gate."""
    figure, axes = _figure()
    axes.set_title(
        f"Dosage ({dosage_measure}) vs growth ({growth_measure})", loc="left", fontsize=10
    )  # type: ignore[attr-defined]
    if not points:
        _empty(axes, "No student has both a dosage and a growth value")
        return _png(figure)
    axes.scatter(  # type: ignore[attr-defined]
        [float(x) for x, _ in points], [float(y) for _, y in points], s=12, color=INK, alpha=0.6
    )
    if gate is not None:
        axes.axvline(float(gate), color=ACCENT, linestyle="--", label=f"gate {gate}")  # type: ignore[attr-defined]
        axes.legend(frameon=False, fontsize=8)  # type: ignore[attr-defined]
    axes.set_xlabel(dosage_measure)  # type: ignore[attr-defined]
    axes.set_ylabel(growth_measure)  # type: ignore[attr-defined]
    return _png(figure)


def payments_over_time(
    payments: Sequence[tuple[date, Decimal]],
    approved: Sequence[tuple[date, Decimal]],
    *,
    currency: str,
) -> bytes:
    """Cumulative amounts approved and paid, as steps over time."""
    figure, axes = _figure()
    axes.set_title("Approved and paid over time", loc="left", fontsize=10)  # type: ignore[attr-defined]
    if not payments and not approved:
        _empty(axes, "No statement approved and no payment recorded yet")
        return _png(figure)
    for series, label, colour in ((approved, "approved", MUTED), (payments, "paid", INK)):
        if not series:
            continue
        ordered = sorted(series)
        running, cumulative = Decimal(0), []
        for _, amount in ordered:
            running += amount
            cumulative.append(float(running))
        axes.step([d for d, _ in ordered], cumulative, where="post", label=label, color=colour)  # type: ignore[attr-defined]
        axes.plot([d for d, _ in ordered], cumulative, "o", color=colour, markersize=4)  # type: ignore[attr-defined]
    axes.set_ylabel(f"cumulative ({currency})")  # type: ignore[attr-defined]
    axes.legend(frameon=False, fontsize=8)  # type: ignore[attr-defined]
    figure.autofmt_xdate()
    return _png(figure)

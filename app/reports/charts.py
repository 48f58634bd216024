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

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SIZE_INCHES = (6.4, 3.2)
DPI = 110
INK = "#1f3b57"
ACCENT = "#c8553d"
MUTED = "#9aa5b1"
DOTS_LIMIT = 3000


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    # Fixed margins: constrained layout costs more than the drawing itself.
    figure.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=0.2)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e4e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _plot_numbers(values: Sequence[Decimal | str]) -> npt.NDArray[np.float64]:
    # Decimal text straight to float64 in C: fast for 100,000 students, and only ever drawn.
    return np.asarray([str(v) for v in values], dtype=np.str_).astype(np.float64)


def growth_distribution(
    values: Sequence[Decimal | str], *, measure: str, target: Decimal | None
) -> bytes:
    """Histogram of each student's growth; a vertical line marks a common growth target."""
    figure, axes = _figure()
    axes.set_title(f"Growth distribution ({measure})", loc="left", fontsize=10)
    if not len(values):
        _empty(axes, "No student has both scores yet")
        return _png(figure)
    numbers = _plot_numbers(values)
    bins = min(30, max(5, len(np.unique(numbers))))
    axes.hist(numbers, bins=bins, color=INK, edgecolor="white")
    if target is not None:
        axes.axvline(float(target), color=ACCENT, linestyle="--", label=f"target {target}")
        axes.legend(frameon=False, fontsize=8, loc="upper left")
    axes.set_xlabel("growth (score points)")
    axes.set_ylabel("students")
    return _png(figure)


def growth_bins(
    bins: Sequence[tuple[Decimal | str, Decimal | str, int]],
    *,
    measure: str,
    target: Decimal | None,
) -> bytes:
    """The same histogram drawn from counts per bin, for readers who may not see per-student
    values (SPEC §3)."""
    figure, axes = _figure()
    axes.set_title(f"Growth distribution ({measure})", loc="left", fontsize=10)
    if not bins:
        _empty(axes, "No student has both scores yet")
        return _png(figure)
    edges = _plot_numbers([low for low, _, _ in bins] + [bins[-1][1]])
    axes.stairs([count for _, _, count in bins], edges, fill=True, color=INK)
    if target is not None:
        axes.axvline(float(target), color=ACCENT, linestyle="--", label=f"target {target}")
        axes.legend(frameon=False, fontsize=8, loc="upper left")
    axes.set_xlabel("growth (score points)")
    axes.set_ylabel("students")
    return _png(figure)


def dosage_vs_growth(
    points: Sequence[tuple[Decimal | str, Decimal | str]],
    *,
    dosage_measure: str,
    growth_measure: str,
    gate: Decimal | None,
    withheld: bool = False,
) -> bytes:
    """One dot per student with both values; a vertical line marks the fidelity gate.
    `withheld`: the reader may not see per-student points, so none are drawn."""
    figure, axes = _figure()
    axes.set_title(
        f"Dosage ({dosage_measure}) vs growth ({growth_measure})", loc="left", fontsize=10
    )
    if withheld:
        _empty(axes, "Per-student points are shown to the district only")
        return _png(figure)
    if not points:
        _empty(axes, "No student has both a dosage and a growth value")
        return _png(figure)
    xs = _plot_numbers([x for x, _ in points])
    ys = _plot_numbers([y for _, y in points])
    if len(points) > DOTS_LIMIT:
        # Beyond a few thousand dots a scatter is an ink blot (and slow): show density instead.
        axes.hexbin(xs, ys, gridsize=40, cmap="Blues", mincnt=1)
    else:
        axes.scatter(xs, ys, s=12, color=INK, alpha=0.6)
    if gate is not None:
        axes.axvline(float(gate), color=ACCENT, linestyle="--", label=f"gate {gate}")
        axes.legend(frameon=False, fontsize=8, loc="upper left")
    axes.set_xlabel(dosage_measure)
    axes.set_ylabel(growth_measure)
    return _png(figure)


def payments_over_time(
    payments: Sequence[tuple[date, Decimal]],
    approved: Sequence[tuple[date, Decimal]],
    *,
    currency: str,
) -> bytes:
    """Cumulative amounts approved and paid, as steps over time."""
    figure, axes = _figure()
    axes.set_title("Approved and paid over time", loc="left", fontsize=10)
    if not payments and not approved:
        _empty(axes, "No statement approved and no payment recorded yet")
        return _png(figure)
    last_day = max(d for d, _ in [*payments, *approved])
    for series, label, colour in ((approved, "approved", MUTED), (payments, "paid", INK)):
        if not series:
            continue
        ordered = sorted(series)
        days = np.array([d for d, _ in ordered] + [last_day], dtype="datetime64[D]")
        running, cumulative = Decimal(0), []
        for _, amount in ordered:
            running += amount  # summed exactly; only the finished total becomes a float
            cumulative.append(float(running))
        # Each line runs on to the last day shown, so a total reached early stays visible.
        axes.step(
            days,
            [*cumulative, cumulative[-1]],
            where="post",
            label=label,
            color=colour,
        )
        axes.plot(days[:-1], cumulative, "o", color=colour, markersize=4)
    axes.set_ylim(bottom=0)
    axes.set_ylabel(f"cumulative ({currency})")
    axes.legend(frameon=False, fontsize=8, loc="lower right")
    figure.autofmt_xdate()
    return _png(figure)

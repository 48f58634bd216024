"""The date spans whose per-student totals are kept, and how a window is read from them.

A contract sums a feed over windows that overlap: the term, the fall, September to mid-May.
Kept per window, a batch moved each student's totals once per window its days fall in: a
month of usage at 1M students moved 2.7M totals rows, half of its POST (bench/RESULTS.md).
So the windows are cut, at every window's first day and at the day after every window's
last day, into spans that do not overlap: a day falls in one span, a month's batch moves
one totals row per student, and a window is read as the sum of the spans that tile it.

Pure: dates in, dates out (app/ingestion/totals.py registers and keeps them). Spans are
registered once and never change (nothing is deleted, SPEC §5). A window that comes later (an
amendment) and is not tiled by the spans there are is cut at every boundary known, of
windows and spans alike, and its pieces that are not spans yet are registered. They may
overlap older spans, which stay kept: each span is summed on its own, so overlapping spans
are still exact, only less cheap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

Range = tuple[date, date]  # first day, last day, both inclusive


def spans_to_register(windows: Iterable[Range], registered: Collection[Range]) -> set[Range]:
    """The spans to register, beside ``registered``, so that every window is tiled."""
    windows = sorted(set(windows))
    bounds = sorted(
        {day for first, last in (*windows, *registered) for day in _boundaries(first, last)}
    )
    new: set[Range] = set()
    for first, last in windows:
        if tiling((first, last), {*registered, *new}) is not None:
            continue
        inner = [bound for bound in bounds if first.toordinal() < bound <= last.toordinal()]
        starts = [first.toordinal(), *inner]
        ends = [bound - 1 for bound in inner] + [last.toordinal()]
        pieces = {
            (date.fromordinal(start), date.fromordinal(end))
            for start, end in zip(starts, ends, strict=True)
        }
        new |= pieces - set(registered)
    return new


def tiling(window: Range, spans: Collection[Range]) -> list[Range] | None:
    """Spans that do not overlap and together cover exactly ``window`` (the fewest such),
    or None when the spans cannot: a breadth-first search from the window's first day, each
    step a span that starts where the last one ended."""
    first, last = window
    starting: dict[date, list[Range]] = {}
    for span in spans:
        if first <= span[0] and span[1] <= last:
            starting.setdefault(span[0], []).append(span)
    came_by: dict[int, Range | None] = {first.toordinal(): None}
    frontier = [first.toordinal()]
    end = last.toordinal() + 1
    while frontier and end not in came_by:
        following = []
        for day in frontier:
            for span in starting.get(date.fromordinal(day), ()):
                after = span[1].toordinal() + 1
                if after not in came_by:
                    came_by[after] = span
                    following.append(after)
        frontier = following
    if end not in came_by:
        return None
    path: list[Range] = []
    step = came_by[end]
    while step is not None:
        path.append(step)
        step = came_by[step[0].toordinal()]
    return path[::-1]


def _boundaries(first: date, last: date) -> tuple[int, int]:
    """Where a range cuts: its first day and the day after its last (as ordinals, so that
    the last representable day has a day after it)."""
    return first.toordinal(), last.toordinal() + 1

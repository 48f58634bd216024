"""The measures' totals an evaluation read, moved by the batches accepted since (issue #17).

At 1M students, reading every student's kept totals again after a vendor's small batch took
most of the first evaluation after it (3.2–5.6 s over HTTP, bench/RESULTS.md), for a batch
that touched a thousand students. A summed feed's totals change only by flags that change,
and a batch that is only added to the accepted ones (it replaces none) changes only rows with
its own keys: of its own students. So the totals of the last evaluation of the contract under
the same windows, with its students' totals read again from the kept ones, are exactly the
totals now (tested against reading them all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.engine import SumWindow
from app.engine.feed_schema import SUMMED_FEEDS
from app.evaluation import repository
from app.evaluation.cache import EvaluationCache
from app.ingestion import totals as kept
from app.ingestion.models import Batch

# Moving finds the students through the added batches' rows, and reads each one's totals by
# its key. Past a quarter as many rows as students held (and past 10,000 rows), reading
# every total as stored is as cheap.
MOVED_ROWS_PER_STUDENT = 0.25
MOVED_ROWS_AT_LEAST = 10_000


@dataclass(frozen=True)
class CountedTotals:
    """Each summing measure's totals (student → total) and the summed feeds' batches they
    count, by public id (never reused, unlike a row id after a rollback)."""

    batch_ids: frozenset[str]
    totals: dict[str, pd.Series]

    @property
    def students(self) -> int:
        return max((len(series) for series in self.totals.values()), default=0)


# The last totals of each contract and set of windows, whichever evaluation read them.
LATEST: EvaluationCache[CountedTotals] = EvaluationCache(max_entries=4)


def counted(used: Sequence[Batch], totals: dict[str, pd.Series]) -> CountedTotals:
    return CountedTotals(
        frozenset(batch.public_id for batch in used if batch.feed in SUMMED_FEEDS), totals
    )


def added_since(base: CountedTotals, used: Sequence[Batch]) -> list[Batch] | None:
    """The summed feeds' batches of ``used`` that ``base`` does not count, or None when
    ``base`` counts one that ``used`` lacks (replaced, superseded): that one's students are
    not known without reading its rows."""
    summed = [batch for batch in used if batch.feed in SUMMED_FEEDS]
    if not base.batch_ids <= {batch.public_id for batch in summed}:
        return None
    return [batch for batch in summed if batch.public_id not in base.batch_ids]


def moved(
    session: Session,
    contract_id: int,
    windows: Mapping[str, SumWindow],
    base: CountedTotals,
    added: Sequence[Batch],
) -> dict[str, pd.Series] | None:
    """``base`` with the totals of the students of ``added`` read again from the kept ones,
    for the current rows (the accepted batches); None when that is not cheaper than reading
    them all, or a window of an added batch's feed is not kept."""
    bound = max(MOVED_ROWS_AT_LEAST, base.students * MOVED_ROWS_PER_STUDENT)
    if sum(batch.rows for batch in added) > bound:
        return None
    result = dict(base.totals)
    for feed in SUMMED_FEEDS:
        batch_ids = [batch.id for batch in added if batch.feed == feed]
        names = [name for name, window in windows.items() if window.feed == feed]
        if not batch_ids or not names:
            continue
        wanted = {windows[name] for name in names}
        spans = kept.kept_windows(session, contract_id, feed, {(w.start, w.end) for w in wanted})
        if len(spans) < len(wanted):
            return None
        fresh = repository.kept_sums(
            session,
            feed,
            {w: spans[(w.start, w.end)] for w in wanted},
            of_batches=batch_ids,
        )
        laid = overlay({windows[name]: base.totals[name] for name in names}, fresh)
        result.update({name: laid[windows[name]] for name in names})
    return result


def overlay(
    bases: Mapping[SumWindow, pd.Series], fresh: Mapping[SumWindow, pd.Series]
) -> dict[SumWindow, pd.Series]:
    """Each window's ``bases`` totals with the students of ``fresh`` (one shared index)
    taking their fresh totals, students new to them appended; all on one shared index.
    Positional: no window's totals are hashed again, only the fresh students."""
    first = next(iter(bases.values())).index
    touched = next(iter(fresh.values()), pd.Series([], dtype="int64")).index
    if len(touched) == 0:
        return dict(bases)
    positions = first.get_indexer(touched)
    new = positions < 0
    positions[new] = len(first) + np.arange(int(new.sum()))
    index = first.append(touched[new]) if new.any() else first
    result = {}
    for window, base in bases.items():
        values = np.zeros(len(index), dtype=np.int64)
        values[: len(first)] = (
            base if base.index is first else base.reindex(first, fill_value=0)
        ).to_numpy()
        now = fresh[window]
        values[positions] = (
            now if now.index is touched else now.reindex(touched, fill_value=0)
        ).to_numpy()
        result[window] = pd.Series(values, index=index, dtype="int64", copy=False)
    return result

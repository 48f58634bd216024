"""The first evaluation after a small batch: the last totals moved by the batch's own
students (app/evaluation/kept_totals.py), with exactly the numbers of reading them all."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engine import SumWindow
from app.evaluation import kept_totals, service
from tests.evaluation.conftest import USAGE, usage_csv


@pytest.fixture
def reads(monkeypatch) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every read of an evaluation's inputs, in order: (what, feed). ``kept_sums`` of some
    batches' students only is ``"moved"``."""
    seen: list[tuple[str, str]] = []
    for name in ("latest_rows", "window_sums", "kept_sums"):
        function = getattr(service.repository, name)

        def spy(session: Any, feed: str, *args: Any, _name=name, _function=function, **kw: Any):  # type: ignore[no-untyped-def]
            seen.append(("moved" if kw.get("of_batches") else _name, feed))
            return _function(session, feed, *args, **kw)

        monkeypatch.setattr(service.repository, name, spy)
    return seen


def read_everything_again(stored, **batches: Any) -> service.StoredEvaluation:  # type: ignore[no-untyped-def]
    """The same evaluation with nothing kept in the process: every input read in full."""
    service.EVALUATIONS.clear()
    service.forget_inputs()
    return stored(**batches)  # type: ignore[no-any-return]


def assert_same_numbers(moved: service.StoredEvaluation, full: service.StoredEvaluation) -> None:
    assert moved.fingerprint == full.fingerprint
    pd.testing.assert_frame_equal(moved.result.students, full.result.students)
    shares = {
        name: (metric.numerator, metric.denominator, metric.value)
        for name, metric in full.result.metrics.items()
    }
    assert {
        name: (m.numerator, m.denominator, m.value) for name, m in moved.result.metrics.items()
    } == shares


def test_small_batches_move_the_totals_by_their_own_students(loaded, stored, post_feed, reads):
    before = stored()
    reads.clear()
    post_feed("usage", usage_csv({"s08": [("2026-10-05", "900")]}))  # s08 reaches 900
    after_one = stored()
    # Neither the roster, the assessments nor every student's totals: s08's only.
    assert reads == [("moved", "usage")]
    assert after_one.result.metrics["dosage_rate"].numerator == (
        before.result.metrics["dosage_rate"].numerator + 1
    )
    # A restated value (s02's 900 minutes become 100), then a student new to the totals.
    post_feed("usage", usage_csv({"s02": [("2026-09-03", "100")]}))
    after_two = stored()
    assert after_two.result.metrics["dosage_rate"].numerator == (
        after_one.result.metrics["dosage_rate"].numerator - 1
    )
    post_feed("roster", "student_id,grade,school_id\ns09,3,north\n")
    post_feed("usage", usage_csv({"s07": [("2026-09-06", "5")], "s09": [("2026-09-06", "5")]}))
    moved = stored()
    assert reads == [("moved", "usage")] * 3 + [("latest_rows", "roster")]
    assert_same_numbers(moved, read_everything_again(stored))


def test_a_replacement_reads_every_total_again(loaded, stored, post_feed, reads):
    """The replaced batch's students need not be in the new batch's rows (s05's are not):
    only a full read knows whose totals moved."""
    before = stored()
    without_s05 = "".join(line for line in USAGE.splitlines(keepends=True) if "s05" not in line)
    post_feed("usage", without_s05, replaces=loaded["usage"]["id"])
    reads.clear()
    replaced = stored()
    assert reads == [("window_sums", "usage"), ("kept_sums", "usage")]
    assert replaced.result.metrics["dosage_rate"].numerator == (
        before.result.metrics["dosage_rate"].numerator - 1
    )
    assert_same_numbers(replaced, read_everything_again(stored))


def test_a_batch_bigger_than_the_bound_reads_every_total_again(
    loaded, stored, post_feed, reads, monkeypatch
):
    stored()
    monkeypatch.setattr(kept_totals, "MOVED_ROWS_AT_LEAST", 0)  # a quarter of 8 students: 2
    three_rows = [("2026-10-05", "900"), ("2026-10-06", "1"), ("2026-10-07", "1")]
    post_feed("usage", usage_csv({"s08": three_rows}))
    reads.clear()
    big = stored()
    assert ("moved", "usage") not in reads
    assert_same_numbers(big, read_everything_again(stored))


def test_a_batch_committed_during_the_move_is_read_in_full(loaded, stored, post_feed, reads):
    """The accepted batches are compared after the move, as after a full read: a batch that
    lands before the move reads the totals has moved some of them, of students the move
    reads (s08) and of students it keeps (s06)."""
    stored()
    post_feed("usage", usage_csv({"s08": [("2026-10-05", "900")]}))
    real_moved = kept_totals.moved

    def land_another(*args: Any, **kwargs: Any) -> Any:
        kept_totals.moved = real_moved  # once
        post_feed("usage", usage_csv({"s08": [("2026-10-06", "5")], "s06": [("2026-10-06", "1")]}))
        return real_moved(*args, **kwargs)

    kept_totals.moved = land_another
    try:
        during = stored()
    finally:
        kept_totals.moved = real_moved
    assert ("window_sums", "usage") in reads  # read in full: exactly its own batches
    assert_same_numbers(
        during, read_everything_again(stored, batch_ids=[batch.id for batch in during.batches])
    )
    assert stored().result.metrics["dosage_rate"].numerator == (
        during.result.metrics["dosage_rate"].numerator + 1  # s06 reaches 900 with it
    )


WINDOWS = [
    SumWindow("usage", "minutes", date(2026, 9, 1), date(2026, 9, 30)),
    SumWindow("usage", "sessions", date(2026, 9, 1), date(2027, 5, 15)),
]
students = st.sampled_from([f"s{n}" for n in range(8)])
totals = st.dictionaries(students, st.integers(min_value=0, max_value=10**12), max_size=8)


@given(base=st.tuples(totals, totals), fresh=st.tuples(totals, totals))
def test_overlay_is_the_base_with_the_fresh_students_replaced(base, fresh):
    def shared(columns: tuple[dict[str, int], dict[str, int]]) -> dict[SumWindow, pd.Series]:
        index = pd.Index(sorted(set(columns[0]) | set(columns[1])), dtype=object)
        return {
            window: pd.Series([column.get(s, 0) for s in index], index=index, dtype="int64")
            for window, column in zip(WINDOWS, columns, strict=True)
        }

    bases, fresh_totals = shared(base), shared(fresh)
    laid = kept_totals.overlay(bases, fresh_totals)
    touched = set(fresh[0]) | set(fresh[1])
    for window, before, now in zip(WINDOWS, base, fresh, strict=True):
        expected = {s: v for s, v in before.items() if s not in touched} | {
            s: now.get(s, 0) for s in touched
        }
        got = laid[window]
        assert got.index.is_unique
        assert {s: int(v) for s, v in got.items() if v or s in expected} == {
            s: v for s, v in expected.items() if v or s in got.index
        }
        assert got.dtype == np.int64
    assert laid[WINDOWS[0]].index is laid[WINDOWS[1]].index  # aligned once by the engine

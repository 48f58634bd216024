"""Cutting a contract's windows into the spans whose totals are kept
(app/ingestion/spans.py): every window is read from spans that tile it exactly, and a day
falls in one span, so a batch moves one totals row per student and day (issue #17)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.ingestion.spans import Range, spans_to_register, tiling

TERM = (date(2026, 8, 1), date(2027, 7, 31))
SCHOOL_YEAR = (date(2026, 9, 1), date(2027, 5, 15))
FALL = (date(2026, 9, 1), date(2026, 12, 18))


def days(span: Range) -> set[date]:
    return {span[0] + timedelta(n) for n in range((span[1] - span[0]).days + 1)}


def test_a_term_the_school_year_and_the_fall_are_four_spans_and_november_is_in_one():
    spans = spans_to_register([TERM, SCHOOL_YEAR, FALL], set())
    assert spans == {
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 12, 18)),
        (date(2026, 12, 19), date(2027, 5, 15)),
        (date(2027, 5, 16), date(2027, 7, 31)),
    }
    assert [span for span in spans if date(2026, 11, 10) in days(span)] == [
        (date(2026, 9, 1), date(2026, 12, 18))
    ]
    assert tiling(SCHOOL_YEAR, spans) == [
        (date(2026, 9, 1), date(2026, 12, 18)),
        (date(2026, 12, 19), date(2027, 5, 15)),
    ]


def test_windows_kept_already_need_nothing_more():
    spans = spans_to_register([TERM, FALL], set())
    assert spans_to_register([FALL, TERM], spans) == set()


def test_a_later_window_adds_only_the_pieces_it_lacks_and_older_spans_stay():
    spans = spans_to_register([FALL], set())
    october = (date(2026, 10, 1), date(2026, 10, 31))
    new = spans_to_register([FALL, october], spans)
    assert new == {october}
    assert tiling(october, spans | new) == [october]
    assert tiling(FALL, spans | new) == [FALL]  # the older span, still kept, still reads it


def test_no_tiling_when_the_spans_leave_a_gap_or_overrun_the_window():
    spans = {(date(2026, 9, 1), date(2026, 9, 10)), (date(2026, 9, 12), date(2026, 9, 30))}
    assert tiling((date(2026, 9, 1), date(2026, 9, 30)), spans) is None
    assert tiling((date(2026, 9, 1), date(2026, 9, 5)), spans) is None


def test_the_last_representable_day_can_end_a_window():
    window = (date(9999, 12, 1), date.max)
    assert tiling(window, spans_to_register([window], set())) == [window]


day = st.integers(min_value=0, max_value=60).map(lambda n: date(2026, 9, 1) + timedelta(n))
window = st.tuples(day, day).map(lambda pair: (min(pair), max(pair)))


@given(earlier=st.lists(window, max_size=4), later=st.lists(window, min_size=1, max_size=5))
def test_every_window_is_tiled_by_spans_registered_once(earlier, later):
    registered = spans_to_register(earlier, set())
    new = spans_to_register(later, registered)
    assert not new & registered
    for wanted in [*earlier, *later]:
        tiles = tiling(wanted, registered | new)
        assert tiles is not None
        covered = [d for span in tiles for d in days(span)]
        assert sorted(covered) == sorted(days(wanted))  # exactly, each day once


@given(windows=st.lists(window, min_size=1, max_size=6))
def test_spans_cut_at_once_never_overlap(windows):
    spans = spans_to_register(windows, set())
    for d in set().union(*(days(w) for w in windows)):
        assert sum(d in days(span) for span in spans) == 1

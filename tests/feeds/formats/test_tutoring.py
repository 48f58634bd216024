"""tutoring-sessions: a tutoring session log → usage or schedule rows (SPEC §2b)."""

from __future__ import annotations

import pytest

from app.feeds import FeedRejected, RowProblem
from app.feeds.formats import map_export, parse_export
from tests.feeds.formats.samples import TUTORING_FILE, plain_csv


def test_as_usage_minutes_present_count_and_a_missed_session_counts_nothing():
    mapped = map_export("tutoring-sessions", "usage", TUTORING_FILE)
    assert mapped.columns == {
        "student_id": ["S1", "S1", "S2", "S2"],
        "date": ["2026-09-02", "2026-09-02", "2026-09-03", "2026-09-04"],
        "minutes": ["30", "25", "0", "28.5"],
        "sessions": ["", "", "0", ""],
        "session_id": ["sess-1", "sess-2", "sess-3", "sess-4"],
    }
    assert {"tutor_name", "notes", "minutes_scheduled"} <= set(mapped.dropped_columns)


def test_as_schedule_every_row_is_a_session_offered_with_its_scheduled_minutes():
    mapped = map_export("tutoring-sessions", "schedule", TUTORING_FILE)
    assert mapped.columns["minutes_offered"] == ["30", "30", "30", "30"]
    assert "sessions_offered" not in mapped.columns  # each row counts 1 by default
    assert {"attended", "minutes_present"} <= set(mapped.dropped_columns)


def test_a_bad_file_lists_every_bad_row_by_its_own_line_and_column():
    content = plain_csv(
        "student_id,session_date,minutes_present,attended",
        "S1,2026-09-02,30,maybe",
        "S1,2026/09/03,30,true",
        "S2,2026-09-04,-5,true",
    )
    with pytest.raises(FeedRejected) as refused:
        parse_export("tutoring-sessions", "usage", content, roster_ids={"S1", "S2"})
    assert refused.value.problems == [
        RowProblem(2, "attended", "maybe", "must be true or false (or empty)"),
        RowProblem(
            3,
            "session_date",
            "2026/09/03",
            "is not a date (M/D/YYYY or YYYY-MM-DD, with a four-digit year)",
        ),
        RowProblem(4, "minutes_present", "-5", "minutes cannot be negative"),
    ]


def test_a_usage_log_needs_minutes_present():
    content = plain_csv("student_id,session_date,minutes_scheduled", "S1,2026-09-02,30")
    with pytest.raises(FeedRejected) as refused:
        map_export("tutoring-sessions", "usage", content)
    assert "has no minutes_present column" in refused.value.message

"""Every problem is listed at once, in file order, capped with a total."""

from __future__ import annotations

from app.feeds import RowProblem
from tests.feeds.support import csv_bytes, rejection


def test_every_problem_of_every_row_is_listed_at_once_in_file_order():
    refused = rejection(
        "usage",
        csv_bytes(
            "student_id,date,minutes,first_name",
            "S1,2026-13-01,-1,Ann",
            "S2,2026-09-01,30,Bob",
            ",2026-09-01,abc,Cy",
        ),
        roster_ids={"S1", "S2"},
    )
    assert [(p.row, p.column, p.value) for p in refused.problems] == [
        (None, "first_name", None),
        (2, "date", "2026-13-01"),
        (2, "minutes", "-1"),
        (4, "student_id", ""),
        (4, "minutes", "abc"),
    ]
    assert refused.total == 5


def test_problems_are_capped_and_the_total_counts_them_all():
    rows = [f"S{index},2026-09-01,-1" for index in range(1200)]
    refused = rejection("usage", csv_bytes("student_id,date,minutes", *rows), max_problems=500)
    assert refused.total == 1200
    assert len(refused.problems) == 500
    assert refused.problems[0] == RowProblem(2, "minutes", "-1", "minutes cannot be negative")
    assert refused.problems[-1].row == 501
    assert "1,200 problems" in refused.message

"""After a large load, the rows table's planner statistics are refreshed, off the request
(app/ingestion/statistics.py): the table is ANALYZEd once the queued refresh has run."""

from __future__ import annotations

import time
from unittest.mock import patch

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.ingestion import statistics


def analyze_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'usage_rows'")
            ).scalar_one()
        )


def test_a_large_load_gets_its_table_analyzed_after_the_request(migrated_engine: Engine) -> None:
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    before = analyze_count(migrated_engine)
    with Session(migrated_engine) as session:
        statistics.refresh_after_load(session, feed="usage", rows=10)  # a small load
        statistics.wait_for_refreshes()
        assert analyze_count(migrated_engine) == before
        with patch.object(statistics, "ANALYZE_AFTER_ROWS", 10):
            statistics.refresh_after_load(session, feed="usage", rows=10)
        statistics.wait_for_refreshes()
    deadline = time.monotonic() + 10  # the statistics views may lag the ANALYZE a moment
    while analyze_count(migrated_engine) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert analyze_count(migrated_engine) == before + 1


def unsummarized_ranges(engine: Engine, index: str) -> int:
    """Summarizes them, and says how many there were."""
    with engine.connect() as connection:
        summarized = connection.execute(
            text("SELECT brin_summarize_new_values(CAST(:index AS regclass))"), {"index": index}
        ).scalar_one()
        connection.commit()
        return int(summarized)


def test_a_large_load_gets_its_new_page_ranges_summarized(migrated_engine: Engine) -> None:
    """Until then every query using the BRIN indexes reads the new pages: finding one day's
    rows, or one batch's, reads every page loaded since (app/ingestion/statistics.py)."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("BRIN is PostgreSQL's")
    indexes = statistics.brin_indexes(statistics.ROW_TABLES["usage"])
    assert sorted(indexes) == ["ix_usage_rows_batch_id", "ix_usage_rows_date"]
    for index in indexes:
        unsummarized_ranges(migrated_engine, index)  # whatever earlier tests left
    with migrated_engine.begin() as connection:  # 30k rows: more than one range of pages
        connection.execute(
            text(
                "INSERT INTO usage_rows (batch_id, position, student_id, date, minutes, sessions) "
                "SELECT 1, n, 's' || n, DATE '2026-09-01' + n % 200, 1000, 1 "
                "FROM generate_series(1, 30000) AS n"
            )
        )
    with Session(migrated_engine) as session, patch.object(statistics, "ANALYZE_AFTER_ROWS", 10):
        statistics.refresh_after_load(session, feed="usage", rows=30_000)
    statistics.wait_for_refreshes()
    assert [unsummarized_ranges(migrated_engine, index) for index in indexes] == [0, 0]

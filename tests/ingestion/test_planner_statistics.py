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
        statistics.refresh_planner_statistics(session, feed="usage", rows=10)  # a small load
        statistics.wait_for_refreshes()
        assert analyze_count(migrated_engine) == before
        with patch.object(statistics, "ANALYZE_AFTER_ROWS", 10):
            statistics.refresh_planner_statistics(session, feed="usage", rows=10)
        statistics.wait_for_refreshes()
    deadline = time.monotonic() + 10  # the statistics views may lag the ANALYZE a moment
    while analyze_count(migrated_engine) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert analyze_count(migrated_engine) == before + 1

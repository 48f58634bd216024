"""After a large load, PostgreSQL's planner statistics and BRIN summaries are refreshed in
the background.

Until autovacuum gets round to it, the planner believes a freshly loaded table is tiny, and
plans a million rows as if they were a few (a sort on disk instead of a hash, nested loops:
measured in bench/RESULTS.md). So a batch of many rows is followed by an ``ANALYZE`` of its
table. And the page ranges it filled are not yet summarized in the table's BRIN indexes
(batch_id, date): a range without a summary is read by every query that uses the index, so
until a VACUUM summarizes them, finding one batch's rows or one day's reads every new page —
every page of the table where autovacuum is off (measured: 7.3 s instead of 23 ms to find a
1,000-row batch among 48M rows). So the new ranges are summarized too
(``brin_summarize_new_values``: only the ranges not summarized yet, ~0.3 s per 1M rows).

Both run after the commit, outside the batch's transaction (concurrent uploads never wait on
each other's ANALYZE lock), and off the request: on one worker thread per process, so the
poster gets the answer as soon as the batch is stored (ANALYZE took 0.1-0.5 s after a
1M-row batch). Loads that land while one is queued share it: it runs after them.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, Table, text
from sqlalchemy.orm import Session

from app.ingestion.models import ROW_TABLES

ANALYZE_AFTER_ROWS = 100_000

log = logging.getLogger(__name__)
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tranche-analyze")
_queued: set[tuple[int, str]] = set()  # (engine, feed) with a refresh not yet started
_lock = threading.Lock()


def refresh_after_load(session: Session, *, feed: str, rows: int) -> None:
    """Queue an ANALYZE of the feed's rows table, and the summaries of its new BRIN page
    ranges, if ``rows`` were just loaded into it."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql":
        return
    queued = (id(engine), feed)
    with _lock:
        if queued in _queued:
            return
        _queued.add(queued)
    _worker.submit(_refresh, engine, queued)


def _refresh(engine: Engine, queued: tuple[int, str]) -> None:
    with _lock:
        _queued.discard(queued)  # a load committed from now on needs a refresh of its own
    table = ROW_TABLES[queued[1]]
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"ANALYZE {table.name}")
            for index in brin_indexes(table):
                connection.execute(
                    text("SELECT brin_summarize_new_values(CAST(:index AS regclass))"),
                    {"index": index},
                )
    except Exception:  # both only steer plans; autovacuum will refresh them later
        log.warning("Refreshing %s after a large load failed", table.name, exc_info=True)


def brin_indexes(table: Table) -> list[str]:
    """The names of ``table``'s BRIN indexes."""
    return [
        str(index.name)
        for index in table.indexes
        if index.dialect_options["postgresql"]["using"] == "brin"
    ]


def wait_for_refreshes() -> None:
    """Return once every ANALYZE queued so far has run (tests)."""
    _worker.submit(lambda: None).result()

"""After a large load, PostgreSQL's planner statistics are refreshed in the background.

Until autovacuum gets round to it, the planner believes a freshly loaded table is tiny, and
plans a million rows as if they were a few (a sort on disk instead of a hash, nested loops:
measured in bench/RESULTS.md). So a batch of many rows is followed by an ``ANALYZE`` of its
table. It runs after the commit, outside the batch's transaction (concurrent uploads never
wait on each other's ANALYZE lock), and off the request: on one worker thread per process,
so the poster gets the answer as soon as the batch is stored (ANALYZE took 0.1-0.5 s after a
1M-row batch). Loads that land while one is queued share it: it runs after them.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.ingestion.models import ROW_TABLES

ANALYZE_AFTER_ROWS = 100_000

log = logging.getLogger(__name__)
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tranche-analyze")
_queued: set[tuple[int, str]] = set()  # (engine, table) with an ANALYZE not yet started
_lock = threading.Lock()


def refresh_planner_statistics(session: Session, *, feed: str, rows: int) -> None:
    """Queue an ANALYZE of the feed's rows table if ``rows`` were just loaded into it."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql":
        return
    queued = (id(engine), ROW_TABLES[feed].name)
    with _lock:
        if queued in _queued:
            return
        _queued.add(queued)
    _worker.submit(_analyze, engine, queued)


def _analyze(engine: Engine, queued: tuple[int, str]) -> None:
    with _lock:
        _queued.discard(queued)  # a load committed from now on needs an ANALYZE of its own
    table = queued[1]
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"ANALYZE {table}")
    except Exception:  # statistics only steer plans; autovacuum will refresh them later
        log.warning("ANALYZE %s after a large load failed", table, exc_info=True)


def wait_for_refreshes() -> None:
    """Return once every ANALYZE queued so far has run (tests)."""
    _worker.submit(lambda: None).result()

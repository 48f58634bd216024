"""Where the time of a 1M-row usage batch goes, step by step, in process (PostgreSQL).

Run: ``.venv/bin/python bench/ingest_profile.py [--rows 1000000]`` or
``.venv/bin/python bench/ingest_profile.py --students 1000000 --months 3``.

The usage file of bench/http_ingest.py, then the same rows a week later on top of it, are
stored by ``app.ingestion.service.ingest_batch`` itself (no HTTP), with each step of it timed:
wall seconds, CPU seconds of this process (every thread), and CPU seconds of the PostgreSQL
backend serving it (read from ``/proc``, so only for a server on this machine). Beside them,
the raw COPY of the same file (bench/ingest.py), measured the same way, and the floor of the
batch on top: what any store that keeps latest-value flags must do for it at least (COPY,
read the earlier rows on its dates, un-flag those it restates), in plain SQL. CPU seconds do not
depend on what else the machine is doing, which wall seconds do: they say which side, Python
or PostgreSQL, a step costs, and so what overlapping the steps could and could not win.

With ``--months K``: the state-scale case of bench/stored.py instead, a contract's usage
posted one calendar month at a time; the first K − 1 months are stored unprofiled, then
month K is profiled, on top of them (its dates are new, its students are not).
"""

from __future__ import annotations

import argparse
import functools
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from harness import postgres_database, synthetic_files
from http_ingest import ROWS_PER_STUDENT, week_later
from sqlalchemy import text
from stored import monthly
from world import POSTERS, prepare

from app.config import Settings
from app.db import make_engine, make_session_factory
from app.ingestion import current, service, totals
from app.ingestion.statistics import wait_for_refreshes
from app.ingestion.upload import Upload
from app.organisations.service import authenticate

KEY = "profile"
# The steps of ingest_batch, by the names it calls them (app/ingestion/service.py), in order.
STEPS = (
    (service, "effective_roster"),
    (service, "_parsed"),
    (service, "insert_rows"),
    # ... and inside it, while PostgreSQL stores the rows: the digest, the new rows' totals.
    (service, "rows_digest"),
    (totals, "frame_sums"),
    (service.overlap, "read_overlap"),
    (service, "mark_current"),
    # ... and inside it: un-flagging the restated rows, moving the totals.
    (current, "unflag_restated"),
    (totals, "_upsert_rows"),
    (service, "_check_across_batches"),
    (service, "refresh_after_load"),
)
INNER_STEPS = ("rows_digest", "frame_sums", "unflag_restated", "_upsert_rows")  # counted twice
Times = dict[str, tuple[float, float, float]]


def backend_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a process of this machine; 0 if it cannot be read."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / 100


class Stopwatch:
    """Wall, process CPU and backend CPU seconds, per step and in all."""

    def __init__(self) -> None:
        self.backend: int | None = None
        self.times: Times = {}

    def now(self) -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), backend_cpu(self.backend)

    def wrap(self, name: str, step: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(step)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = self.now()
            try:
                return step(*args, **kwargs)
            finally:
                spent = [after - before for after, before in zip(self.now(), start, strict=True)]
                total = self.times.get(name, (0.0, 0.0, 0.0))
                self.times[name] = tuple(a + b for a, b in zip(total, spent, strict=True))  # type: ignore[assignment]

        return timed


def report(label: str, total: tuple[float, float, float], times: Times) -> None:
    wall, client, server = total
    print(f"\n{label}: wall {wall:.2f} s, Python CPU {client:.2f} s, PostgreSQL CPU {server:.2f} s")
    if times:
        print(f"  {'step':28} {'wall':>6} {'Python':>7} {'server':>7}")
    for name in (name for _, name in STEPS if name in times):
        w, c, s = times[name]
        label = f"  {name}" if name in INNER_STEPS else name
        print(f"  {label:28} {w:6.2f} {c:7.2f} {s:7.2f}")


def raw_copy(url: str, path: Path) -> None:
    with psycopg.connect(url) as connection:
        connection.execute(
            "CREATE TABLE raw_usage (student_id text, date date, minutes numeric, "
            "sessions bigint, lessons bigint, session_id text)"
        )
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        start = time.perf_counter(), time.process_time(), backend_cpu(pid)
        _copy(connection, "raw_usage", path.read_bytes())
        connection.commit()
        end = time.perf_counter(), time.process_time(), backend_cpu(pid)
        connection.execute("DROP TABLE raw_usage")
        connection.commit()
    report("raw COPY of the same file", tuple(b - a for a, b in zip(start, end, strict=True)), {})  # type: ignore[arg-type]


RAW_COLUMNS = "student_id, date, minutes, sessions, lessons, session_id"


def raw_on_top(url: str, first: Path, later: Path) -> None:
    """The least any latest-value-wins store with kept flags does for a batch on top: COPY
    its file, read the earlier rows on its dates (their values leave the totals, and the
    daily maximum needs them), and un-flag the ones it restates by their addresses, found
    beforehand and not timed. Plain SQL on a bare table: no parsing, checks or totals."""
    with psycopg.connect(url) as connection:
        connection.execute(
            "CREATE TABLE raw_rows (batch int NOT NULL DEFAULT 1, current bool NOT NULL "
            "DEFAULT true, student_id text, date date, minutes numeric, sessions bigint, "
            "lessons bigint, session_id text)"
        )
        connection.execute("CREATE TABLE raw_later (student_id text, date date, session_id text)")
        _copy(connection, f"raw_rows ({RAW_COLUMNS})", first.read_bytes())
        _copy(connection, "raw_later", _keys_only(later))
        tids = connection.execute(
            "SELECT array_agg(r.ctid)::text FROM raw_rows r JOIN raw_later l "
            "ON r.student_id = l.student_id AND r.date = l.date "
            "AND coalesce(r.session_id, '') = coalesce(l.session_id, '')"
        ).fetchone()[0]  # type: ignore[index]
        connection.execute("ALTER TABLE raw_rows ALTER batch SET DEFAULT 2")
        connection.commit()
        pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        start = time.perf_counter(), time.process_time(), backend_cpu(pid)
        _copy(connection, f"raw_rows ({RAW_COLUMNS})", later.read_bytes())
        with connection.cursor() as cursor:
            days = "SELECT min(date), max(date) FROM raw_rows WHERE batch = 2"
            low, high = cursor.execute(days).fetchone()  # type: ignore[misc]
            earlier = (
                "COPY (SELECT ctid, student_id, date, session_id, minutes FROM raw_rows "
                f"WHERE batch = 1 AND current AND date BETWEEN '{low}' AND '{high}') "
                "TO STDOUT WITH (FORMAT csv)"
            )
            with cursor.copy(earlier) as copy:
                for _ in copy:
                    pass
            cursor.execute(
                "UPDATE raw_rows SET current = false WHERE ctid = ANY(CAST(%s AS tid[]))", [tids]
            )
        connection.commit()
        end = time.perf_counter(), time.process_time(), backend_cpu(pid)
        connection.execute("DROP TABLE raw_rows, raw_later")
        connection.commit()
    spent = tuple(b - a for a, b in zip(start, end, strict=True))
    report("floor of the batch on top (COPY, read the rows on its dates, un-flag)", spent, {})  # type: ignore[arg-type]


def _copy(connection: psycopg.Connection[Any], target: str, data: bytes) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {target} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
    ):
        copy.write(data)


def _keys_only(path: Path) -> bytes:
    """The natural key of each row of a usage file, as CSV with a header."""
    key = ["student_id", "date", "session_id"]
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=key, column_types={"session_id": pa.string()}
        ),
    )
    sink = io.BytesIO()
    pacsv.write_csv(table, sink)
    return sink.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--students", type=int, help="with --months: the contract's size")
    parser.add_argument("--months", type=int, help="profile this month, on top of the others")
    args = parser.parse_args()
    if args.months:
        files = synthetic_files(args.students or 1_000_000)
        months = monthly(files["usage"])[: args.months]
        posts = [("roster", files["roster"], None)]
        posts += [("usage", path, None) for path in months[:-1]]
        posts += [("usage", months[-1], f"month {args.months}, {months[-1].stem}, on top")]
        baseline = months[-1]
    else:
        files = synthetic_files(max(args.rows // ROWS_PER_STUDENT, 10))
        posts = [
            ("roster", files["roster"], None),
            ("usage", files["usage"], "a first batch"),
            ("usage", week_later(files["usage"]), "the same rows a week later, on top of it"),
        ]
        baseline = files["usage"]
    watch = Stopwatch()
    for module, name in STEPS:
        setattr(module, name, watch.wrap(name, getattr(module, name)))
    with postgres_database("profile") as url:
        headers = prepare(url, [KEY])
        engine = make_engine(Settings(database_url=url).database_url)
        try:
            for feed, path, label in posts:
                with make_session_factory(engine)() as session:
                    secret = headers[POSTERS[feed]]["Authorization"].split()[1]
                    principal = authenticate(session, secret)
                    watch.backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                    watch.times = {}
                    start = watch.now()
                    outcome = service.ingest_batch(
                        session,
                        principal=principal,
                        key=KEY,
                        feed=feed,  # type: ignore[arg-type]
                        upload=Upload(path.read_bytes(), "text/csv", path.name),
                        max_bytes=1 << 34,
                        max_problems=100,
                    )
                    total = tuple(b - a for a, b in zip(start, watch.now(), strict=True))
                if label is not None:
                    report(f"{label} ({outcome.batch.rows:,} rows)", total, watch.times)  # type: ignore[arg-type]
                # The ANALYZE a big batch queues runs in the background on both sides' cores:
                # each batch is profiled alone, as batches minutes apart are.
                wait_for_refreshes()
            raw_copy(url, baseline)
            if not args.months:
                raw_on_top(url, files["usage"], week_later(files["usage"]))
            wait_for_refreshes()  # before the database is dropped under the queued ANALYZE
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()

"""How fast a usage batch goes from an HTTP POST into the database, beside a raw COPY.

Run: ``.venv/bin/python bench/ingest.py [--students 20000] [--repeat 3] [--pg URL] [--no-sqlite]``.

One usage CSV of about a million rows (``app.synth``: 20,000 students × ~50 school days) is
POSTed over loopback HTTP to a real server (uvicorn in a thread) on a freshly migrated
database: parse and check every row, then the batch row, every data row and the audit entry
in one transaction. The physical limit is a raw ``COPY`` of the same file into a plain table
without indexes, on the same database. Each repeat posts to a fresh contract, so nothing is
answered from the identical-content shortcut. The evaluation over HTTP (usage summed in SQL)
is timed on the loaded data too. SQLite is measured the same way, beside a raw executemany.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import uvicorn

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.synth import synthesize, write_csv

DEFAULT_PG = "postgresql://postgres@127.0.0.1/postgres"
BENCH_DATABASE = "tranche_bench_ingest"
AS_OF = "2027-06-30"


def definition(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "title": "Benchmark contract",
        "district": "bench-isd",
        "vendor": "bench-tutors",
        "currency": "USD",
        "term": {"start": "2026-08-01", "end": "2027-07-31"},
        "holdback": "0.10",
        "population": {"grades": [3, 4, 5, 6, 7, 8]},
        "measures": {
            "minutes": {"usage": "minutes", "from": "2026-09-01", "to": "2027-05-15"},
            "sessions": {"usage": "sessions"},
            "met_goal": {
                "assessment": "map_reading",
                "from_window": "fall-2026",
                "to_window": "spring-2027",
                "value": "met_target",
            },
        },
        "eligibility": [{"measure": "minutes", "at_least": 900}],
        "metrics": {
            "dosage_rate": {
                "share_of": "population",
                "where": [{"measure": "minutes", "at_least": 900}],
            },
            "growers": {"count_of": "eligible", "where": [{"measure": "met_goal", "is": True}]},
        },
        "tranches": [
            {"key": "base", "type": "fixed", "amount": "1000.00", "due": "2026-10-01"},
            {
                "key": "growth",
                "type": "per_unit",
                "metric": "growers",
                "rate": "100.00",
                "due": "2027-06-30",
            },
        ],
    }


class Server:
    """The real app behind uvicorn on a loopback port, in a background thread."""

    def __init__(self, database_url: str) -> None:
        settings = Settings(database_url=database_url, max_upload_bytes=1 << 30)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=600)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join()
        self.app.state.engine.dispose()


def prepare(database_url: str) -> dict[str, dict[str, str]]:
    """Migrate, then the two organisations and their keys; returns auth headers."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    headers = {}
    with make_session_factory(engine)() as session:
        for key, kind in (("bench-isd", "district"), ("bench-tutors", "vendor")):
            organisations.create_organisation(session, key=key, kind=OrganisationKind(kind))
            _, secret = organisations.create_api_key(
                session, organisation_key=key, system_name="bench", role=Role.approver
            )
            headers[key] = {"Authorization": f"Bearer {secret}"}
    engine.dispose()
    return headers


def post_usage_run(
    client: httpx.Client, headers: dict[str, dict[str, str]], files: dict[str, Path], key: str
) -> float:
    """A fresh contract with its roster, then the timed POST of the usage file."""
    district, vendor = headers["bench-isd"], headers["bench-tutors"]
    _ok(client.post("/v1/contracts", json=definition(key), headers=district))
    _ok(client.post(f"/v1/contracts/{key}/accept", headers=vendor))
    csv_headers = {"Content-Type": "text/csv"}
    _ok(
        client.post(
            f"/v1/contracts/{key}/roster",
            content=files["roster"].read_bytes(),
            headers={**district, **csv_headers},
        )
    )
    content = files["usage"].read_bytes()
    started = time.perf_counter()
    response = client.post(
        f"/v1/contracts/{key}/usage", content=content, headers={**vendor, **csv_headers}
    )
    elapsed = time.perf_counter() - started
    _ok(response)
    return elapsed


def time_evaluation(client: httpx.Client, headers: dict[str, str], key: str) -> float:
    started = time.perf_counter()
    _ok(client.get(f"/v1/contracts/{key}/evaluation", params={"as_of": AS_OF}, headers=headers))
    return time.perf_counter() - started


def raw_copy_pg(url: str, path: Path) -> float:
    """COPY the file into a plain table (no indexes, no checks): the physical limit."""
    with psycopg.connect(url) as connection:
        connection.execute("DROP TABLE IF EXISTS raw_usage")
        connection.execute(
            "CREATE TABLE raw_usage (student_id text, date date, minutes numeric, "
            "sessions bigint, lessons bigint, session_id text)"
        )
        connection.commit()
        content = path.read_bytes()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY raw_usage FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            copy.write(content)
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE raw_usage")
        connection.commit()
    return elapsed


def raw_insert_sqlite(path: Path, usage: Path) -> float:
    """The csv module and one executemany into a plain table: SQLite's floor from Python."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE raw_usage (student_id TEXT, date TEXT, minutes TEXT, sessions INTEGER, "
        "lessons INTEGER, session_id TEXT)"
    )
    started = time.perf_counter()
    with usage.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        connection.executemany("INSERT INTO raw_usage VALUES (?, ?, ?, ?, ?, ?)", reader)
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def fresh_pg_database(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return admin_url.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"


def drop_pg_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def run_database(
    label: str, url: str, files: dict[str, Path], rows: int, repeat: int
) -> list[float]:
    url = Settings(database_url=url).database_url  # postgresql:// → the psycopg 3 driver
    headers = prepare(url)
    posts, evaluations = [], []
    with Server(url) as client:
        for run in range(repeat):
            key = f"bench-{run}"
            posts.append(post_usage_run(client, headers, files, key))
            evaluations.append(time_evaluation(client, headers["bench-isd"], key))
    best = min(posts)
    _line(f"{label}: POST usage over HTTP", rows, posts)
    _line(f"{label}: GET evaluation (SQL sums)", rows, evaluations)
    return [best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()

    data = synthesize(students=args.students, usage_per_student=50, seed=7)
    folder = Path(tempfile.mkdtemp(prefix="tranche-bench-"))
    files = write_csv(data, folder)
    rows = len(data.usage)
    size = files["usage"].stat().st_size
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; usage file "
        f"{rows:,} rows, {size / 1e6:.1f} MB; best / median of {args.repeat}"
    )
    print(f"{'case':44} {'best s':>8} {'median s':>9} {'rows/s':>11}")

    if not args.no_pg:
        url = fresh_pg_database(args.pg)
        try:
            (post_best,) = run_database("PostgreSQL", url, files, rows, args.repeat)
            copies = [raw_copy_pg(url, files["usage"]) for _ in range(args.repeat)]
            _line("PostgreSQL: raw COPY into a plain table", rows, copies)
            print(f"PostgreSQL: POST over HTTP ÷ raw COPY = {post_best / min(copies):.2f}×")
        finally:
            drop_pg_database(args.pg)

    if not args.no_sqlite:
        database = folder / "bench.db"
        (post_best,) = run_database("SQLite", f"sqlite:///{database}", files, rows, args.repeat)
        raw = [
            raw_insert_sqlite(folder / f"raw-{run}.db", files["usage"])
            for run in range(args.repeat)
        ]
        _line("SQLite: raw executemany into a plain table", rows, raw)
        print(f"SQLite: POST over HTTP ÷ raw executemany = {post_best / min(raw):.2f}×")


def _ok(response: httpx.Response) -> None:
    if response.status_code >= 300:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text[:500]}")


def _line(name: str, rows: int, times: list[float]) -> None:
    best, median = min(times), statistics.median(times)
    print(f"{name:44} {best:>8.3f} {median:>9.3f} {rows / best:>11,.0f}")


if __name__ == "__main__":
    main()

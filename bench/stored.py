"""A stored contract over HTTP (PostgreSQL by default): evaluation at 10k, 100k and 1M students
beside the raw SQL aggregate it needs, statement draft + approve at the largest size, and the
read endpoints under load.

Run: ``.venv/bin/python bench/stored.py [--students 10000 100000 1000000] [--database sqlite]
[--quick]``.

The service runs under uvicorn in its own processes (one worker per core, as `tranche serve`
does) on 127.0.0.1, on a fresh, migrated PostgreSQL database (or a SQLite file with
``--database sqlite``). Each size is its own contract (the engine benchmark's: every
measure, metric and tranche kind) with its roster, three assessment windows and ~48 usage
rows per student posted over HTTP: in one POST up to 100k students; above that (48M usage
rows at 1M students, 1.6 GB) one POST per calendar month, each on top of the earlier ones,
as a vendor posting monthly would (the monthly files are cut once from the synthetic file
and kept beside it). Then:
- evaluation: ``GET /evaluation`` at three different as_of dates, each a different
  evaluation (never answered from the evaluation cache): the first after the data landed
  ("cold": every row read from the database), and the best of the other two ("warm": the
  same batches' inputs are kept in the process, so only the engine runs), beside the bare
  ``SELECT student_id, sum(minutes) … GROUP BY student_id`` over the same rows fetched by
  the bare driver, psycopg or sqlite3 (best of three); then one more usage batch of 1,000
  rows, a vendor's day: the seconds to store it and the first evaluation after it;
- statements: draft (``POST /statements``, an as_of not evaluated before) and approve;
- load: 50 concurrent clients, 10,000 requests (60 s cap) on each of GET contract, GET
  evaluation (the same as_of again), GET vendor balance and GET statement, after an unmeasured
  warm-up of every worker: repeated reads, answered from the read cache (app/read_cache; each
  row checks that the ledger did not move while it ran); then GET contract, balance and
  statement on a server with the read cache off: every request a first read, the cost of
  the first read after any change.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from harness import (
    Row,
    check,
    count_label,
    csv_rows,
    database,
    emit,
    server,
    synthetic_files,
    timed,
)
from load import run_load
from world import DISTRICT, VENDOR, post_feed, prepare

from app.config import Settings

SIZES = [10_000, 100_000, 1_000_000]
# Above this many students the usage file goes in one POST per month (see the docstring).
ONE_POST_UP_TO = 100_000
QUICK_SIZES = [1_000]
EVALUATION_DATES = ["2027-06-30", "2027-06-29", "2027-06-28"]
STATEMENT_DATE = "2027-07-01"
AFTER_BATCH_DATE = "2027-06-27"  # evaluated once, after the extra usage batch
LATE_SCHOOL_DAY = "2027-05-14"
USAGE_WINDOW = (date(2026, 9, 1), date(2027, 5, 15))
RAW_SUM = """
SELECT student_id, sum(minutes) FROM usage_rows
WHERE batch_id IN ({batches}) AND date BETWEEN {start} AND {end}
GROUP BY student_id
"""
USAGE_BATCHES = """
SELECT b.id FROM batches b JOIN contracts c ON c.id = b.contract_id
WHERE c.key = {key} AND b.feed = 'usage' AND b.status = 'accepted'
"""
# As `tranche serve` runs by default: one worker process per core.
WORKERS = os.cpu_count() or 1
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def load_contract(
    client: httpx.Client, headers: dict[str, dict[str, str]], key: str, students: int
) -> tuple[int, float]:
    """Post the three feeds; returns the usage row count and the usage POSTs' seconds."""
    files = synthetic_files(students)
    post_feed(client, headers, key, "roster", files["roster"])
    post_feed(client, headers, key, "assessments", files["assessments"])
    parts = [files["usage"]] if students <= ONE_POST_UP_TO else monthly(files["usage"])
    seconds = sum(post_feed(client, headers, key, "usage", part)[0] for part in parts)
    return csv_rows(files["usage"]), seconds


def monthly(usage: Path) -> list[Path]:
    """The usage file cut into one file per calendar month (made once, streamed: the 1M
    file does not fit comfortably in memory as one table)."""
    folder = usage.with_name("usage-by-month")
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(exist_ok=True)
        text = {name: pa.string() for name in ("student_id", "minutes", "lessons", "session_id")}
        reader = pacsv.open_csv(
            usage,
            read_options=pacsv.ReadOptions(block_size=64 << 20),
            convert_options=pacsv.ConvertOptions(column_types=text),
        )
        writers: dict[str, pacsv.CSVWriter] = {}
        options = pacsv.WriteOptions(quoting_style="needed")
        for chunk in reader:
            months = pc.strftime(chunk.column("date").cast(pa.timestamp("s")), "%Y-%m")
            for month in pc.unique(months).to_pylist():
                if month not in writers:
                    writers[month] = pacsv.CSVWriter(
                        folder / f"{month}.csv", chunk.schema, write_options=options
                    )
                writers[month].write_table(
                    pa.Table.from_batches([chunk]).filter(pc.equal(months, month))
                )
        for writer in writers.values():
            writer.close()
        done.touch()
    return sorted(folder.glob("*.csv"))


def evaluation_seconds(
    client: httpx.Client, headers: dict[str, str], key: str
) -> tuple[float, float]:
    """(the first evaluation after the data landed, the best of the other two)."""
    times = []
    for as_of in EVALUATION_DATES:
        seconds, response = timed(
            lambda as_of=as_of: client.get(
                f"/v1/contracts/{key}/evaluation", params={"as_of": as_of}, headers=headers
            )
        )
        check(response)
        times.append(seconds)
    return times[0], min(times[1:])


def after_batch_seconds(
    client: httpx.Client, headers: dict[str, dict[str, str]], key: str, students: int
) -> tuple[float, float]:
    """One more small usage batch (a day's total for the first 1,000 students, on a school
    day of the usage window): the seconds to store it, what a vendor posting daily waits
    for, and the first evaluation after it, what a reader waits for after each batch. Only
    the usage totals changed; the roster and assessments are as the warm evaluations read
    them."""
    with synthetic_files(students)["roster"].open() as roster:
        next(roster)  # the header
        ids = [line.split(",", 1)[0] for line, _ in zip(roster, range(1_000), strict=False)]
    rows = [f"{student},{LATE_SCHOOL_DAY},30,1" for student in ids]
    body = "\n".join(["student_id,date,minutes,sessions", *rows]) + "\n"
    request_headers = {**headers[VENDOR], "Content-Type": "text/csv"}
    posted, response = timed(
        lambda: client.post(f"/v1/contracts/{key}/usage", content=body, headers=request_headers)
    )
    check(response)
    seconds, response = timed(
        lambda: client.get(
            f"/v1/contracts/{key}/evaluation",
            params={"as_of": AFTER_BATCH_DATE},
            headers=headers[DISTRICT],
        )
    )
    check(response)
    return posted, seconds


def raw_aggregate_seconds(url: str, key: str) -> float:
    """The one query the evaluation cannot do without, from the bare driver, no service."""
    if url.startswith("sqlite:///"):
        connection: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        mark = "?"
    else:
        connection = psycopg.connect(url)
        mark = "%s"
    try:
        query = USAGE_BATCHES.format(key=mark)
        batches = [row[0] for row in connection.execute(query, (key,)).fetchall()]
        query = RAW_SUM.format(batches=", ".join([mark] * len(batches)), start=mark, end=mark)
        parameters = (*batches, *(day.isoformat() for day in USAGE_WINDOW))
        times = []
        for _ in range(3):
            seconds, _ = timed(lambda: connection.execute(query, parameters).fetchall())
            times.append(seconds)
    finally:
        connection.close()
    return min(times)


def measure(kind: str, sizes: list[int], requests: int, clients: int) -> list[Row]:
    keys = {students: f"stored-{students}" for students in sizes}
    rows = []
    with database(kind, "stored") as url:
        headers = prepare(url, list(keys.values()))
        with (
            server(url, workers=WORKERS) as base_url,
            httpx.Client(base_url=base_url, timeout=3600) as client,
        ):
            for students, key in keys.items():
                usage, post = load_contract(client, headers, key, students)
                cold, warm = evaluation_seconds(client, headers[DISTRICT], key)
                small_post, after_batch = after_batch_seconds(client, headers, key, students)
                raw = raw_aggregate_seconds(url, key)
                posts = "usage POST" if students <= ONE_POST_UP_TO else "monthly usage POSTs"
                rows.append(
                    Row(
                        what=f"HTTP evaluation of a stored contract, {NAMES[kind]}",
                        size=f"{count_label(students)} students, {usage / 1e6:.1f}M usage rows",
                        figure=(
                            f"{warm:.2f} s warm, {cold:.2f} s cold, {after_batch:.2f} s after "
                            f"one more usage batch of 1,000 rows (stored in {small_post:.2f} s); "
                            "raw SQL GROUP BY "
                            f"{raw:.2f} s → {warm / raw:.1f}× raw ({posts} took {post:.1f} s)"
                        ),
                        numbers={
                            "students": students,
                            "usage_rows": usage,
                            "seconds": warm,
                            "cold_seconds": cold,
                            "after_batch_seconds": after_batch,
                            "small_batch_post_seconds": small_post,
                            "raw_seconds": raw,
                            "ratio_to_raw": warm / raw,
                            "usage_post_seconds": post,
                        },
                    )
                )
            largest = keys[sizes[-1]]
            rows.append(statement_row(client, headers, largest, sizes[-1]))
            rows += load_rows(url, base_url, client, headers, largest, requests, clients)
    return rows


def statement_row(
    client: httpx.Client, headers: dict[str, dict[str, str]], key: str, students: int
) -> Row:
    draft, response = timed(
        lambda: client.post(
            f"/v1/contracts/{key}/statements",
            json={"as_of": STATEMENT_DATE},
            headers=headers[DISTRICT],
        )
    )
    statement = check(response).json()
    approve, response = timed(
        lambda: client.post(
            f"/v1/statements/{statement['id']}/approve", headers=headers[f"{DISTRICT}:approver"]
        )
    )
    check(response)
    return Row(
        what="statement draft + approve",
        size=f"{count_label(students)} students",
        figure=f"{draft + approve:.2f} s (draft {draft:.2f} s, approve {approve:.2f} s)",
        numbers={"seconds": draft + approve, "draft_seconds": draft, "approve_seconds": approve},
    )


def load_rows(
    url: str,
    base_url: str,
    client: httpx.Client,
    headers: dict[str, dict[str, str]],
    key: str,
    requests: int,
    clients: int,
) -> list[Row]:
    """Repeated reads on the server as it runs (answered from the read cache: each row says
    whether the ledger stayed put, so that every measured request could be a hit), then the
    same reads and a statement on a server with the read cache off: every request a first
    read, as after any change to the ledger."""
    statements = check(client.get(f"/v1/contracts/{key}/statements", headers=headers[DISTRICT]))
    statement = statements.json()[-1]["id"]
    contract = ("GET contract", f"/v1/contracts/{key}", DISTRICT)
    balance = ("GET vendor balance", f"/v1/vendors/{VENDOR}/balance", VENDOR)
    evaluation = ("GET evaluation", f"/v1/contracts/{key}/evaluation?as_of=2027-06-30", DISTRICT)
    statement_read = ("GET statement", f"/v1/statements/{statement}", DISTRICT)
    rows = [
        load_row(
            client,
            base_url + path,
            headers[organisation],
            f"{label} (cached)",
            requests,
            clients,
            ledger_url=url,
        )
        for label, path, organisation in (contract, evaluation, balance, statement_read)
    ]
    uncached_settings = {"TRANCHE_READ_CACHE_BYTES": "0"}
    with (
        server(url, workers=WORKERS, settings=uncached_settings) as uncached_url,
        httpx.Client(base_url=uncached_url, timeout=3600) as uncached,
    ):
        rows += [
            load_row(
                uncached,
                uncached_url + path,
                headers[organisation],
                f"{label}, first read (read cache off)",
                requests,
                clients,
            )
            for label, path, organisation in (contract, balance, statement_read)
        ]
    return rows


def ledger_version(url: str) -> int:
    """The audit chain head, as the read cache sees it (app/read_cache/ledger.py)."""
    query = "SELECT last_entry_id FROM audit_chain_head WHERE id = 1"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return int(connection.execute(query).fetchone()[0] or 0)
    with psycopg.connect(url) as connection:
        row = connection.execute(query).fetchone()
        return int(row[0] or 0) if row else 0


def load_row(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    label: str,
    requests: int,
    clients: int,
    *,
    ledger_url: str | None = None,
) -> Row:
    """``ledger_url``: the rows of cached reads name the database, to confirm that nothing
    moved the ledger while they ran (else some requests were misses) and that the answer is
    small enough to be kept (app/read_cache/store.py keeps answers up to 1/8 of its bytes)."""
    first = check(client.get(url, headers=headers))
    before = ledger_version(ledger_url) if ledger_url else None
    # Warm every worker process (each has its own caches and pool), unmeasured: a few rounds
    # of all the clients, so that each worker has answered some.
    run_load(url, headers, requests=clients * 4, clients=clients)
    result = run_load(url, headers, requests=requests, clients=clients)
    p50, p99 = result.percentile(0.50) * 1000, result.percentile(0.99) * 1000
    failed = f"; FAILED: {result.error_summary()}" if result.errors else ""
    not_hits = ""
    if ledger_url is not None:
        if ledger_version(ledger_url) != before:
            not_hits = "; NOT ALL HITS: the ledger moved during the run"
        elif len(first.content) > Settings().read_cache_bytes // 8:
            not_hits = "; NOT HITS: the answer is too big to keep"
    return Row(
        what=f"read under load: {label}",
        size=f"{clients} clients, {result.requests:,} requests",
        figure=(
            f"{result.per_second:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms{failed}{not_hits}"
        ),
        numbers={
            "clients": clients,
            "requests": result.requests,
            "requests_per_second": result.per_second,
            "p50_ms": p50,
            "p99_ms": p99,
            "errors": sum(result.errors.values()),
            "not_hits": 1 if not_hits else 0,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=SIZES)
    parser.add_argument("--requests", type=int, default=10_000, help="per endpoint under load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", choices=list(NAMES), default="postgresql")
    parser.add_argument("--quick", action="store_true", help="one tiny size, for CI")
    parser.add_argument("--json", help="append the result rows to this file (run_all)")
    args = parser.parse_args()
    if args.quick:
        args.students, args.requests, args.clients = QUICK_SIZES, 100, 10
    emit(measure(args.database, args.students, args.requests, args.clients), args.json)


if __name__ == "__main__":
    main()

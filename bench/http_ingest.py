"""HTTP ingest of a usage CSV into PostgreSQL and SQLite at 100k and 1M rows, beside the raw
load of the same file.

Run: ``.venv/bin/python bench/http_ingest.py [--rows 100000 1000000] [--repeat N] [--quick]``.

The usage file (``tranche synth``, ~48 school days per student) is POSTed as text/csv to the
real service (uvicorn in its own process on 127.0.0.1) on a freshly migrated database, to a
contract that already has its roster: the service parses and checks every row, then stores
the batch, its rows and the audit entry in one transaction. The floor beside it is what the
database takes for the same file with no checks and no service: PostgreSQL's ``COPY`` into a
plain table, SQLite's ``executemany`` from the csv module (bench/ingest.py's functions).
Ratio = HTTP seconds ÷ raw seconds (best of ``--repeat`` each).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx
from harness import Row, count_label, csv_rows, database, emit, server, synthetic_files
from ingest import raw_copy_pg, raw_insert_sqlite
from world import post_feed, prepare

ROWS = [100_000, 1_000_000]
QUICK_ROWS = [10_000]
ROWS_PER_STUDENT = 48  # what `tranche synth --usage-per-student 50` gives on average
KINDS = ("postgresql", "sqlite")
RAW = {"postgresql": "raw COPY", "sqlite": "raw executemany"}


def measure(kind: str, sizes: list[int], repeat: int) -> list[Row]:
    files = {size: synthetic_files(max(size // ROWS_PER_STUDENT, 10)) for size in sizes}
    keys = {(size, run): f"ingest-{size}-{run}" for size in sizes for run in range(repeat)}
    rows = []
    with database(kind, "ingest") as url:
        headers = prepare(url, list(keys.values()))
        posts: dict[int, list[float]] = {size: [] for size in sizes}
        with server(url) as base_url, httpx.Client(base_url=base_url, timeout=3600) as client:
            for (size, _), key in keys.items():
                post_feed(client, headers, key, "roster", files[size]["roster"])
                seconds, _ = post_feed(client, headers, key, "usage", files[size]["usage"])
                posts[size].append(seconds)
        for size in sizes:
            raw = [raw_load(kind, url, files[size]["usage"]) for _ in range(repeat)]
            count = csv_rows(files[size]["usage"])
            http, floor = min(posts[size]), min(raw)
            name = "PostgreSQL" if kind == "postgresql" else "SQLite"
            rows.append(
                Row(
                    what=f"HTTP ingest of usage CSV, {name}",
                    size=f"{count_label(round(count, -4))} rows ({count:,})",
                    figure=(
                        f"{count / http:,.0f} rows/s ({http:.2f} s); {RAW[kind]} "
                        f"{floor:.2f} s → {http / floor:.1f}× raw"
                    ),
                    numbers={
                        "rows": count,
                        "seconds": http,
                        "rows_per_second": count / http,
                        "raw_seconds": floor,
                        "ratio_to_raw": http / floor,
                    },
                )
            )
    return rows


def raw_load(kind: str, url: str, usage: Path) -> float:
    if kind == "postgresql":
        return raw_copy_pg(url, usage)
    with tempfile.TemporaryDirectory(prefix="tranche-bench-raw-") as folder:
        return raw_insert_sqlite(Path(folder) / "raw.db", usage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databases", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--quick", action="store_true", help="one tiny size, for CI")
    parser.add_argument("--json", help="append the result rows to this file (run_all)")
    args = parser.parse_args()
    sizes = QUICK_ROWS if args.quick else args.rows
    rows = [row for kind in args.databases for row in measure(kind, sizes, args.repeat)]
    emit(rows, args.json)


if __name__ == "__main__":
    main()

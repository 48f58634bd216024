"""HTTP ingest of a usage CSV into PostgreSQL and SQLite at 100k and 1M rows, beside the raw
load of the same file.

Run: ``.venv/bin/python bench/http_ingest.py [--rows 100000 1000000] [--repeat N] [--quick]``.

The usage file (``tranche synth``, ~48 school days per student) is POSTed as text/csv to the
real service (uvicorn in its own process on 127.0.0.1) on a freshly migrated database, to a
contract that already has its roster: the service parses and checks every row, then stores
the batch, its rows, the per-student window totals and the audit entry in one transaction.
That first batch skips what only an earlier batch makes necessary, so a second file is
POSTed on top of it: the same rows one week later, so that about half of its keys restate a
day of the first batch (latest value wins: those rows stop counting, the totals move) and
the rest are new days, and the daily maximum is checked across both batches. The floor
beside each is what the database takes for the same file with no checks and no service:
PostgreSQL's ``COPY`` into a plain table, SQLite's ``executemany`` from the csv module
(bench/ingest.py's functions). Ratio = HTTP seconds ÷ raw seconds (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
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
    later = {size: week_later(files[size]["usage"]) for size in sizes}
    keys = {(size, run): f"ingest-{size}-{run}" for size in sizes for run in range(repeat)}
    rows = []
    with database(kind, "ingest") as url:
        headers = prepare(url, list(keys.values()))
        posts: dict[tuple[int, str], list[float]] = {}
        with server(url) as base_url, httpx.Client(base_url=base_url, timeout=3600) as client:
            for (size, _), key in keys.items():
                post_feed(client, headers, key, "roster", files[size]["roster"])
                for batch, path in (("first", files[size]["usage"]), ("on top", later[size])):
                    seconds, _ = post_feed(client, headers, key, "usage", path)
                    posts.setdefault((size, batch), []).append(seconds)
        for size in sizes:
            for batch, path in (("first", files[size]["usage"]), ("on top", later[size])):
                raw = [raw_load(kind, url, path) for _ in range(repeat)]
                rows.append(
                    ingest_row(kind, batch, csv_rows(path), min(posts[size, batch]), min(raw))
                )
    return rows


def ingest_row(kind: str, batch: str, count: int, http: float, floor: float) -> Row:
    name = "PostgreSQL" if kind == "postgresql" else "SQLite"
    what = {
        "first": f"HTTP ingest of usage CSV, {name}",
        "on top": f"HTTP ingest of usage CSV on top of an earlier batch, {name}",
    }[batch]
    return Row(
        what=what,
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


def week_later(usage: Path) -> Path:
    """The usage file with every date a week later, beside it (made once): about half of
    its (student, date) keys are days the original has too."""
    target = usage.with_name("usage-week-later.csv")
    if target.exists():
        return target
    text = {name: pa.string() for name in ("student_id", "minutes", "lessons", "session_id")}
    table = pacsv.read_csv(usage, convert_options=pacsv.ConvertOptions(column_types=text))
    days = table.column("date").cast(pa.timestamp("s"))
    moved = pc.add(days, pa.scalar(7 * 86_400, pa.duration("s"))).cast(pa.date32())
    table = table.set_column(table.schema.get_field_index("date"), "date", moved)
    partial = target.with_suffix(".partial")
    pacsv.write_csv(table, partial, pacsv.WriteOptions(quoting_style="needed"))
    partial.rename(target)
    return target


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

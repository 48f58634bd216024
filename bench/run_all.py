"""Every benchmark of issue #7, one table: `make bench` (or ``.venv/bin/python bench/run_all.py``).

    .venv/bin/python bench/run_all.py            # full sizes (about 10-15 minutes)
    .venv/bin/python bench/run_all.py --quick    # tiny sizes, to check that it all runs

Runs bench/offline.py, bench/http_ingest.py and bench/stored.py, each in its own process,
then prints the machine, its load before and after, and the table of figures (Markdown, as
in bench/RESULTS.md). PostgreSQL is reached at ``BENCH_PG_URL`` (default
postgresql://postgres@127.0.0.1/postgres); every database it creates is dropped afterwards.
Synthetic files are cached under ``$TRANCHE_BENCH_DATA/tranche-bench-data`` (default the
system's temporary folder).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from harness import BENCH, PG_ADMIN_URL, PYTHON, ROOT, Row, print_table

SCRIPTS = {
    "offline": "offline.py",
    "ingest": "http_ingest.py",
    "stored": "stored.py",
}


def machine() -> list[str]:
    cpu = "unknown CPU"
    memory = "unknown RAM"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
                break
    except OSError:
        pass
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as connection:
            postgres = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    except psycopg.Error:
        postgres = "unreachable"
    return [
        f"machine: {os.cpu_count()} CPUs ({cpu}), {memory}",
        f"software: Python {platform.python_version()}, PostgreSQL {postgres}, "
        f"SQLite {__import__('sqlite3').sqlite_version}, {platform.platform()}",
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--only", nargs="+", choices=list(SCRIPTS), default=list(SCRIPTS))
    args = parser.parse_args()

    for line in machine():
        print(line)
    print(f"load average before: {load_average()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tranche-bench-results-") as folder:
        results = Path(folder) / "rows.jsonl"
        for name in args.only:
            print(f"\n## {name} ({SCRIPTS[name]})", flush=True)
            command = [PYTHON, str(BENCH / SCRIPTS[name]), "--json", str(results)]
            command += ["--quick"] if args.quick else []
            subprocess.run(command, check=True, cwd=ROOT)
        rows = [Row(**json.loads(line)) for line in results.read_text().splitlines()]
    print(f"\nload average after: {load_average()}")
    print(f"whole run: {(time.perf_counter() - started) / 60:.1f} min\n")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

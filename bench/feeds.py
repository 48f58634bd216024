"""How fast usage feeds are parsed and validated: rows per second at 100k and 1M rows.

Run: ``.venv/bin/python bench/feeds.py [--repeat N]``. The files come from ``app.synth``
(one row per student and school day, sorted by student as vendors usually export them);
the "shuffled" line posts the same rows in random order, which takes the grouping path of
the per-day checks. The last lines compare the two ways to read the CSV as text.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from app.feeds import feed_csv, parse_feed
from app.synth import synthesize

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}
SIZES = {"100k": 2_000, "1M": 20_000}  # students, at about 50 usage rows each


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best and median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"pyarrow {pa.__version__}, pandas {pd.__version__}; best / median of {repeat}"
    )
    print(f"{'case':32} {'rows':>10} {'MB':>7} {'best s':>8} {'median s':>9} {'rows/s':>11}")
    for label, students in SIZES.items():
        data = synthesize(students=students, usage_per_student=50, seed=1)
        rows = len(data.usage)
        roster_ids = frozenset(data.roster["student_id"])
        sorted_csv = feed_csv("usage", data.usage)
        shuffled = data.usage.sample(frac=1.0, random_state=1).reset_index(drop=True)
        for order, content in (("sorted", sorted_csv), ("shuffled", feed_csv("usage", shuffled))):
            best, median = timed(_parse(content, roster_ids), repeat)
            _line(f"usage {label}, {order}", rows, content, best, median)
        for reader, read in (("pyarrow.csv", _read_pyarrow), ("pd.read_csv", _read_pandas)):
            best, median = timed(lambda read=read, body=sorted_csv: read(body), repeat)
            _line(f"  read only: {reader} {label}", rows, sorted_csv, best, median)


def _parse(content: bytes, roster_ids: frozenset[str]) -> Callable[[], object]:
    return lambda: parse_feed("usage", content, roster_ids=roster_ids, max_bytes=1 << 30, **TERM)


def _read_pyarrow(content: bytes) -> pa.Table:
    header = content[: content.index(b"\n")].decode().split(",")
    return pacsv.read_csv(
        io.BytesIO(content),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )


def _read_pandas(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), engine="pyarrow", dtype=str, keep_default_na=False)


def _line(name: str, rows: int, content: bytes, best: float, median: float) -> None:
    print(
        f"{name:32} {rows:>10,} {len(content) / 1e6:>7.1f} {best:>8.3f} {median:>9.3f} "
        f"{rows / best:>11,.0f}"
    )


if __name__ == "__main__":
    main()

"""Offline evaluation (`tranche evaluate`) at 10k, 100k and 1M students: seconds and peak MB.

Run: ``.venv/bin/python bench/offline.py [--students 10000 100000 1000000] [--quick]``.

Each size runs in its own child process, so its peak RSS (``wait4``) is its own: the command
function of `tranche evaluate` itself, reading the three CSV files (``tranche synth``, about 50
usage rows per student), checking every row as the API does, evaluating the engine
benchmark's contract and writing the JSON. One change from the command line: the upload limit
(``max_upload_bytes``, 50 MB by default, meant for HTTP) is lifted, since 100k students'
usage is 150 MB. The wall time includes the child's start-up (importing the application),
which the table shows apart.

Beside each size, in the same run, the floor (issue #17): the same three CSV files read by
``pandas.read_csv`` (C parser, inferred types, no checks) and the usage minutes summed per
student, in its own child process too. The evaluation row gives its ratio to the floor, by
wall time and by time after start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import sys
import time
from pathlib import Path

from harness import DATA_ROOT, PYTHON, Row, count_label, csv_rows, emit, run_child, synthetic_files

AS_OF = "2027-06-30"
SIZES = [10_000, 100_000, 1_000_000]
QUICK_SIZES = [2_000]


def child(folder: Path, contract: Path) -> None:
    """In the child: the `tranche evaluate` command function on the folder's files."""
    started = time.perf_counter()
    from app.cli import evaluate as command
    from app.feeds import parse_feed

    command.parse_feed = functools.partial(parse_feed, max_bytes=1 << 40)  # type: ignore[attr-defined]
    imported = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as output:
        command.evaluate_command(
            contract,
            roster=folder / "roster.csv",
            assessments=folder / "assessments.csv",
            usage=folder / "usage.csv",
            as_of=AS_OF,
            output="json",
        )
    document = json.loads(output.getvalue())
    finished = time.perf_counter()
    report = {
        "start_up": imported - started,
        "evaluate": finished - imported,
        "projected": document["totals"]["projected"],
    }
    print(json.dumps(report))


def floor_child(folder: Path) -> None:
    """In the child: the floor — pandas reads the same CSVs and sums minutes per student."""
    started = time.perf_counter()
    import pandas as pd

    imported = time.perf_counter()
    pd.read_csv(folder / "roster.csv")
    pd.read_csv(folder / "assessments.csv")
    usage = pd.read_csv(folder / "usage.csv")
    minutes = usage.groupby("student_id")["minutes"].sum()
    finished = time.perf_counter()
    report = {
        "start_up": imported - started,
        "work": finished - imported,
        "students": len(minutes),
    }
    print(json.dumps(report))


def measure(students: int) -> list[Row]:
    files = synthetic_files(students)
    contract = DATA_ROOT / "bench-every-kind.yaml"
    if not contract.exists():
        from evaluate import CONTRACT

        contract.write_text(CONTRACT)
    folder = str(files["usage"].parent)
    floor = run_child([PYTHON, __file__, "--floor", folder])
    floor_report = json.loads(floor.stdout.strip().splitlines()[-1])
    run = run_child([PYTHON, __file__, "--child", folder, str(contract)])
    report = json.loads(run.stdout.strip().splitlines()[-1])
    usage = csv_rows(files["usage"])
    size = f"{count_label(students)} students, {usage / 1e6:.1f}M usage rows"
    ratio = run.seconds / floor.seconds
    work_ratio = report["evaluate"] / floor_report["work"]
    return [
        Row(
            what="pandas floor (read_csv of the same CSVs, minutes summed per student)",
            size=size,
            figure=(
                f"{floor.seconds:.1f} s ({floor_report['work']:.1f} s reading and summing, "
                f"{floor_report['start_up']:.1f} s start-up), peak {floor.peak_mb:,.0f} MB"
            ),
            numbers={
                "students": students,
                "usage_rows": usage,
                "seconds": floor.seconds,
                "work_seconds": floor_report["work"],
                "start_up_seconds": floor_report["start_up"],
                "peak_mb": floor.peak_mb,
            },
        ),
        Row(
            what="offline evaluation (tranche evaluate)",
            size=size,
            figure=(
                f"{run.seconds:.1f} s ({report['evaluate']:.1f} s evaluating, "
                f"{report['start_up']:.1f} s start-up), peak {run.peak_mb:,.0f} MB; "
                f"{ratio:.1f}x the floor ({work_ratio:.1f}x after start-up)"
            ),
            numbers={
                "students": students,
                "usage_rows": usage,
                "seconds": run.seconds,
                "evaluate_seconds": report["evaluate"],
                "start_up_seconds": report["start_up"],
                "peak_mb": run.peak_mb,
                "ratio_to_floor": ratio,
                "work_ratio_to_floor": work_ratio,
            },
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=SIZES)
    parser.add_argument("--quick", action="store_true", help="one tiny size, for CI")
    parser.add_argument("--json", help="append the result rows to this file (run_all)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--floor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    if args.floor:
        floor_child(Path(args.floor))
        return
    sizes = QUICK_SIZES if args.quick else args.students
    emit([row for students in sizes for row in measure(students)], args.json)


if __name__ == "__main__":
    sys.exit(main())

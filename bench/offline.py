"""Offline evaluation (`tranche evaluate`) at 10k, 100k and 1M students: seconds and peak MB.

Run: ``.venv/bin/python bench/offline.py [--students 10000 100000 1000000] [--quick]``.

Each size runs in its own child process, so its peak RSS (``wait4``) is its own: the command
function of `tranche evaluate` itself, reading the three CSV files (``tranche synth``, about 50
usage rows per student), checking every row as the API does, evaluating the engine
benchmark's contract and writing the JSON. One change from the command line: the upload limit
(``max_upload_bytes``, 50 MB by default, meant for HTTP) is lifted, since 100k students'
usage is 150 MB. The wall time includes the child's start-up (importing the application),
which the table shows apart.
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


def measure(students: int) -> Row:
    files = synthetic_files(students)
    contract = DATA_ROOT / "bench-every-kind.yaml"
    if not contract.exists():
        from evaluate import CONTRACT

        contract.write_text(CONTRACT)
    run = run_child([PYTHON, __file__, "--child", str(files["usage"].parent), str(contract)])
    report = json.loads(run.stdout.strip().splitlines()[-1])
    usage = csv_rows(files["usage"])
    return Row(
        what="offline evaluation (tranche evaluate)",
        size=f"{count_label(students)} students, {usage / 1e6:.1f}M usage rows",
        figure=(
            f"{run.seconds:.1f} s ({report['evaluate']:.1f} s evaluating, "
            f"{report['start_up']:.1f} s start-up), peak {run.peak_mb:,.0f} MB"
        ),
        numbers={
            "students": students,
            "usage_rows": usage,
            "seconds": run.seconds,
            "evaluate_seconds": report["evaluate"],
            "start_up_seconds": report["start_up"],
            "peak_mb": run.peak_mb,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=SIZES)
    parser.add_argument("--quick", action="store_true", help="one tiny size, for CI")
    parser.add_argument("--json", help="append the result rows to this file (run_all)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    sizes = QUICK_SIZES if args.quick else args.students
    emit([measure(students) for students in sizes], args.json)


if __name__ == "__main__":
    sys.exit(main())

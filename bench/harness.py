"""What every benchmark script needs: synthetic files, throwaway databases, a real server
process on loopback, child processes with their own peak memory, and the result rows.

Nothing here measures anything by itself. Each database is created for one run and dropped
after it (PostgreSQL), or lives in a temporary folder (SQLite); the server is ``uvicorn``
in its own process on 127.0.0.1, never any other address.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
TRANCHE = str(Path(PYTHON).with_name("tranche"))
LOOPBACK = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", f"postgresql://postgres@{LOOPBACK}/postgres")
# Synthetic files are kept between runs (same arguments, same bytes): generating a million
# students takes longer than evaluating them.
DATA_ROOT = Path(os.environ.get("TRANCHE_BENCH_DATA", Path(tempfile.gettempdir())))
DATA_ROOT = DATA_ROOT / "tranche-bench-data"
USAGE_PER_STUDENT = 50.0  # ~5 M usage rows for 100k students, as in issue #7
SEED = 7
UPLOAD_LIMIT = 4 << 30
# What bench/RESULTS.md recommends for a deployment, set on each benchmark database (the raw
# baselines run under them too): the per-student GROUP BY of 100k students needs ~50 MB of
# hash table and spills to disk at the default 4 MB; JIT compiling it costs more than it saves.
# BENCH_PG_DEFAULTS=1 measures PostgreSQL's defaults instead.
PG_SETTINGS = {} if os.environ.get("BENCH_PG_DEFAULTS") else {"work_mem": "'128MB'", "jit": "off"}
# The served benchmarks approve statements, and an approval is signed (SPEC §3): a throwaway key.
SIGNING_KEY = base64.b64encode(
    Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
).decode()


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    what: str
    size: str
    figure: str
    numbers: dict[str, float]


def emit(rows: Sequence[Row], json_path: str | None) -> None:
    """Print the rows as a table and, for run_all, append them to ``json_path``."""
    print_table(rows)
    if json_path:
        with open(json_path, "a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(asdict(row)) + "\n")


def print_table(rows: Sequence[Row]) -> None:
    header = ("what", "size", "figure")
    cells = [header] + [(row.what, row.size, row.figure) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(3)]
    for number, line in enumerate(cells):
        print("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
        if number == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    sys.stdout.flush()


def count_label(number: int) -> str:
    """10000 → 10k, 1000000 → 1M (sizes in the table)."""
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if number >= scale and number % (scale // 10) == 0:
            text = f"{number / scale:.1f}".removesuffix(".0")
            return f"{text}{unit}"
    return f"{number:,}"


def synthetic_files(students: int, usage_per_student: float = USAGE_PER_STUDENT) -> dict[str, Path]:
    """roster.csv, assessments.csv and usage.csv of ``students``, written by `tranche synth`
    in a child process (so its memory is not the benchmark's), reused when already there."""
    folder = DATA_ROOT / f"students-{students}-usage-{usage_per_student:g}-seed-{SEED}"
    done = folder / ".complete"
    if not done.exists():
        subprocess.run(
            [
                TRANCHE,
                "synth",
                f"--students={students}",
                f"--usage-per-student={usage_per_student}",
                f"--seed={SEED}",
                f"--out={folder}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        done.touch()
    return {feed: folder / f"{feed}.csv" for feed in ("roster", "assessments", "usage")}


def csv_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b"")) - 1


@dataclass(frozen=True)
class ChildRun:
    stdout: str
    seconds: float
    peak_mb: float


def run_child(arguments: Sequence[str], timeout: float = 1800.0) -> ChildRun:
    """Run a command; its wall time and its own peak RSS (``wait4``, not the sum of all
    children), so each measured size has a separate peak."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        stdout = process.stdout.read() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} exited with {process.returncode}")
    return ChildRun(stdout=stdout, seconds=seconds, peak_mb=usage.ru_maxrss / 1024)


@contextmanager
def postgres_database(label: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one run; dropped afterwards."""
    name = f"tranche_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        for setting, value in PG_SETTINGS.items():
            connection.execute(f'ALTER DATABASE "{name}" SET {setting} = {value}')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="tranche-bench-") as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def database(kind: str, label: str) -> Iterator[str]:
    if kind == "postgresql":
        with postgres_database(label) as url:
            yield url
    else:
        with sqlite_database() as url:
            yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(
    database_url: str, *, workers: int = 1, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """The real service under uvicorn in its own process on a loopback port; its base URL.
    ``settings``: extra environment, e.g. ``{"TRANCHE_READ_CACHE_BYTES": "0"}``."""
    port = free_port()
    environment = {
        **os.environ,
        **(settings or {}),
        "DATABASE_URL": database_url,
        "TRANCHE_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
        # Approvals are signed (SPEC §3): a throwaway key, as a deployment has its own.
        "TRANCHE_SIGNING_KEY": SIGNING_KEY,
    }
    command = [PYTHON, "-m", "uvicorn", "--factory", "app.main:create_served_app"]
    command += ["--host", LOOPBACK, "--port", str(port), "--log-level", "warning"]
    command += ["--no-access-log", "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    base_url = f"http://{LOOPBACK}:{port}"
    try:
        _wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server process exited while starting")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 120 s")


def check(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 300:
        request = response.request
        raise SystemExit(
            f"{request.method} {request.url}: {response.status_code} {response.text[:800]}"
        )
    return response


def timed(run: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result

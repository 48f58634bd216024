"""Every benchmark script runs at a tiny size (``--quick``) and prints its table rows.

No figure is checked (timings depend on the machine): only that each script gets through
its whole path (synthetic files, throwaway database, real server on loopback, load run) and
reports what it measured. On PostgreSQL when TRANCHE_TEST_DATABASE_URL names one (the
benchmarks create and drop their own databases on that server), else on SQLite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TRANCHE_TEST_DATABASE_URL")
DATABASE = "postgresql" if POSTGRES else "sqlite"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    variables = {**os.environ, "TRANCHE_BENCH_DATA": str(tmp_path_factory.mktemp("bench-data"))}
    if POSTGRES:
        server = POSTGRES.split("://", 1)[1].rsplit("/", 1)[0]
        variables["BENCH_PG_URL"] = f"postgresql://{server}/postgres"
    return variables


def run_script(environment, script, *arguments) -> str:
    """Run bench/``script``; its standard output (it must succeed)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def bench(environment, tmp_path, script, *arguments):
    rows = tmp_path / "rows.jsonl"
    stdout = run_script(environment, script, "--quick", "--json", str(rows), *arguments)
    return stdout, [json.loads(line) for line in rows.read_text().splitlines()]


def test_offline_evaluation_reports_seconds_peak_memory_and_the_pandas_floor(environment, tmp_path):
    stdout, rows = bench(environment, tmp_path, "offline.py")
    assert "| offline evaluation (tranche evaluate) " in stdout
    assert "| pandas floor (read_csv of the same CSVs" in stdout
    floor, row = rows
    assert row["size"].startswith("2k students")
    for measured in (floor, row):
        assert measured["numbers"]["students"] == 2000
        assert measured["numbers"]["seconds"] > 0
        assert measured["numbers"]["peak_mb"] > 0
    assert row["numbers"]["ratio_to_floor"] > 0


def test_http_ingest_reports_rows_per_second_and_the_ratio_to_a_raw_load(environment, tmp_path):
    stdout, rows = bench(environment, tmp_path, "http_ingest.py", "--databases", DATABASE)
    assert "HTTP ingest of usage CSV" in stdout
    first, on_top = rows
    assert "on top of an earlier batch" in on_top["what"]
    for row in (first, on_top):
        assert row["numbers"]["rows"] > 5000
        assert row["numbers"]["rows_per_second"] > 0
        assert row["numbers"]["ratio_to_raw"] > 0


def test_stored_contract_reports_evaluation_statement_and_reads_under_load(environment, tmp_path):
    stdout, rows = bench(environment, tmp_path, "stored.py", "--database", DATABASE)
    assert [row["what"] for row in rows] == [
        f"HTTP evaluation of a stored contract, {'PostgreSQL' if POSTGRES else 'SQLite'}",
        "statement draft + approve",
        "read under load: GET contract (cached)",
        "read under load: GET evaluation (cached)",
        "read under load: GET vendor balance (cached)",
        "read under load: GET statement (cached)",
        "read under load: GET contract, first read (read cache off)",
        "read under load: GET vendor balance, first read (read cache off)",
        "read under load: GET statement, first read (read cache off)",
    ]
    for row in rows[2:]:
        assert row["numbers"]["clients"] == 10
        assert row["numbers"]["requests"] == 100
        assert row["numbers"]["errors"] == 0
        assert row["numbers"]["p99_ms"] >= row["numbers"]["p50_ms"] > 0
    # Nothing changed the ledger while the cached rows ran: they measured kept answers.
    assert [row["numbers"]["not_hits"] for row in rows[2:6]] == [0, 0, 0, 0]
    assert "p99" in stdout


def test_run_all_prints_the_machine_and_one_table(environment):
    out = run_script(environment, "run_all.py", "--quick", "--only", "offline")
    assert "machine:" in out
    assert "load average before:" in out
    assert out.rstrip().splitlines()[-1].startswith("| offline evaluation")


def test_amendment_reports_the_acceptance_and_the_first_evaluation_both_ways(environment, tmp_path):
    _, rows = bench(environment, tmp_path, "amendment.py", "--database", DATABASE)
    assert [row["what"] for row in rows] == [
        "accept the amendment (new span built)",
        "first evaluation after it: window from totals",
        "first evaluation after it: window summed from rows",
    ]
    assert all(row["numbers"]["seconds"] > 0 for row in rows)


def test_the_ingest_profile_times_each_step_of_both_batches_beside_raw_copy(environment):
    if not POSTGRES:
        pytest.skip("the ingest profile is PostgreSQL's (its backend's CPU is read from /proc)")
    out = run_script(environment, "ingest_profile.py", "--rows", "2000")
    assert "a first batch (" in out and "on top of it (" in out
    assert "raw COPY of the same file: wall" in out
    assert "floor of the batch on top (COPY, read the rows on its dates, un-flag): wall" in out
    for step in ("_parsed", "insert_rows", "read_overlap", "mark_current"):
        assert f"  {step} " in out

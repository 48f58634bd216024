"""`tranche evaluate` reads standard exports too (--<feed>-format), by the API's rules."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from app.cli.evaluate import evaluate_command
from tests.conftest import SIMPLE_DEFINITION
from tests.feeds.formats.samples import MAP_FILE, ONEROSTER_ZIP, STAR_FILE
from tests.ingestion.test_formats import growth_contract

app = typer.Typer()
app.command()(evaluate_command)


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def contract_file(tmp_path: Path) -> str:
    document = {**SIMPLE_DEFINITION, **growth_contract("map_reading", 10)}
    return write(tmp_path, "contract.yaml", yaml.safe_dump(document).encode())


def run(tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    roster = write(tmp_path, "roster.csv", b"student_id,grade\nS1,3\nS2,3\nS3,4\n")
    usage = write(tmp_path, "usage.csv", b"student_id,date,minutes\nS1,2026-09-02,30\n")
    arguments = [contract_file(tmp_path), "--roster", roster, "--usage", usage]
    return CliRunner().invoke(app, [*arguments, "--as-of", "2027-06-30", *extra])


def test_a_map_file_is_evaluated_offline_to_the_same_amounts_as_over_http(tmp_path):
    assessments = write(tmp_path, "AssessmentResults.csv", MAP_FILE)
    result = run(tmp_path, "--assessments", assessments, "--assessments-format", "nwea-map-cdf")
    assert result.exit_code == 0, result.output
    lines = {line["key"]: line["earned"] for line in json.loads(result.stdout)["tranches"]}
    assert lines == {"growth": "100.00", "mean": "500.00"}


def test_a_oneroster_zip_is_read_as_the_roster(tmp_path):
    assessments = write(tmp_path, "AssessmentResults.csv", MAP_FILE)
    roster = write(tmp_path, "oneroster.zip", ONEROSTER_ZIP)
    result = run(
        tmp_path,
        "--assessments",
        assessments,
        "--assessments-format",
        "nwea-map-cdf",
        "--roster",
        roster,
        "--roster-format",
        "oneroster-1.2",
    )
    # The OneRoster students are S1, S2 and u-4; the MAP file names S3, who is not on it.
    assert result.exit_code == 2
    stderr = result.stderr
    assert "line 4, column StudentID, value 'S3': student is not on the contract's roster" in stderr
    assert "line 8, column StudentID, value 'S3': student is not on the contract's roster" in stderr


def test_a_wrong_format_is_refused_with_the_files_own_terms(tmp_path):
    assessments = write(tmp_path, "star.csv", STAR_FILE)
    result = run(tmp_path, "--assessments", assessments, "--assessments-format", "nwea-map-cdf")
    assert result.exit_code == 2
    assert "this looks like a Renaissance Star data export" in result.stderr

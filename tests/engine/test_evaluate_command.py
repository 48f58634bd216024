"""`tranche evaluate`: the §1 JSON on stdout, one-line errors and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli.evaluate import evaluate_command

EXAMPLE = Path(__file__).resolve().parents[2] / "contracts"
DATA = EXAMPLE / "examples" / "ector-hdt-2026"

app = typer.Typer()
app.command()(evaluate_command)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def files(**overrides: str) -> list[str]:
    paths = {
        "contract": str(EXAMPLE / "ector-hdt-2026.yaml"),
        "--roster": str(DATA / "roster.csv"),
        "--assessments": str(DATA / "assessments.csv"),
        "--usage": str(DATA / "usage.csv"),
        "--as-of": "2027-06-30",
    }
    paths.update(overrides)
    contract = paths.pop("contract")
    return [contract] + [part for option, value in paths.items() for part in (option, value)]


def test_prints_the_evaluation_json() -> None:
    result = run(*files())
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["contract"] == "ector-hdt-2026"
    assert document["totals"]["payable"] == "29000.00"
    assert [line["key"] for line in document["tranches"]] == ["base", "fidelity", "growth", "reach"]


def test_table_format_shows_lines_and_totals() -> None:
    result = run(*files(), "--format", "table")
    assert result.exit_code == 0, result.output
    assert "reach" in result.stdout and "29000.00" in result.stdout


def test_json_contract_file_is_accepted(tmp_path: Path) -> None:
    from app.engine import load_definition

    document = load_definition((EXAMPLE / "ector-hdt-2026.yaml").read_bytes()).to_document()
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps(document))
    result = run(*files(contract=str(contract)))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["earned"] == "30000.00"


def test_missing_file_is_one_line_and_exit_code_two(tmp_path: Path) -> None:
    result = run(*files(**{"--roster": str(tmp_path / "nope.csv")}))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.csv'}: cannot read: No such file or directory"
    ]


def test_bad_definition_lists_each_problem_on_its_own_line(tmp_path: Path) -> None:
    text = (EXAMPLE / "ector-hdt-2026.yaml").read_text()
    broken = text.replace("metric: growers", "metric: growres").replace(
        'holdback: "0.10"', 'holdback: "10"'
    )
    contract = tmp_path / "broken.yaml"
    contract.write_text(broken)
    result = run(*files(contract=str(contract)))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {contract}: holdback: must be a share between 0 and 1, got 10",
        f"error: {contract}: tranches[2].metric: unknown metric 'growres'",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('rate: "400.00"', 'rate: "1e30"', "tranches[2].rate: must be at most 1000000, got 1E+30"),
        (
            'amount: "20000.00"',
            'amount: "1e999999999"',
            "tranches[0].amount: must be at most 1000000000.00, got 1E+999999999",
        ),
        ("type: fixed", "type: {a: 1}", "tranches[0].type: unknown tranche type 'dict'"),
    ],
)
def test_out_of_bounds_numbers_are_one_clear_line_not_a_traceback(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    contract = tmp_path / "bounds.yaml"
    contract.write_text((EXAMPLE / "ector-hdt-2026.yaml").read_text().replace(old, new, 1))
    result = run(*files(contract=str(contract)))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0].startswith(f"error: {contract}: {message}")


def test_malformed_feed_is_refused_row_by_row(tmp_path: Path) -> None:
    usage = tmp_path / "usage.csv"
    usage.write_text("student_id,date,minutes\nt01,2026-09-07,abc\nt01,2026-09-08,-5\n")
    result = run(*files(**{"--usage": str(usage)}))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {usage}: usage feed refused")
    assert any("line 2" in line and "minutes" in line for line in lines[1:])
    assert any("line 3" in line for line in lines[1:])


def test_bad_as_of_is_refused() -> None:
    result = run(*files(**{"--as-of": "30/06/2027"}))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --as-of: not a date (YYYY-MM-DD): '30/06/2027'"


def test_local_files_are_not_held_to_the_servers_upload_limit(monkeypatch) -> None:
    import app.cli.evaluate as command

    real_parse = command.parse_feed

    def parse_with_a_tiny_server_limit(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_bytes", 10)  # what a caller that passes no limit would get
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(command, "parse_feed", parse_with_a_tiny_server_limit)
    result = run(*files())
    assert result.exit_code == 0, result.output

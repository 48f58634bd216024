"""`tranche evaluate` sums a clean usage or schedule file straight from its compact columns
(``app.cli.summed``): the evaluation is the engine's on the parsed frames, to the cent, and a
bad row anywhere in the file is still reported with its line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import app.cli
from app.cli.evaluate import evaluate_command
from app.engine import evaluate_contract, load_definition
from app.feeds import parse_feed

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
TUTORING = CONTRACTS / "examples" / "ector-tutoring-2026"
AS_OF = "2027-06-30"

app_ = typer.Typer()
app_.command()(evaluate_command)


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app_, list(args))


def arguments(folder: Path, **overrides: Path) -> list[str]:
    files = {feed: folder / f"{feed}.csv" for feed in ("roster", "assessments", "usage")}
    files["schedule"] = folder / "schedule.csv"
    files.update(overrides)
    return [
        str(CONTRACTS / "ector-tutoring-2026.yaml"),
        *(part for feed, path in files.items() for part in (f"--{feed}", str(path))),
        "--as-of",
        AS_OF,
    ]


def by_the_frames(folder: Path) -> dict[str, object]:
    """The evaluation from every feed parsed into a frame: the engine's own sums."""
    definition = load_definition((CONTRACTS / "ector-tutoring-2026.yaml").read_bytes())
    term = {"term_start": definition.term.start, "term_end": definition.term.end}
    roster = parse_feed("roster", (folder / "roster.csv").read_bytes()).frame
    ids = set(roster["student_id"])
    frames = {
        feed: parse_feed(feed, (folder / f"{feed}.csv").read_bytes(), roster_ids=ids, **term).frame
        for feed in ("assessments", "usage", "schedule")
    }
    result = evaluate_contract(
        definition,
        roster,
        frames["assessments"],
        frames["usage"],
        date.fromisoformat(AS_OF),
        schedule=frames["schedule"],
    )
    return result.to_json()


def test_the_evaluation_equals_the_engines_on_the_parsed_frames() -> None:
    result = run(*arguments(TUTORING))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == by_the_frames(TUTORING)


def test_blank_sessions_count_one_and_rows_outside_a_window_count_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    for feed in ("roster", "assessments"):
        (folder / f"{feed}.csv").write_bytes((TUTORING / f"{feed}.csv").read_bytes())
    # h01: two blank sessions (1 each) and one before the window (2026-08-20, not counted).
    (folder / "usage.csv").write_text(
        "student_id,date,minutes,sessions\n"
        "h01,2026-08-20,30,4\nh01,2026-09-14,30,\nh01,2026-09-15,30,\nh02,2026-09-14,45,3\n"
    )
    (folder / "schedule.csv").write_text(
        "student_id,date,sessions_offered\nh01,2026-09-14,\nh02,2026-09-14,12\n"
    )
    result = run(*arguments(folder))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == by_the_frames(folder)


def test_a_bad_row_deep_in_a_large_usage_file_is_reported_with_its_line(tmp_path: Path) -> None:
    rows = [
        f"h{student:02d},2026-{month:02d}-{day:02d},30,1"
        for student in range(1, 21)
        for month in (9, 10, 11, 12)
        for day in range(1, 29)
    ]
    rows[2000] = rows[2000].replace(",30,", ",30.0001,")
    usage = tmp_path / "usage.csv"
    usage.write_text("student_id,date,minutes,sessions\n" + "\n".join(rows) + "\n")
    result = run(*arguments(TUTORING, usage=usage))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        f"error: {usage}: usage feed refused: 1 problem (first: row 2002, minutes: has more "
        "than 3 decimal places: round at the source (Tranche never rounds data))."
    )
    assert lines[1] == (
        f"error: {usage}: line 2002, column minutes, value '30.0001': has more than 3 decimal "
        "places: round at the source (Tranche never rounds data)"
    )


def test_the_tranche_command_runs_evaluate_without_loading_the_other_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["tranche", "evaluate", *arguments(TUTORING)])
    with pytest.raises(SystemExit) as exited:
        app.cli.main()
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out) == by_the_frames(TUTORING)

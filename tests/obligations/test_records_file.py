"""`tranche evaluate --obligations O.csv` (SPEC §4): the file is checked as the API checks a
record, every bad row listed, nothing guessed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli.evaluate import evaluate_command
from app.feeds.problems import FeedRejected
from app.obligations.models import MAX_NOTE
from app.obligations.records_file import parse_obligation_records

DECLARED = ["devices", "schedule"]
HEADER = "obligation,party,status,recorded_at\n"


def parse(text: str, *, is_json: bool = False):  # type: ignore[no-untyped-def]
    return parse_obligation_records(text.encode(), is_json=is_json, obligations=DECLARED)


def problems(text: str, *, is_json: bool = False) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(FeedRejected) as refused:
        parse(text, is_json=is_json)
    return [(p.row, p.column, p.reason) for p in refused.value.problems]


def test_rows_become_records_in_file_order() -> None:
    records = parse(
        HEADER
        + "devices,district,met,2026-09-14T16:30:00Z\n"
        + "devices,vendor,missed,2026-09-14T12:30:00-04:00\n"
    )
    assert [(r.obligation, r.party, r.status, r.sequence) for r in records] == [
        ("devices", "district", "met", 2),
        ("devices", "vendor", "missed", 3),
    ]
    # the same moment written in two zones is the same moment: the file order breaks the tie
    assert (
        records[0].recorded_at
        == records[1].recorded_at
        == datetime(2026, 9, 14, 16, 30, tzinfo=UTC)
    )
    assert records[1].recorded_at.utcoffset() == timedelta(hours=-4)


def test_a_header_alone_or_an_empty_file_is_no_records() -> None:
    assert parse(HEADER) == ()
    assert parse("") == ()
    assert parse("[]", is_json=True) == ()


def test_a_json_array_of_the_same_objects_is_accepted() -> None:
    (record,) = parse(
        '[{"obligation": "schedule", "party": "district", "status": "missed",'
        ' "recorded_at": "2026-10-02T08:00:00+01:00", "note": "rooms unavailable"}]',
        is_json=True,
    )
    assert record.recorded_at.tzinfo == timezone(timedelta(hours=1))
    assert (record.status, record.sequence) == ("missed", 1)


def test_every_bad_row_is_listed() -> None:
    found = problems(
        HEADER
        + "devices,district,met,2026-09-14T16:30:00Z\n"
        + "laptops,district,met,2026-09-14T16:30:00Z\n"
        + "devices,auditor,partly,2026-09-14T16:30:00Z\n"
        + "devices,vendor,missed,2026-09-14 16:30\n"
        + "devices,vendor,missed,2026-09-14\n"
        + "devices,vendor,Met,yesterday\n"
    )
    assert found == [
        (3, "obligation", "not an obligation of the contract (devices, schedule)"),
        (4, "party", "must be district or vendor"),
        (4, "status", "must be met or missed"),
        (
            5,
            "recorded_at",
            "must be a date and time with its UTC offset, e.g. 2026-09-14T16:30:00Z",
        ),
        (
            6,
            "recorded_at",
            "must be a date and time with its UTC offset, e.g. 2026-09-14T16:30:00Z",
        ),
        (7, "status", "must be met or missed"),
        (
            7,
            "recorded_at",
            "must be a date and time with its UTC offset, e.g. 2026-09-14T16:30:00Z",
        ),
    ]


def test_columns_are_checked_before_rows() -> None:
    assert problems("obligation,party,state,recorded_at,who\n") == [
        (None, "status", "required column is missing"),
        (None, "state", "unknown column"),
        (None, "who", "unknown column"),
    ]


def test_a_note_is_bounded_as_over_the_api() -> None:
    assert (
        len(
            parse(
                "obligation,party,status,recorded_at,note\n"
                f"devices,district,met,2026-09-14T16:30:00Z,{'x' * MAX_NOTE}\n"
            )
        )
        == 1
    )
    assert problems(
        "obligation,party,status,recorded_at,note\n"
        f"devices,district,met,2026-09-14T16:30:00Z,{'x' * (MAX_NOTE + 1)}\n"
    ) == [(2, "note", f"longer than {MAX_NOTE} characters")]


def test_a_row_with_more_cells_than_the_header_is_bad() -> None:
    assert problems(HEADER + "devices,district,met,2026-09-14T16:30:00Z,extra\n") == [
        (2, None, "more cells than the header has columns")
    ]


def test_json_values_must_be_text() -> None:
    assert problems(
        '[{"obligation": "devices", "party": "district", "status": true,'
        ' "recorded_at": "2026-09-14T16:30:00Z"}]',
        is_json=True,
    ) == [(1, "status", "must be text")]


CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
DATA = CONTRACTS / "examples" / "ector-hdt-2026"


def run(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    app = typer.Typer()
    app.command()(evaluate_command)
    records = tmp_path / "obligations.csv"
    records.write_text(text)
    return CliRunner().invoke(
        app,
        [
            str(CONTRACTS / "ector-hdt-2026.yaml"),
            *("--roster", str(DATA / "roster.csv")),
            *("--assessments", str(DATA / "assessments.csv")),
            *("--usage", str(DATA / "usage.csv")),
            *("--obligations", str(records)),
            *("--as-of", "2027-06-30"),
        ],
    )


def test_the_command_refuses_a_bad_obligations_file_with_every_problem(tmp_path: Path) -> None:
    # ector-hdt-2026 declares no obligations, so any record names an unknown one
    result = run(tmp_path, HEADER + "devices,district,met,2026-09-14T16:30:00Z\nx,y,z,w\n")
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert errors[0].endswith("obligations file refused: 5 problem(s).")
    assert (
        "line 2, column obligation, value 'devices': not an obligation of the contract (none)"
        in errors[1]
    )
    assert len(errors) == 6


def test_the_command_accepts_an_empty_obligations_file(tmp_path: Path) -> None:
    result = run(tmp_path, HEADER)
    assert result.exit_code == 0, result.output


def test_a_missing_value_is_required() -> None:
    assert problems(HEADER + "devices,district\n") == [
        (2, "status", "required"),
        (2, "recorded_at", "required"),
    ]
    assert problems('[{"obligation": "devices", "party": "vendor"}]', is_json=True) == [
        (1, "status", "required"),
        (1, "recorded_at", "required"),
    ]


def test_the_table_format_shows_the_district_side(tmp_path: Path) -> None:
    from app.engine import load_definition

    document = load_definition((CONTRACTS / "ector-hdt-2026.yaml").read_bytes()).to_document()
    document["obligations"] = [
        {"key": "devices", "text": "A device per student", "due": "2026-09-15", "covers": ["reach"]}
    ]
    contract = tmp_path / "contract.json"
    contract.write_text(json.dumps(document))
    records = tmp_path / "obligations.csv"
    records.write_text(HEADER + "devices,district,missed,2026-09-20T08:00:00Z\n")
    app = typer.Typer()
    app.command()(evaluate_command)
    result = CliRunner().invoke(
        app,
        [
            str(contract),
            *("--roster", str(DATA / "roster.csv")),
            *("--assessments", str(DATA / "assessments.csv")),
            *("--usage", str(DATA / "usage.csv")),
            *("--obligations", str(records)),
            *("--as-of", "2027-06-30", "--format", "table"),
        ],
    )
    assert result.exit_code == 0, result.output
    # the example data: 12 students in grades 3-5, nobody excused, 9 with 900 minutes
    assert "population: 12 students, 0 excused, 9 eligible" in result.stdout
    assert "obligations: devices missed" in result.stdout

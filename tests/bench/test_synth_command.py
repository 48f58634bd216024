"""`tranche synth`: a synthetic district as the three feed files the API and `tranche
evaluate` read."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.feeds import parse_feed

TERM = {"term_start": date(2026, 8, 1), "term_end": date(2027, 7, 31)}


def synth(folder, *, students=400, usage=20, seed=5):
    arguments = ["synth", f"--students={students}", f"--usage-per-student={usage}"]
    arguments += [f"--seed={seed}", f"--out={folder}"]
    return CliRunner().invoke(cli, arguments, catch_exceptions=False)


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    result = synth(folder)
    assert result.exit_code == 0
    ids = None
    frames = {}
    for feed in ("roster", "assessments", "usage"):
        content = (folder / f"{feed}.csv").read_bytes()
        frames[feed] = parse_feed(feed, content, roster_ids=ids, **TERM).frame
        ids = set(frames["roster"]["student_id"])
    return folder, result.stdout, frames


def test_writes_the_three_feeds_that_the_feed_checks_accept(district):
    _, _, frames = district
    assert len(frames["roster"]) == 400
    assert len(frames["assessments"]) > 0
    assert len(frames["usage"]) > 0


def test_says_where_it_wrote_and_how_many_rows(district):
    folder, stdout, frames = district
    assert f"{folder / 'roster.csv'}: 400 roster rows" in stdout
    assert f"{len(frames['usage']):,} usage rows" in stdout


def test_some_students_never_log_in(district):
    _, _, frames = district
    users = frames["usage"]["student_id"].nunique()
    assert 0 < users < len(frames["roster"])


def test_some_tests_are_missing(district):
    _, _, frames = district
    windows = frames["assessments"]["window"].nunique()
    assert len(frames["assessments"]) < windows * len(frames["roster"])


def test_same_seed_writes_the_same_bytes(district, tmp_path):
    folder, _, _ = district
    assert synth(tmp_path).exit_code == 0
    for feed in ("roster", "assessments", "usage"):
        assert (tmp_path / f"{feed}.csv").read_bytes() == (folder / f"{feed}.csv").read_bytes()


def test_another_seed_writes_other_usage(district, tmp_path):
    folder, _, _ = district
    assert synth(tmp_path, seed=6).exit_code == 0
    assert (tmp_path / "usage.csv").read_bytes() != (folder / "usage.csv").read_bytes()


def test_refuses_an_empty_district(tmp_path):
    result = CliRunner().invoke(cli, ["synth", "--students=0", f"--out={tmp_path}"])
    assert result.exit_code != 0
    assert not (tmp_path / "roster.csv").exists()

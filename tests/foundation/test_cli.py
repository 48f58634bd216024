"""The operator's command line against a real database file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cli.context import cli_session
from app.config import get_settings
from app.errors import NotAuthenticated
from app.organisations import people

CONTRACT_FILES = sorted(Path(__file__).resolve().parents[2].joinpath("contracts").glob("*.yaml"))


@pytest.fixture
def cli_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_operator_sets_up_organisations_keys_and_contracts(cli_database):
    assert run("db", "upgrade").exit_code == 0
    assert run("org", "create", "ector-isd", "--kind", "district").exit_code == 0
    created = run("key", "create", "--org", "ector-isd", "--system", "sis-sync")
    assert created.exit_code == 0
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("trk_")
    listed = run("key", "list", "--org", "ector-isd")
    assert secret.split("_")[1] in listed.stdout
    assert secret not in listed.stdout  # the secret itself is never shown again
    assert run("key", "revoke", secret.split("_")[1]).exit_code == 0
    assert "revoked" in run("key", "list", "--org", "ector-isd").stdout


def test_operator_creates_a_person_whose_first_password_is_shown_once(cli_database):
    run("db", "upgrade")
    run("org", "create", "ector-isd", "--kind", "district")
    created = run(
        "user", "create", "--org", "ector-isd", "--email", "Maria@Ector.org",
        "--name", "Maria Lopez", "--role", "approver",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    first_line, password = created.stdout.strip().splitlines()
    assert "Maria Lopez <maria@ector.org>" in first_line
    assert len(password) >= 12
    listed = run("user", "list", "--org", "ector-isd")
    assert "maria@ector.org\tMaria Lopez\tapprover\tactive" in listed.stdout
    assert password not in listed.stdout
    # the printed password signs her in (what the web app will call)
    with cli_session() as session:
        assert (
            people.authenticate_person(session, email="maria@ector.org", password=password).name
            == "Maria Lopez"
        )


def test_a_password_read_from_stdin_is_not_printed(cli_database):
    run("db", "upgrade")
    run("org", "create", "ector-isd", "--kind", "district")
    created = CliRunner().invoke(
        cli,
        ["user", "create", "--org", "ector-isd", "--email", "pat@ector.org", "--name", "Pat Kim",
         "--role", "preparer", "--password-stdin"],
        input="a long enough secret phrase\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    assert "a long enough secret phrase" not in created.stdout
    assert len(created.stdout.strip().splitlines()) == 1
    with cli_session() as session:
        pat = people.authenticate_person(
            session, email="pat@ector.org", password="a long enough secret phrase"
        )
        assert pat.role.value == "preparer"
        with pytest.raises(NotAuthenticated):
            people.authenticate_person(session, email="pat@ector.org", password="wrong guess!")


def test_keys_are_made_for_a_named_person_or_a_named_system_and_say_so(cli_database):
    run("db", "upgrade")
    run("org", "create", "ector-isd", "--kind", "district")
    run("org", "create", "other-isd", "--kind", "district")
    run(
        "user", "create", "--org", "ector-isd", "--email", "maria@ector.org",
        "--name", "Maria Lopez", "--role", "approver",
    )  # fmt: skip
    assert run("key", "create", "--org", "ector-isd", "--user", "maria@ector.org").exit_code == 0
    system = run("key", "create", "--org", "ector-isd", "--system", "sis-sync", "--label", "SIS")
    assert system.exit_code == 0
    listed = run("key", "list", "--org", "ector-isd").stdout
    assert "maria@ector.org\tapprover" in listed
    assert "system sis-sync\tpreparer\tSIS" in listed  # a system key is a preparer by default
    neither = run("key", "create", "--org", "ector-isd")
    assert neither.exit_code == 2 and "exactly one" in neither.stderr
    both = run("key", "create", "--org", "ector-isd", "--user", "maria@ector.org", "--system", "x")
    assert both.exit_code == 2
    foreign = run("key", "create", "--org", "other-isd", "--user", "maria@ector.org")
    assert foreign.exit_code == 2 and "No person" in foreign.stderr
    twice = run(
        "user", "create", "--org", "other-isd", "--email", "MARIA@ector.org",
        "--name", "Maria Again", "--role", "viewer",
    )  # fmt: skip
    assert twice.exit_code == 2 and "already exists" in twice.stderr


def test_creating_an_organisation_twice_is_refused(cli_database):
    run("db", "upgrade")
    run("org", "create", "ector-isd", "--kind", "district")
    again = run("org", "create", "ector-isd", "--kind", "district")
    assert again.exit_code == 2
    assert "already exists" in again.stderr


@pytest.mark.skipif(not CONTRACT_FILES, reason="no example contracts yet")
def test_example_contracts_load_as_their_districts_and_can_be_accepted(cli_database):
    run("db", "upgrade")
    for key, kind in [
        ("ector-isd", "district"),
        ("lakeview-usd", "district"),
        ("bright-tutors", "vendor"),
        ("readwell-learning", "vendor"),
        ("mathpath", "vendor"),
        ("tx-state-audit", "auditor"),
    ]:
        assert run("org", "create", key, "--kind", kind).exit_code == 0
    loaded = run("contracts", "load", *map(str, CONTRACT_FILES), "--accept")
    assert loaded.exit_code == 0, loaded.stderr
    assert loaded.stdout.count("created, accepted") == len(CONTRACT_FILES)
    again = run("contracts", "load", *map(str, CONTRACT_FILES))
    assert again.stdout.count("unchanged") == len(CONTRACT_FILES)


def test_a_bad_contract_file_loads_nothing_and_says_why(cli_database, tmp_path):
    run("db", "upgrade")
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: Not A Slug\n")
    result = run("contracts", "load", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr


def test_serve_migrates_then_runs_one_worker_per_core(cli_database, tmp_path, monkeypatch):
    started: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append((app, options)))
    assert run("serve", "--port", "8123").exit_code == 0
    options = {
        "factory": True,
        "host": "127.0.0.1",
        "port": 8123,
        "workers": 4,
        # SIGTERM: requests in flight get this long, then the process exits regardless.
        "timeout_graceful_shutdown": 10,
    }
    assert started == [("app.main:create_served_app", options)]
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert {"contracts", "batches", "statements", "audit_entries"} <= tables


def test_a_served_worker_leaves_what_it_built_at_start_out_of_garbage_collection(tmp_path):
    # In a process of its own: a frozen heap stays frozen, and the test process must not be.
    probe = (
        "import gc; from app.main import create_served_app; app = create_served_app(); "
        "print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    )
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True
    )
    frozen, oldest = map(int, done.stdout.split())
    # The modules, classes and routes of a built app are hundreds of thousands of objects; a
    # full collection no longer walks them (app/main.py `create_served_app`).
    assert frozen > 100_000
    assert oldest < frozen // 100


def test_operator_generates_a_signing_key_and_signs_a_checkpoint(
    cli_database, tmp_path, monkeypatch
):
    assert run("db", "upgrade").exit_code == 0
    refused = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert refused.exit_code == 2
    assert "No signing key is configured" in refused.stderr

    key_path = tmp_path / "signing.pem"
    generated = run("keys", "generate-signing-key", str(key_path))
    assert generated.exit_code == 0
    assert "key id:" in generated.stdout
    monkeypatch.setenv("TRANCHE_SIGNING_KEY_FILE", str(key_path))
    get_settings.cache_clear()
    signed = run("audit", "checkpoint")
    assert signed.exit_code == 0, signed.stderr
    assert "signs the chain head" in signed.stdout

"""The ``tranche`` command line: thin commands that call the same services as the API.

``tranche evaluate`` works offline on files, and a district runs it on a state's data: it
loads only what it needs (the engine and the feeds, not the web application, the database
layer and every other command), so its start-up is not the whole application's import.
``cli`` (every command) is built on first use.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

import typer

HELP = "Tranche: outcome-based contract ledger."


@cache
def full_cli() -> typer.Typer:
    from app.cli import admin, demo, evaluate, people, serve, synth, trust

    cli = typer.Typer(no_args_is_help=True, add_completion=False, help=HELP)
    cli.command("evaluate")(evaluate.evaluate_command)
    cli.command("serve")(serve.serve_command)
    cli.command("demo")(demo.demo_command)
    cli.command("synth")(synth.synth_command)
    cli.add_typer(admin.db, name="db")
    cli.add_typer(admin.org, name="org")
    cli.add_typer(people.user, name="user")
    cli.add_typer(admin.key, name="key")
    cli.add_typer(admin.contracts, name="contracts")
    cli.command("verify-bundle")(trust.verify_bundle_command)
    cli.add_typer(trust.keys, name="keys")
    cli.add_typer(trust.audit, name="audit")
    return cli


def evaluate_cli() -> typer.Typer:
    """``tranche`` with only ``evaluate`` in it: the same command, usage line and errors."""
    from app.cli import evaluate

    cli = typer.Typer(no_args_is_help=True, add_completion=False, help=HELP)
    cli.callback()(_group)  # a group, as in full_cli: `tranche evaluate ...`
    cli.command("evaluate")(evaluate.evaluate_command)
    return cli


def _group() -> None:
    """Tranche: outcome-based contract ledger."""


def __getattr__(name: str) -> Any:
    if name == "cli":
        return full_cli()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["evaluate"]:
        evaluate_cli()(prog_name="tranche")
        return
    full_cli()()

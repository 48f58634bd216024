"""The ``tranche`` command line: thin commands that call the same services as the API."""

from __future__ import annotations

import typer

from app.cli import evaluate

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Tranche: outcome-based contract ledger.")
cli.command("evaluate")(evaluate.evaluate_command)


def main() -> None:
    cli()

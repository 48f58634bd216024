"""`tranche evaluate`: offline evaluation of a contract file against feed files."""

from __future__ import annotations

import typer


def evaluate_command() -> None:  # replaced by the engine work (#2)
    typer.echo("not yet built", err=True)
    raise typer.Exit(2)

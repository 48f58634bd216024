"""The ``tranche`` command line: thin commands that call the same services as the API."""

from __future__ import annotations

import typer

from app.cli import admin, demo, evaluate, people, serve, synth, trust

cli = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Tranche: outcome-based contract ledger."
)
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


def main() -> None:
    cli()

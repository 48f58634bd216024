"""`tranche user …`: the operator creates the people of an organisation."""

from __future__ import annotations

import sys

import typer

from app.cli.context import cli_session
from app.organisations import people
from app.organisations.models import Role

user = typer.Typer(help="People (they sign in to the web app and may hold API keys).")


@user.command("create")
def user_create(
    organisation: str = typer.Option(..., "--org", help="Organisation key."),
    email: str = typer.Option(..., "--email"),
    name: str = typer.Option(..., "--name", help='e.g. "Maria Lopez".'),
    role: Role = typer.Option(..., "--role"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a person. Without --password-stdin a first password is generated and printed
    once; only its Argon2id hash is kept."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    with cli_session() as session:
        person, generated = people.create_person(
            session,
            organisation_key=organisation,
            email=email,
            name=name,
            role=role,
            password=password,
        )
        typer.echo(f"created {person.role.value} {person.display_name} in {organisation}")
        if generated is not None:
            typer.echo(generated)
            typer.echo("(first password: hand it over now, it is not shown again)", err=True)


@user.command("list")
def user_list(organisation: str = typer.Option(..., "--org")) -> None:
    with cli_session() as session:
        for person in people.list_people(session, organisation_key=organisation):
            state = f"disabled {person.disabled_at:%Y-%m-%d}" if person.disabled_at else "active"
            typer.echo(f"{person.email}\t{person.name}\t{person.role.value}\t{state}")


@user.command("disable")
def user_disable(email: str = typer.Argument(...)) -> None:
    """The person can no longer sign in, and their API keys stop working."""
    with cli_session() as session:
        people.disable_person(session, email=email)
        typer.echo(f"disabled {email}")

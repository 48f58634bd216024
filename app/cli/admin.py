"""`tranche db|org|key|contracts …`: the operator's commands."""

from __future__ import annotations

from pathlib import Path

import typer

from app import migrate
from app.cli.context import cli_session
from app.config import get_settings
from app.contracts.service import load_contract_documents
from app.db_roles import app_role_grants
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.principal import OPERATOR

db = typer.Typer(help="Database schema.", no_args_is_help=True)
org = typer.Typer(help="Organisations.", no_args_is_help=True)
key = typer.Typer(help="API keys.", no_args_is_help=True)
contracts = typer.Typer(help="Contract definition files.", no_args_is_help=True)


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Build or upgrade the schema with the Alembic migrations (the only way it is made)."""
    migrate.upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@db.command("grants")
def db_grants(
    role: str = typer.Argument(..., help="The PostgreSQL role the service runs as."),
) -> None:
    """Print the GRANTs for the service's own role (run them as the owner after upgrading)."""
    for statement in app_role_grants(role):
        typer.echo(f"{statement};")


@org.command("create")
def org_create(
    key_: str = typer.Argument(..., metavar="KEY", help="Slug, e.g. ector-isd."),
    kind: OrganisationKind = typer.Option(..., "--kind"),
    name: str | None = typer.Option(None, "--name", help="Display name; defaults to KEY."),
) -> None:
    with cli_session() as session:
        created = organisations.create_organisation(session, key=key_, kind=kind, name=name)
        typer.echo(f"created {created.kind.value} {created.key}")


@org.command("list")
def org_list() -> None:
    with cli_session() as session:
        for organisation in organisations.list_organisations(session):
            typer.echo(f"{organisation.key}\t{organisation.kind.value}\t{organisation.name}")


@key.command("create")
def key_create(
    organisation: str = typer.Option(..., "--org", help="Organisation key."),
    user: str | None = typer.Option(None, "--user", help="The email of the person it acts for."),
    system: str | None = typer.Option(
        None, "--system", help="The name of the system it acts for, e.g. sis-sync."
    ),
    role: Role | None = typer.Option(
        None, "--role", help="A system key's role (default preparer); a person's key has theirs."
    ),
    label: str = typer.Option("", "--label", help="What this key is for."),
) -> None:
    """Print a new API key for a person or a named system. It is shown this once; only its
    hash is kept."""
    with cli_session() as session:
        api_key, secret = organisations.create_api_key(
            session,
            organisation_key=organisation,
            person_email=user,
            system_name=system,
            role=role,
            label=label,
        )
        typer.echo(secret)
        typer.echo(
            f"(key {api_key.prefix} of {organisation} for {user or system}; "
            "store it now, it is not shown again)",
            err=True,
        )


@key.command("list")
def key_list(organisation: str = typer.Option(..., "--org")) -> None:
    with cli_session() as session:
        for api_key in organisations.list_api_keys(session, organisation_key=organisation):
            state = f"revoked {api_key.revoked_at:%Y-%m-%d}" if api_key.revoked_at else "active"
            holder = api_key.person.email if api_key.person else f"system {api_key.system_name}"
            role = api_key.person.role if api_key.person else api_key.role
            typer.echo(
                f"{api_key.prefix}\t{state}\t{api_key.created_at:%Y-%m-%d}\t{holder}\t"
                f"{role.value if role else ''}\t{api_key.label}"
            )


@key.command("revoke")
def key_revoke(
    prefix: str = typer.Argument(..., help="The key's prefix, as `key list` shows."),
) -> None:
    with cli_session() as session:
        organisations.revoke_api_key(session, prefix=prefix)
        typer.echo(f"revoked {prefix}")


@contracts.command("load")
def contracts_load(
    paths: list[Path] = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    accept: bool = typer.Option(
        False, "--accept", help="Also accept each proposal on the vendor's behalf."
    ),
) -> None:
    """Load contract files as proposed by the district each one names (all or none)."""
    documents = [(str(path), path.read_bytes()) for path in paths]
    with cli_session() as session:
        for name, contract, outcome in load_contract_documents(
            session, documents, accept=accept, actor=OPERATOR
        ):
            typer.echo(f"{name}: {contract.key} {outcome}")

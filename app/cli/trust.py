"""`tranche keys …` and `tranche audit …`: the signing key and the chain's checkpoints."""

from __future__ import annotations

from pathlib import Path

import typer

from app.audit.signing import SigningKeyError, generate_signing_key, public_key_text
from app.bundles.check import check_bundle
from app.cli.context import cli_session
from app.principal import OPERATOR
from app.unit_of_work import UnitOfWork

keys = typer.Typer(help="The key that signs the audit chain.", no_args_is_help=True)
audit = typer.Typer(help="The audit log's signed checkpoints.", no_args_is_help=True)


@keys.command("generate-signing-key")
def generate_signing_key_command(
    path: Path = typer.Argument(..., help="Where the private key goes (PATH.pub: public key)."),
) -> None:
    """Create an Ed25519 key pair. Keep the private key outside the database and point
    TRANCHE_SIGNING_KEY_FILE at it; give the public key to auditors."""
    try:
        signer = generate_signing_key(path)
    except SigningKeyError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(f"private key: {path} (owner-only)")
    typer.echo(f"public key:  {path}.pub  {public_key_text(signer.public)}")
    typer.echo(f"key id:      {signer.key_id}")


@audit.command("checkpoint")
def checkpoint_command() -> None:
    """Sign the chain head now (run it daily from cron; the service also signs on the first
    change of each UTC day and at every statement approval)."""
    with cli_session() as session:
        try:
            with UnitOfWork(session, actor=OPERATOR) as uow:
                entry = uow.checkpoint(reason="scheduled")
                uow.commit()
        except SigningKeyError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    assert entry is not None  # required: refused above when there is no key
    typer.echo(f"checkpoint {entry.id} signs the chain head at entry {entry.object_id}")


def verify_bundle_command(
    bundle: Path = typer.Argument(..., metavar="FILE.zip", help="An audit bundle."),
    public_key: Path | None = typer.Option(
        None,
        "--public-key",
        help="The service's public key (file, base64 or PEM) to trust instead of the bundle's.",
    ),
) -> None:
    """Check an audit bundle offline: signatures, hashes, and every statement and the
    evaluation recomputed with the engine. Exit 0 if it holds, 1 if not."""
    try:
        content = bundle.read_bytes()
        pinned = public_key.read_text(encoding="ascii") if public_key else None
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    report = check_bundle(content, public_key=pinned)
    for note in report.notes:
        typer.echo(f"  {note}")
    for failure in report.failures:
        typer.echo(f"FAIL {failure}")
    typer.echo(
        "bundle verified"
        if report.ok
        else f"bundle NOT verified: {len(report.failures)} problem(s)"
    )
    if not report.ok:
        raise typer.Exit(1)

"""`tranche demo`: a ready demo database, its keys printed, then the service on port 8000."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from app import migrate
from app.audit.signing import generate_signing_key
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.demo import build_demo
from app.main import create_app
from app.migrate import PROJECT_ROOT


def demo_command(
    database: Path = typer.Option(
        Path("tranche-demo.db"), help="The demo's own SQLite file (rebuilt)."
    ),
    students: int | None = typer.Option(
        None, min=10, help="Students per synthetic district (default: each contract's own)."
    ),
    usage_per_student: float | None = typer.Option(
        None, help="Usage rows per student, on average (default: each contract's own)."
    ),
    seed: int = typer.Option(2026),
    keys_file: Path = typer.Option(Path("demo-keys.txt"), help="Where the keys are written too."),
    sign_ins_file: Path = typer.Option(
        Path("demo-sign-ins.txt"), help="Where the people's emails and passwords are written too."
    ),
    signing_key: Path = typer.Option(
        Path("demo-signing-key.pem"), help="The demo's own audit signing key (rebuilt)."
    ),
    serve: bool = typer.Option(True, help="Serve once built."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    # The demo database is the demo's alone, so rebuilding it loses nothing of anyone's.
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    for leftover in (signing_key, Path(f"{signing_key}.pub")):
        leftover.unlink(missing_ok=True)
    signer = generate_signing_key(signing_key)
    settings = Settings(
        database_url=f"sqlite:///{database.resolve()}", signing_key_file=signing_key.resolve()
    )
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    contract_files = sorted((PROJECT_ROOT / "contracts").glob("*.yaml"))
    typer.echo(f"building the demo in {database}…")
    with make_session_factory(engine)() as session:
        summary = build_demo(
            session,
            contract_files=contract_files,
            students=students,
            usage_per_student=usage_per_student,
            seed=seed,
        )
    engine.dispose()
    for contract, rows in summary.contracts.items():
        typer.echo(f"  {contract}: " + ", ".join(f"{n:,} {feed} rows" for feed, n in rows.items()))
    typer.echo(f"\nSign in at http://{host}:{port}/app as (email, password):")
    for person in summary.sign_ins:
        typer.echo(
            f"  {person.organisation:<20} {person.role.value:<9} {person.email:<34} {person.password}"
        )
    typer.echo("\nAPI keys (Authorization: Bearer <key>):")
    for organisation, secret in summary.keys.items():
        typer.echo(f"  {organisation:<20} {secret}")
    keys_file.write_text("".join(f"{org}\t{secret}\n" for org, secret in summary.keys.items()))
    sign_ins_file.write_text(
        "".join(
            f"{p.organisation}\t{p.role.value}\t{p.email}\t{p.password}\n" for p in summary.sign_ins
        )
    )
    typer.echo(f"(also in {sign_ins_file} and {keys_file})")
    typer.echo(
        f"\naudit signing key: {signing_key} (public key {signing_key}.pub, id {signer.key_id})"
    )
    if serve:
        typer.echo(f"\nserving on http://{host}:{port}/app  (API: /v1, OpenAPI: /docs)")
        uvicorn.run(create_app(settings), host=host, port=port)

"""The organisations, keys and contracts a benchmark database starts with, made through the
same services as `tranche demo` (app/demo.py), and posting feed files over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
from evaluate import CONTRACT  # bench/evaluate.py: every measure, metric and tranche kind
from harness import check, timed

from app import migrate
from app.config import Settings
from app.contracts.service import load_contract_documents
from app.db import make_engine, make_session_factory
from app.organisations import service as organisations
from app.organisations.models import OrganisationKind, Role
from app.principal import OPERATOR

DISTRICT, VENDOR, AUDITOR = "ector-isd", "bright-tutors", "bench-audit"
KINDS = {
    DISTRICT: OrganisationKind.district,
    VENDOR: OrganisationKind.vendor,
    AUDITOR: OrganisationKind.auditor,
}
POSTERS = {"roster": DISTRICT, "assessments": DISTRICT, "usage": VENDOR}


def contract_document(key: str) -> bytes:
    """The engine benchmark's contract under its own key, with an auditor granted."""
    text = CONTRACT.replace("key: bench-every-kind", f"key: {key}", 1)
    if f"key: {key}" not in text or "auditors:" in text:
        raise RuntimeError("bench/evaluate.py's CONTRACT changed shape; update bench/world.py")
    return (text + f"auditors: [{AUDITOR}]\n").encode()


def prepare(database_url: str, contract_keys: list[str]) -> dict[str, dict[str, str]]:
    """Migrate an empty database, create the parties and their keys, load and accept the
    contracts; returns the Authorization header of each organisation."""
    url = Settings(database_url=database_url).database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    headers = {}
    try:
        with make_session_factory(engine)() as session:
            for key, kind in KINDS.items():
                organisations.create_organisation(session, key=key, kind=kind)
                _, secret = organisations.create_api_key(
                    session, organisation_key=key, system_name="bench", role=Role.approver
                )
                headers[key] = {"Authorization": f"Bearer {secret}"}
            # Approvals come from another system than the one that drafts (SPEC §3).
            for key, kind in KINDS.items():
                if kind == OrganisationKind.district:
                    _, secret = organisations.create_api_key(
                        session,
                        organisation_key=key,
                        system_name="bench-approver",
                        role=Role.approver,
                    )
                    headers[f"{key}:approver"] = {"Authorization": f"Bearer {secret}"}
            documents = [(f"{key}.yaml", contract_document(key)) for key in contract_keys]
            load_contract_documents(session, documents, accept=True, actor=OPERATOR)
    finally:
        engine.dispose()
    return headers


def post_feed(
    client: httpx.Client, headers: dict[str, dict[str, str]], key: str, feed: str, path: Path
) -> tuple[float, dict[str, object]]:
    """POST one feed file as text/csv; the seconds it took and the batch."""
    content = path.read_bytes()
    request_headers = {**headers[POSTERS[feed]], "Content-Type": "text/csv"}
    seconds, response = timed(
        lambda: client.post(f"/v1/contracts/{key}/{feed}", content=content, headers=request_headers)
    )
    batch: dict[str, object] = check(response).json()
    return seconds, batch

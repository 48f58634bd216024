"""Every example contract under contracts/ evaluates the same over HTTP as with
`tranche evaluate` on its example files (SPEC §1: one JSON for both)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.engine import load_definition
from app.organisations.models import OrganisationKind

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
EXAMPLES = sorted(
    path for path in CONTRACTS.glob("*.yaml") if (CONTRACTS / "examples" / path.stem).is_dir()
)
FEEDS = ("roster", "assessments", "usage")
AS_OF_DATES = ("2026-10-01", "2027-01-31", "2027-06-30", "2027-07-31")


def offline(contract: Path, as_of: str) -> dict:  # type: ignore[type-arg]
    folder = CONTRACTS / "examples" / contract.stem
    arguments = [arg for feed in FEEDS for arg in (f"--{feed}", str(folder / f"{feed}.csv"))]
    result = CliRunner().invoke(cli, ["evaluate", str(contract), *arguments, "--as-of", as_of])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(not EXAMPLES, reason="no example contracts with data in contracts/")
@pytest.mark.parametrize("contract", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_evaluates_the_same_over_http_and_offline(client, world, contract):
    definition = load_definition(contract.read_text())
    for key, kind in (
        (definition.district, OrganisationKind.district),
        (definition.vendor, OrganisationKind.vendor),
    ):
        if key not in world.headers:
            world.add(key, kind)
    district, vendor = world.headers[definition.district], world.headers[definition.vendor]
    created = client.post("/v1/contracts", json=definition.to_document(), headers=district)
    assert created.status_code == 201, created.text
    assert client.post(f"/v1/contracts/{definition.key}/accept", headers=vendor).status_code == 200
    folder = CONTRACTS / "examples" / contract.stem
    for feed in FEEDS:
        poster = vendor if feed == "usage" else district
        response = client.post(
            f"/v1/contracts/{definition.key}/{feed}",
            files={"file": (f"{feed}.csv", (folder / f"{feed}.csv").read_bytes(), "text/csv")},
            headers=poster,
        )
        assert response.status_code == 201, response.text

    for as_of in AS_OF_DATES:
        response = client.get(
            f"/v1/contracts/{definition.key}/evaluation", params={"as_of": as_of}, headers=district
        )
        assert response.status_code == 200, response.text
        assert response.json() == offline(contract, as_of)

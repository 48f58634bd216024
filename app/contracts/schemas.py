"""What the contracts API sends back."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from app.contracts.definitions import stored_definition
from app.contracts.models import Contract, ContractVersion, VersionStatus


class ContractVersionOut(BaseModel):
    version: int
    status: VersionStatus
    title: str
    proposed_at: datetime
    accepted_at: datetime | None
    effective: date | None = Field(
        description="In force from this date (SPEC §1): as proposed, else the day accepted."
    )
    definition: dict[str, Any] = Field(description="The definition exactly as agreed (SPEC §1).")


class ContractOut(BaseModel):
    key: str
    title: str
    district: str
    vendor: str
    status: str = Field(description="`active` once a version is in force, else `proposed`.")
    version_in_force: int | None
    latest_version: int
    auditors: list[str]
    versions: list[ContractVersionOut]


class ContractSummary(BaseModel):
    key: str
    title: str
    district: str
    vendor: str
    status: str
    version_in_force: int | None
    latest_version: int


class AcceptRequest(BaseModel):
    version: int | None = Field(
        default=None,
        description="The version the vendor reviewed; refused if no longer the latest.",
    )


def _version_out(version: ContractVersion) -> ContractVersionOut:
    return ContractVersionOut(
        version=version.version,
        status=version.status,
        title=version.title,
        proposed_at=version.proposed_at,
        accepted_at=version.accepted_at,
        effective=version.effective,
        definition=json.loads(version.definition_json),
    )


def contract_summary(contract: Contract) -> ContractSummary:
    in_force = contract.version_in_force
    return ContractSummary(
        key=contract.key,
        title=contract.governing_version.title,
        district=contract.district.key,
        vendor=contract.vendor.key,
        status=contract.status,
        version_in_force=in_force.version if in_force else None,
        latest_version=contract.latest_version.version,
    )


@lru_cache(maxsize=1024)
def auditor_keys(definition_json: str) -> tuple[str, ...]:
    """A stored definition's auditors. Kept by the definition's text, which never changes for
    a version: checking the whole definition again (~1 ms) on every first read of a contract
    is what this saves."""
    return tuple(stored_definition(definition_json).auditor_keys)


def contract_out(contract: Contract) -> ContractOut:
    summary = contract_summary(contract)
    return ContractOut(
        **summary.model_dump(),
        auditors=list(auditor_keys(contract.governing_version.definition_json)),
        versions=[_version_out(v) for v in contract.versions],
    )

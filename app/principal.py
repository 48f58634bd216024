"""Who is acting: an organisation, through one of its API keys (or the operator's CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from app.organisations.models import OrganisationKind


@dataclass(frozen=True)
class Actor:
    """Anyone whose change goes in the audit log. The CLI acts with no key."""

    organisation_id: int | None
    api_key_id: int | None


@dataclass(frozen=True)
class Principal(Actor):
    """An authenticated API caller."""

    organisation_id: int
    api_key_id: int
    organisation_key: str
    kind: OrganisationKind

    def is_kind(self, *kinds: OrganisationKind) -> bool:
        return self.kind in kinds


OPERATOR = Actor(organisation_id=None, api_key_id=None)

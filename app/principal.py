"""Who is acting: a named person or a named system of an organisation, through an API key or
a web session (or the operator's CLI, which acts as nobody's key)."""

from __future__ import annotations

from dataclasses import dataclass

from app.organisations.models import OrganisationKind, Role


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Anyone whose change goes in the audit log. The CLI acts as the operator, with no key."""

    organisation_id: int | None
    api_key_id: int | None
    person_id: int | None = None
    system_name: str | None = None
    name: str = "operator"  # shown in the audit log: "Maria Lopez <maria@ector.org>"
    role: Role | None = None

    @property
    def identity(self) -> str:
        """One string per person or system, whatever key or session it uses: the rule that
        the approver is not the drafter compares these."""
        if self.person_id is not None:
            return f"person:{self.person_id}"
        if self.system_name is not None:
            return f"system:{self.organisation_id}:{self.system_name}"
        return "operator"


@dataclass(frozen=True, kw_only=True)
class Principal(Actor):
    """An authenticated caller: a person or a system of one organisation, with its role."""

    organisation_id: int
    organisation_key: str
    kind: OrganisationKind
    role: Role

    def is_kind(self, *kinds: OrganisationKind) -> bool:
        return self.kind in kinds

    def has_role(self, role: Role) -> bool:
        return self.role.rank >= role.rank


OPERATOR = Actor(organisation_id=None, api_key_id=None)


def system_display_name(system_name: str) -> str:
    return f"system {system_name}"

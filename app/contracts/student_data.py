"""Who sees which student data (SPEC §3). The one place that decides it.

Districts see everything of their contracts. Vendors and auditors see aggregates and, per
student, only what the contract pays on: `student_id`, grade, the measures, the excused,
eligible and counted flags. They never see roster flags (`ell`, `sped`, `econ_disadv`) or raw
assessment rows, because joined to a student's growth those flags are exactly what small-group
suppression hides. A vendor reads back the rows of the batches it posted itself; an auditor
the contract grants `raw: true` sees what the district sees.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from app.contracts.definitions import stored_definition
from app.contracts.models import Contract
from app.errors import Forbidden
from app.organisations.models import OrganisationKind
from app.principal import Principal

ROSTER_FLAGS = ("ell", "sped", "econ_disadv")
# The per-student columns everyone who may read a contract sees, besides the measures and
# the metric flags (`<metric>.base`, `.counted`, `.met`).
PER_STUDENT_COLUMNS = ("student_id", "grade", "excused", "eligible")


class StudentView(enum.StrEnum):
    full = "full"  # every column and every raw row (the district, raw-granted auditors)
    aggregate = "aggregate"  # aggregates and the per-student columns above


def student_view(contract: Contract, principal: Principal) -> StudentView:
    """The view of `contract`'s student data its reader gets (access already checked)."""
    if principal.kind == OrganisationKind.district:
        return StudentView.full
    if principal.kind == OrganisationKind.auditor:
        definition = stored_definition(contract.governing_version.definition_json)
        if principal.organisation_key in definition.raw_auditor_keys:
            return StudentView.full
    return StudentView.aggregate


def hidden_batch_columns(
    contract: Contract, principal: Principal, *, feed: str, posted_by: int
) -> tuple[str, ...]:
    """The columns of a batch's rows withheld from this reader; refuses (Forbidden) a reader
    who may not read the batch's rows at all."""
    if student_view(contract, principal) == StudentView.full or posted_by == (
        principal.organisation_id
    ):
        return ()
    if principal.kind == OrganisationKind.vendor:
        raise Forbidden(
            "Vendors read back only the rows of batches they posted; this "
            f"{feed} batch was posted by the district."
        )
    if feed == "assessments":
        raise Forbidden(
            "Raw assessment rows are for the district and for auditors the contract grants "
            "raw access (`auditors: [{org: ..., raw: true}]`); the evaluation's per-student "
            "measures are available to you."
        )
    return ROSTER_FLAGS if feed == "roster" else ()


def per_student_columns(
    columns: Iterable[str], *, measures: Iterable[str], metrics: Iterable[str]
) -> list[str]:
    """Of an evaluation's per-student columns, those an aggregate reader sees (an allow-list,
    so a column added to the audit detail later stays hidden until someone decides)."""
    allowed = set(PER_STUDENT_COLUMNS) | set(measures)
    prefixes = tuple(f"{name}." for name in metrics)
    return [name for name in columns if name in allowed or name.startswith(prefixes)]

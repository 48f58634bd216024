"""The district's obligations (SPEC §1, Accountability and obligations): the status of each
from both parties' records, and what a due one does to the tranches it covers.

Either party records ``met`` or ``missed``; the latest record of each party counts (latest by
``recorded_at``; equal times: the larger ``sequence``, i.e. the later record). An obligation is
**missed** if the district's latest says missed; **met** if the district's says met and the
vendor's does not say missed; **disputed** if the vendor's says missed and the district's does
not; **unknown** otherwise (no records, or only the vendor saying met).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from app.engine.definition import Definition, Obligation

Party = Literal["district", "vendor"]
RecordStatus = Literal["met", "missed"]
ObligationStatus = Literal["met", "missed", "disputed", "unknown"]


@dataclass(frozen=True)
class ObligationRecord:
    """One party's statement about one obligation. ``sequence`` orders records made at the
    same ``recorded_at`` (larger = later), e.g. their row id."""

    obligation: str
    party: Party
    status: RecordStatus
    recorded_at: datetime
    sequence: int


def latest_by_party(key: str, records: Sequence[ObligationRecord]) -> dict[Party, ObligationRecord]:
    """The latest record of each party about obligation ``key``."""
    latest: dict[Party, ObligationRecord] = {}
    for record in records:
        if record.obligation != key:
            continue
        current = latest.get(record.party)
        if current is None or (record.recorded_at, record.sequence) > (
            current.recorded_at,
            current.sequence,
        ):
            latest[record.party] = record
    return latest


def obligation_status(key: str, records: Sequence[ObligationRecord]) -> ObligationStatus:
    latest = latest_by_party(key, records)
    district = latest["district"].status if "district" in latest else None
    vendor = latest["vendor"].status if "vendor" in latest else None
    if district == "missed":
        return "missed"
    if district == "met":
        return "disputed" if vendor == "missed" else "met"
    return "disputed" if vendor == "missed" else "unknown"


def obligation_statuses(
    definition: Definition, records: Sequence[ObligationRecord]
) -> dict[str, ObligationStatus]:
    """Every obligation of the definition with its status now (records for keys the
    definition does not have are ignored)."""
    return {item.key: obligation_status(item.key, records) for item in definition.obligations}


@dataclass(frozen=True)
class Covering:
    """What the due obligations covering one tranche decide: ``missed`` (paid in full) or
    ``unsettled`` (disputed/unknown: indeterminate); the obligations that decide it."""

    effect: Literal["missed", "unsettled"]
    obligations: tuple[Obligation, ...]
    statuses: tuple[ObligationStatus, ...]


def covering(
    definition: Definition,
    tranche_key: str,
    statuses: dict[str, ObligationStatus],
    as_of: date,
) -> Covering | None:
    """The effect of the obligations covering ``tranche_key`` that are due on ``as_of``: a
    missed one outranks disputed or unknown ones; met ones and ones not yet due do nothing."""
    due = [
        item for item in definition.obligations if tranche_key in item.covers and as_of >= item.due
    ]
    missed = [item for item in due if statuses[item.key] == "missed"]
    if missed:
        return Covering("missed", tuple(missed), tuple("missed" for _ in missed))
    open_ = [item for item in due if statuses[item.key] in ("disputed", "unknown")]
    if open_:
        return Covering("unsettled", tuple(open_), tuple(statuses[item.key] for item in open_))
    return None

"""The students on a contract's roster now, as every other feed's batch is checked against.

At 1M students, reading them took 1.9 s and building their lookup arrays 0.5 s: for each
batch, however small (a vendor's 1,000 rows for a day took 9 s to store, bench/RESULTS.md).
A batch's rows never change, so the same accepted roster batches are the same roster: it is
kept per process, by the batches' public ids (never reused, unlike a row id after a
rollback), and read again only when a roster batch is accepted or superseded.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.contracts.models import Contract
from app.evaluation.cache import EvaluationCache
from app.feeds.roster_codes import RosterCodes
from app.ingestion import repository


@dataclass(frozen=True)
class Roster:
    """The contract's roster as of a moment: its accepted batches (public ids, in posting
    order) and their students."""

    batches: tuple[str, ...]
    student_ids: AbstractSet[str]


# A few contracts' rosters, least recently used out first; 1M students hold ~150 MB.
ROSTERS: EvaluationCache[Roster] = EvaluationCache(max_students=2_000_000, max_entries=4)


def effective_roster(session: Session, contract: Contract, known: Roster | None = None) -> Roster:
    """The students on the contract's roster now: on any accepted roster batch. When the
    accepted roster batches are those of ``known`` (or of a roster kept in the process),
    that is the roster now, returned as is."""
    accepted = repository.accepted_batch_refs(session, contract, "roster")
    batches = tuple(public_id for _, public_id in accepted)
    if known is not None and known.batches == batches:
        return known
    key = " ".join(batches)
    kept = ROSTERS.get(key)
    if kept is not None:
        return kept
    ids = repository.roster_student_ids(session, [batch_id for batch_id, _ in accepted])
    return ROSTERS.put(key, Roster(batches, RosterCodes(ids)), students=len(ids))

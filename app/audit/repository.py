"""Queries over the audit log. Read-only: entries are only ever appended by `service.record`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from app.audit.checkpoints import CHECKPOINT_ACTION
from app.audit.models import AuditChainHead, AuditEntry
from app.contracts.models import Contract
from app.organisations.models import Organisation


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a caller may see and asked for. `contract_keys` is the caller's visible
    contracts; `own_organisation_id` adds the caller's own actions (districts only)."""

    contract_keys: Sequence[str]
    own_organisation_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _visible(entry_filter: EntryFilter) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if entry_filter.contract_keys:
        clauses.append(AuditEntry.contract_key.in_(list(entry_filter.contract_keys)))
    if entry_filter.own_organisation_id is not None:
        clauses.append(AuditEntry.organisation_id == entry_filter.own_organisation_id)
    return or_(*clauses) if clauses else false()


def entries_page(
    session: Session, entry_filter: EntryFilter, *, after_id: int, limit: int
) -> Sequence[AuditEntry]:
    """Up to `limit` entries with id > `after_id`, in chain order. Ids grow in commit order
    (writers hold the chain head's lock from insert to commit), so paging on id never skips an
    entry committed while a client pages."""
    query = select(AuditEntry).where(_visible(entry_filter), AuditEntry.id > after_id)
    if entry_filter.action is not None:
        query = query.where(AuditEntry.action == entry_filter.action)
    if entry_filter.since is not None:
        query = query.where(AuditEntry.recorded_at >= entry_filter.since)
    if entry_filter.until is not None:
        query = query.where(AuditEntry.recorded_at < entry_filter.until)
    return session.execute(query.order_by(AuditEntry.id).limit(limit)).scalars().all()


def contract_keys_of_district(session: Session, organisation_id: int) -> list[str]:
    return list(
        session.execute(select(Contract.key).where(Contract.district_id == organisation_id))
        .scalars()
        .all()
    )


def organisation_keys(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.key).where(Organisation.id.in_(ids))
    ).all()
    return {row.id: row.key for row in rows}


def all_entries_in_chain_order(session: Session, *, chunk: int = 1000) -> Iterator[AuditEntry]:
    """Every entry, oldest first, read in chunks so a long log never sits in memory at once."""
    after_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > after_id)
                .order_by(AuditEntry.id)
                .limit(chunk)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        after_id = rows[-1].id


def chain_head(session: Session) -> AuditChainHead:
    # The single head row seeded by the first migration (`service.HEAD_ROW_ID`).
    return session.execute(select(AuditChainHead).where(AuditChainHead.id == 1)).scalar_one()


def contract_entries(session: Session, contract_key: str) -> Sequence[AuditEntry]:
    """A contract's entries, plus every checkpoint of the chain from its first entry on (the
    checkpoints of the whole chain name no contract and carry only hashes and signatures)."""
    first = session.execute(
        select(AuditEntry.id)
        .where(AuditEntry.contract_key == contract_key)
        .order_by(AuditEntry.id)
        .limit(1)
    ).scalar_one_or_none()
    if first is None:
        return []
    global_checkpoint = (AuditEntry.action == CHECKPOINT_ACTION) & AuditEntry.contract_key.is_(None)
    query = select(AuditEntry).where(
        AuditEntry.id >= first, or_(AuditEntry.contract_key == contract_key, global_checkpoint)
    )
    return session.execute(query.order_by(AuditEntry.id)).scalars().all()

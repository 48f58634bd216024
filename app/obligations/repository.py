"""Queries about obligation records. Adds and flushes; never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.obligations.models import ObligationParty, ObligationStatus, ObligationStatusRecord


def add(session: Session, record: ObligationStatusRecord) -> None:
    session.add(record)
    session.flush()


def records_of_contract(
    session: Session, contract_id: int, *, recorded_until: datetime | None = None
) -> Sequence[ObligationStatusRecord]:
    """Every record of the contract in recording order (row id), optionally only those
    recorded at or before ``recorded_until``."""
    query = (
        select(ObligationStatusRecord)
        .where(ObligationStatusRecord.contract_id == contract_id)
        .options(selectinload(ObligationStatusRecord.contract))
        .order_by(ObligationStatusRecord.id)
    )
    if recorded_until is not None:
        query = query.where(ObligationStatusRecord.recorded_at <= recorded_until)
    return session.execute(query).scalars().all()


def record_facts(
    session: Session, contract_id: int, *, recorded_until: datetime | None = None
) -> Sequence[tuple[int, str, ObligationParty, ObligationStatus, datetime]]:
    """(id, obligation, party, status, recorded_at) of every record of the contract, in
    recording order: what an evaluation reads, without the notes and who recorded them."""
    table = ObligationStatusRecord
    query = (
        select(table.id, table.obligation, table.party, table.status, table.recorded_at)
        .where(table.contract_id == contract_id)
        .order_by(table.id)
    )
    if recorded_until is not None:
        query = query.where(table.recorded_at <= recorded_until)
    return [tuple(row) for row in session.execute(query).all()]  # type: ignore[misc]

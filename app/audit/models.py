"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime


class AuditEntry(Base):
    """One change. `entry_hash` = SHA-256 over the entry's canonical form and `previous_hash`,
    so altering or removing any row breaks every later link."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Who acted (hash version 2 on): the person, or the named system, and the role they had.
    # No foreign key on purpose: the entry is its own record of who acted, not a pointer.
    person_id: Mapped[int | None] = mapped_column(Integer)
    system_name: Mapped[str | None] = mapped_column(String(100))
    actor_name: Mapped[str | None] = mapped_column(String(300))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    contract_key: Mapped[str | None] = mapped_column(String(64), index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Which fields `entry_hash` covers (app/audit/chain.py): 1 for entries written before
    # entries named their actor, 2 since. Kept so older entries still verify as written.
    hash_version: Mapped[int] = mapped_column(Integer, server_default="1")


class AuditChainHead(Base):
    """A single row holding the newest hash. Writers lock it (SELECT … FOR UPDATE), so two
    concurrent transactions can never both chain onto the same predecessor."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_entry_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))

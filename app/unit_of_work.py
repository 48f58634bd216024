"""One unit of work for every change to the ledger.

The ledger's invariants hold only if every change (1) appends its audit entries to the hash
chain in the same transaction and (2) commits exactly once. Both read caches key on the chain
head (app/read_cache/ledger.py, app/evaluation/cache.py), so a change committed without an
entry would be invisible to them. Rather than trust each use case to remember, every write
goes through this class and no other module may commit (tests/foundation/test_unit_of_work.py
scans for it):

    with UnitOfWork(session, actor=principal) as uow:
        ...                       # add, flush, lock rows
        uow.record(action="statement.approved", object_type="statement", object_id=s.id)
        uow.commit()

A commit without an audit entry is refused; leaving the block without committing (an
exception, or a use case that found nothing to change) rolls everything back.

The unit owns the transaction's mode: a request's session starts as a reader, and entering a
unit begins its write (`app.db.begin_writing`: on SQLite the write lock, taken only now, after
the request's body was parsed and checked). A use case that must check rows under that lock
before deciding enters the unit first, or takes a row lock (`lock_contract`), which begins
the write the same way.

A read that must leave a trace without changing the ledger (who pulled which report) is
`record_access`: the row goes to an append-only access log in the unit's own short
transaction, with no audit entry, so the chain head, and with it every read cache, stays put.

Signed checkpoints (app/audit/checkpoints.py) ride on the same unit: `uow.checkpoint(...)`
signs the head including this unit's entries (statement approvals call it), and the first
change of a new UTC day first signs the head the previous day left. The signing key comes
with the session (`session.info`, set where sessions are made); without one, the daily
checkpoint is skipped and `checkpoint()` refuses (so does an approval, before it changes
anything: app/statements/review.py).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from app.audit.checkpoints import append_checkpoint, due_today
from app.audit.models import AuditEntry
from app.audit.writer import append_entry
from app.db import Base, begin_writing
from app.principal import OPERATOR, Actor


class UnrecordedChange(RuntimeError):
    """A programming error: a unit of work tried to commit without an audit entry."""


class UnitOfWork:
    def __init__(self, session: Session, *, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.entries: list[AuditEntry] = []
        self.accesses: list[Base] = []
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        begin_writing(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.session.rollback()

    def record(
        self,
        *,
        action: str,
        object_type: str,
        object_id: str | int,
        contract_key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an audit entry for a change of this unit, acting as its actor."""
        if not self.entries and due_today(self.session):
            # The service's own act, not the caller's: it names no organisation, so it can go
            # into any contract's audit bundle.
            self.entries.append(append_checkpoint(self.session, actor=OPERATOR, reason="daily"))
        entry = append_entry(
            self.session,
            actor=self.actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            contract_key=contract_key,
            details=details,
        )
        self.entries.append(entry)
        return entry

    def record_access(self, row: Base) -> None:
        """Append a row to an append-only access log (e.g. `ReportRead`): a read worth
        keeping, which changes nothing in the ledger and so appends no audit entry."""
        self.session.add(row)
        self.session.flush()
        self.accesses.append(row)

    def checkpoint(
        self,
        *,
        reason: str,
        contract_key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Sign the chain head including this unit's entries so far, as an entry of its own.
        With no signing key configured: refuses (SigningKeyError)."""
        entry = append_checkpoint(
            self.session,
            actor=self.actor,
            reason=reason,
            contract_key=contract_key,
            details=details,
        )
        self.entries.append(entry)
        return entry

    def commit(self) -> None:
        if self._committed:
            raise UnrecordedChange("this unit of work has already committed")
        if not self.entries and not self.accesses:
            raise UnrecordedChange("a change must record at least one audit entry")
        self.session.commit()
        self._committed = True

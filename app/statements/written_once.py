"""A statement's lines and input batches, read from the database once per worker process.

They are written with the draft, in its transaction, and never change: `statement_lines` and
`statement_batches` are append-only for the service's role (app/db_roles.py), and triggers
refuse any change to an approved statement's. Nor does the checkpoint signed when a statement
was approved (the audit log is append-only). So a worker that has read them once answers
later reads of the statement from memory and asks the database only for what can still move
(its status, payments and disputes): four queries fewer per read. Statement ids are random
UUIDs, never reused, so an entry can only ever describe its own statement.

Used from worker threads (app/deps.py `in_session`), hence the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.checkpoints import Checkpoint
from app.statements.drafting import LineDraft, drafted_fields
from app.statements.models import Statement, StatementBatch, StatementLine, StatementStatus

MAX_STATEMENTS = 4096
T = TypeVar("T")


@dataclass(frozen=True)
class Line(LineDraft):
    """A stored line: the drafted fields and its id."""

    id: int


@dataclass(frozen=True)
class InputBatch:
    batch_id: str
    feed: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class WrittenOnce:
    lines: tuple[Line, ...]
    batches: tuple[InputBatch, ...]


class _Kept(Generic[T]):
    """At most `size` values by statement id, least recently used out first."""

    def __init__(self, size: int = MAX_STATEMENTS):
        self._size = size
        self._values: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, statement_id: str, read: Callable[[], T | None]) -> T | None:
        with self._lock:
            if statement_id in self._values:
                self._values.move_to_end(statement_id)
                return self._values[statement_id]
        value = read()  # outside the lock: two threads may both read it, and agree
        if value is not None:
            with self._lock:
                self._values[statement_id] = value
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
        return value


_PARTS: _Kept[WrittenOnce] = _Kept()
_CHECKPOINTS: _Kept[tuple[Checkpoint | None]] = _Kept()


def parts_of(session: Session, statement: Statement) -> WrittenOnce:
    parts = _PARTS.get(statement.id, lambda: _read_parts(session, statement.id))
    assert parts is not None  # _read_parts always answers
    return parts


def approval_checkpoint_of(
    statement: Statement, read: Callable[[], Checkpoint | None]
) -> Checkpoint | None:
    """`read()`'s checkpoint of an approved statement, kept: it is written in the approval's
    own transaction (app/statements/review.py), so once the approval is seen the answer —
    a checkpoint, or none when no signing key was configured — is final."""
    if statement.status != StatementStatus.approved:
        return None
    kept = _CHECKPOINTS.get(statement.id, lambda: (read(),))
    return kept[0] if kept else None


def _read_parts(session: Session, statement_id: str) -> WrittenOnce:
    lines = session.scalars(
        select(StatementLine)
        .where(StatementLine.statement_id == statement_id)
        .order_by(StatementLine.position)
    )
    batches = session.scalars(
        select(StatementBatch)
        .where(StatementBatch.statement_id == statement_id)
        .order_by(StatementBatch.position)
    )
    return WrittenOnce(
        lines=tuple(Line(id=line.id, **drafted_fields(line)) for line in lines),
        batches=tuple(
            InputBatch(batch_id=b.batch_id, feed=b.feed, sha256=b.sha256, rows=b.rows)
            for b in batches
        ),
    )

"""Latest value wins (SPEC §2), kept in the ``current`` flag of every stored row.

For each natural key of a contract's feed, exactly the row of the latest accepted batch that
has the key is current. Maintained set-based, in SQL, inside the transaction that stores a
batch (under the contract's lock, so two batches of one contract never interleave):

* a new batch's rows arrive current, and the rows of older batches with the same keys stop
  being current;
* a replacement also withdraws every row of the replaced batch, and each of its keys that
  the new batch does not have falls back to the latest other accepted batch that has it.

The per-student totals of the summed feeds (app/ingestion/totals.py) move with every flag
that changes, in the same transaction: by the statements that change flags in SQL, and by
one upsert for the rows in memory (the new batch's, and on PostgreSQL those it restates).

The same rule over any set of batches (a statement's, to verify it after later batches) is
:func:`latest_of`, computed at read time; for the accepted batches both agree (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    exists,
    func,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.ingestion import totals
from app.ingestion.models import ROW_TABLES
from app.ingestion.overlap import Overlap, unflag_restated
from app.ingestion.totals import Span


def natural_key(feed: FeedName, table: Table | Any) -> list[ColumnElement[Any]]:
    """The key columns of ``table`` (or an alias of it) as comparable expressions: a blank
    optional part (no ``session_id``) compares equal to another blank one."""
    schema = FEED_SCHEMAS[feed]
    return [
        func.coalesce(table.c[name], literal_column("''"))
        if schema.column(name).nullable
        else table.c[name]
        for name in schema.key
    ]


def _keys_of(feed: FeedName, table: Table, batch_id: int) -> Any:
    return select(*natural_key(feed, table)).where(table.c.batch_id == batch_id)


def _key(feed: FeedName, table: Table) -> Any:
    return tuple_(*natural_key(feed, table))


def restated_by(session: Session, feed: FeedName, batch_id: int) -> ColumnElement[bool]:
    """A condition on the feed's rows: batch ``batch_id`` has a row with the same key.

    On PostgreSQL an EXISTS whose required key parts are plain equalities (the blank-aware
    part a filter): the planner hashes the new batch's rows once and probes them, where
    ``(key) IN (subquery)`` made it first de-duplicate a million keys (3.3 s against 1.2 s at
    1M rows, measured). SQLite answers the IN form from an automatic index instead."""
    table = ROW_TABLES[feed]
    if session.get_bind().dialect.name != "postgresql":
        restated: ColumnElement[bool] = _key(feed, table).in_(_keys_of(feed, table, batch_id))
        return restated
    return _same_key_exists(feed, lambda other: [other.c.batch_id == batch_id])


def _same_key_exists(feed: FeedName, where: Any) -> ColumnElement[bool]:
    """EXISTS a row of the feed with the same key as the outer row, among ``where(other)``."""
    table = ROW_TABLES[feed]
    schema = FEED_SCHEMAS[feed]
    other = table.alias("other")
    same = [
        other.c[name].is_not_distinct_from(table.c[name])
        if schema.column(name).nullable
        else other.c[name] == table.c[name]
        for name in schema.key
    ]
    return exists().where(*where(other), *same)


def _fallback(
    session: Session, feed: FeedName, batch_id: int, earlier_ids: Sequence[int], replaced_id: int
) -> ColumnElement[bool]:
    """The rows of ``earlier_ids`` that count again when ``replaced_id`` is withdrawn: for
    each key of the replaced batch that the new batch lacks, the row of the latest earlier
    batch having it. PostgreSQL gets anti-joins: its NOT IN (subquery) cannot be one and,
    past work_mem, compares every row with every key."""
    table = ROW_TABLES[feed]
    earlier = list(earlier_ids)
    if session.get_bind().dialect.name == "postgresql":
        return and_(
            table.c.batch_id.in_(earlier),
            restated_by(session, feed, replaced_id),
            ~restated_by(session, feed, batch_id),
            ~_same_key_exists(
                feed,
                lambda other: [other.c.batch_id.in_(earlier), other.c.batch_id > table.c.batch_id],
            ),
        )
    key = _key(feed, table)
    latest = (
        select(func.max(table.c.batch_id), *natural_key(feed, table))
        .where(
            table.c.batch_id.in_(earlier),
            key.in_(_keys_of(feed, table, replaced_id)),
            key.not_in(_keys_of(feed, table, batch_id)),
        )
        .group_by(*natural_key(feed, table))
    )
    return and_(
        table.c.batch_id.in_(earlier),
        tuple_(table.c.batch_id, *natural_key(feed, table)).in_(latest),
    )


def plan_for_new_rows(session: Session) -> None:
    """Before the checks that join a new batch's rows to older ones (PostgreSQL).

    Rows written in this transaction have no planner statistics yet: the planner takes a
    million new rows of one batch for one row and loops over them, which ran past the
    statement timeout at 1M rows (measured). None of these tables has an index a nested loop
    could use anyway, so hash joins are right for the rest of the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_nestloop = off"))


def mark_current(
    session: Session,
    *,
    feed: FeedName,
    batch_id: int,
    earlier_ids: Sequence[int],
    replaced_id: int | None,
    spans: Sequence[Span] = (),
    added: pa.Table | None = None,
    overlap: Overlap | None = None,
) -> None:
    """Update the flags after batch ``batch_id`` was stored, and the feed's totals
    (app/ingestion/totals.py) by exactly the rows whose flag changed. ``earlier_ids`` are the
    other accepted batches of the contract's feed (not the replaced one, which no longer
    counts); ``spans`` the feed's kept spans (none for a feed that is not summed) and
    ``added`` the new batch's rows summed over them (``totals.summed``: they arrive current,
    and were summed while they were being stored); ``overlap`` the earlier rows on its
    dates, read already (app/ingestion/overlap.py)."""
    table = ROW_TABLES[feed]
    # Rows whose flag changes here and are in memory already: they move the totals together
    # with the new rows, in one upsert at the end (app.ingestion.totals.add_summed).
    moved: list[totals.SignedRows] = []
    if replaced_id is not None:
        totals.flip_current(session, feed, spans, table.c.batch_id == replaced_id, to=False)
    if earlier_ids and overlap is not None:
        moved.append(unflag_restated(session, overlap))
    elif earlier_ids:
        totals.flip_current(
            session,
            feed,
            spans,
            and_(table.c.batch_id.in_(list(earlier_ids)), restated_by(session, feed, batch_id)),
            to=False,
        )
    if earlier_ids and replaced_id is not None:
        # The replaced batch's keys that the new batch lacks: the latest other row counts again.
        totals.flip_current(
            session,
            feed,
            spans,
            _fallback(session, feed, batch_id, earlier_ids, replaced_id),
            to=True,
        )
    totals.add_summed(session, feed, added, totals.summed(feed, spans, *moved))


def latest_of(feed: FeedName, table: Table, batch_ids: Sequence[int]) -> ColumnElement[bool]:
    """A condition selecting, among the rows of ``batch_ids``, those that latest-value-wins
    keeps: for each key, the row of the highest batch id. A batch never holds a key twice,
    so one batch needs no comparison."""
    ids = list(batch_ids)
    if len(ids) <= 1:
        return table.c.batch_id.in_(ids)
    latest = (
        select(func.max(table.c.batch_id), *natural_key(feed, table))
        .where(table.c.batch_id.in_(ids))
        .group_by(*natural_key(feed, table))
    )
    return and_(
        table.c.batch_id.in_(ids),
        tuple_(table.c.batch_id, *natural_key(feed, table)).in_(latest),
    )


def current_of(table: Table, batch_ids: Sequence[int]) -> ColumnElement[bool]:
    """The rows of ``batch_ids`` that count now (meaningful for the accepted batches)."""
    return and_(table.c.batch_id.in_(list(batch_ids)), table.c.current)

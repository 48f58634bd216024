"""Latest value wins (SPEC §2), kept in the ``current`` flag of every stored row.

For each natural key of a contract's feed, exactly the row of the latest accepted batch that
has the key is current. Maintained set-based, in SQL, inside the transaction that stores a
batch (under the contract's lock, so two batches of one contract never interleave):

* a new batch's rows arrive current, and the rows of older batches with the same keys stop
  being current;
* a replacement also withdraws every row of the replaced batch, and each of its keys that
  the new batch does not have falls back to the latest other accepted batch that has it.

The same rule over any set of batches (a statement's, to verify it after later batches) is
:func:`latest_of`, computed at read time; for the accepted batches both agree (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    false,
    func,
    literal_column,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from app.engine.feed_schema import FEED_SCHEMAS, FeedName
from app.ingestion.models import ROW_TABLES


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


def mark_current(
    session: Session,
    *,
    feed: FeedName,
    batch_id: int,
    earlier_ids: Sequence[int],
    replaced_id: int | None,
) -> None:
    """Update the flags after batch ``batch_id`` was stored. ``earlier_ids`` are the other
    accepted batches of the contract's feed (not the replaced one, which no longer counts)."""
    table = ROW_TABLES[feed]
    key = _key(feed, table)
    if replaced_id is not None:
        session.execute(
            update(table).where(table.c.batch_id == replaced_id).values(current=false())
        )
    if not earlier_ids:
        return
    session.execute(
        update(table)
        .where(
            table.c.current,
            table.c.batch_id.in_(list(earlier_ids)),
            key.in_(_keys_of(feed, table, batch_id)),
        )
        .values(current=false())
    )
    if replaced_id is None:
        return
    # The replaced batch's keys that the new batch lacks: the latest other row counts again.
    fallback = (
        select(func.max(table.c.batch_id), *natural_key(feed, table))
        .where(
            table.c.batch_id.in_(list(earlier_ids)),
            key.in_(_keys_of(feed, table, replaced_id)),
            key.not_in(_keys_of(feed, table, batch_id)),
        )
        .group_by(*natural_key(feed, table))
    )
    session.execute(
        update(table)
        .where(
            table.c.batch_id.in_(list(earlier_ids)),
            tuple_(table.c.batch_id, *natural_key(feed, table)).in_(fallback),
        )
        .values(current=true())
    )


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

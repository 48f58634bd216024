"""Per-student sums of the summed feeds (usage, schedule), per span, kept at ingest.

An evaluation needs, per student, the sum of a usage or schedule column over a date window of
the contract (``app.engine.sum_windows``), over the rows latest-value-wins keeps. Summing
millions of rows per evaluation is what made a 1M-student evaluation take ~25 s (issue #17),
so these sums are kept in ``usage_totals`` / ``schedule_totals``: one row per registered
span and student, with the sum of every summable column of the feed. Spans are the pieces of
the contract's windows that no window boundary cuts (app/ingestion/spans.py): a day is in one
span, so a batch moves one totals row per student and span its days fall in, and a window is
read as the sum of the spans that tile it (app/evaluation/repository.py).

They move in the transaction that stores a batch, set-based in SQL, by exactly what changes
the ``current`` flags (app/ingestion/current.py): + the rows of the new batch, − rows that stop
being current (restated by the new batch, or of a replaced batch), + rows that count again
(replacement fallbacks). So at every commit a total equals the sum of the current rows in its
span (tests/ingestion/test_totals_property.py checks any interleaving against the scan).

Windows come from the contract's versions. The spans a version's windows need are registered,
and their totals built from the current rows, in the transaction that brings it into force
(acceptance, :func:`keep_spans_of`), or by a batch of the feed that comes first (the version
still proposed). Until then (a version proposed after the last batch) evaluation sums the
rows instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.contracts.definitions import stored_definition
from app.contracts.models import Contract, VersionStatus
from app.engine import sum_windows as contract_sum_windows
from app.engine.feed_schema import FEED_SCHEMAS, SUMMED_FEEDS, FeedName
from app.ingestion import bulk
from app.ingestion.models import ROW_TABLES, TOTAL_TABLES, sum_spans
from app.ingestion.pg_arrays import array_literal
from app.ingestion.repository import accepted_batch_ids
from app.ingestion.spans import Range, spans_to_register, tiling

UPSERT_SLICE = 100_000


@dataclass(frozen=True)
class Span:
    """A registered span (app/ingestion/spans.py): its totals' ``span_id`` and its inclusive
    date range."""

    id: int
    first_day: date
    last_day: date


def summed_columns(feed: FeedName) -> tuple[str, ...]:
    """The columns a totals row sums: every quantity and count of the feed."""
    return tuple(column.name for column in FEED_SCHEMAS[feed].of_kind("quantity", "count"))


def registered_spans(session: Session, contract_id: int, feed: str) -> dict[Range, int]:
    """(first_day, last_day) → span id, for the spans whose totals are kept."""
    rows = session.execute(
        select(sum_spans.c.first_day, sum_spans.c.last_day, sum_spans.c.id).where(
            sum_spans.c.contract_id == contract_id, sum_spans.c.feed == feed
        )
    )
    return {(first, last): span_id for first, last, span_id in rows}


def kept_windows(
    session: Session, contract_id: int, feed: str, windows: Iterable[Range]
) -> dict[Range, list[int]]:
    """For each of ``windows`` that the registered spans tile, the ids of those spans."""
    registered = registered_spans(session, contract_id, feed)
    kept = {}
    for window in windows:
        tiles = tiling(window, registered.keys())
        if tiles is not None:
            kept[window] = [registered[span] for span in tiles]
    return kept


def wanted_windows(contract: Contract, feed: str) -> set[Range]:
    """The date ranges that a version of the contract sums the feed over: every version but
    a withdrawn proposal, which never comes into force (an evaluation as of a past date reads
    a superseded version, one of today a proposed one)."""
    wanted = set()
    for version in contract.versions:
        if version.status == VersionStatus.withdrawn:
            continue
        for window in contract_sum_windows(stored_definition(version.definition_json)).values():
            if window.feed == feed:
                wanted.add((window.start, window.end))
    return wanted


def prepare_spans(
    session: Session, contract: Contract, feed: str, counted_ids: Sequence[int]
) -> list[Span]:
    """The spans of ``feed`` kept for the contract, registering (and building from the rows
    of ``counted_ids`` that are current now) those that the windows its versions sum over
    need and no batch has seen yet. Called under the contract's lock, before the new batch's
    rows are stored."""
    if feed not in SUMMED_FEEDS:
        return []
    registered = registered_spans(session, contract.id, feed)
    new = []
    for first, last in sorted(spans_to_register(wanted_windows(contract, feed), registered)):
        span_id = session.execute(
            insert(sum_spans)
            .values(contract_id=contract.id, feed=feed, first_day=first, last_day=last)
            .returning(sum_spans.c.id)
        ).scalar_one()
        registered[(first, last)] = span_id
        new.append(Span(span_id, first, last))
    if new and counted_ids:
        table = ROW_TABLES[feed]
        add_rows(
            session,
            feed,
            new,
            and_(table.c.batch_id.in_(list(counted_ids)), table.c.current),
        )
    return [Span(span_id, first, last) for (first, last), span_id in registered.items()]


def keep_spans_of(session: Session, contract: Contract) -> None:
    """Register the spans of every summed feed that the windows of the contract's versions
    need and no batch has seen yet, their totals built from the rows that count now: called
    when a version comes into force, so its evaluations read totals from the start, not
    only after the next batch. Called under the contract's lock, so no batch stores rows in
    between."""
    for feed in SUMMED_FEEDS:
        prepare_spans(session, contract, feed, accepted_batch_ids(session, contract, feed))


@dataclass(frozen=True)
class SignedRows:
    """Rows that enter (``sign`` 1) or leave (-1) the totals: per row a student, a day and
    each summed column."""

    students: npt.NDArray[Any]
    days: npt.NDArray[np.datetime64]
    values: dict[str, npt.NDArray[np.int64]]
    sign: int = 1


def frame_rows(feed: str, frame: pd.DataFrame) -> SignedRows:
    """A new batch's rows (all current), from its parsed frame: summing a million rows in
    NumPy takes a tenth of the time of reading them back in SQL (1.2 s, measured), and only
    one row per span and student travels to the database."""
    values = {
        name: (
            frame[name].fillna(0).to_numpy(dtype=np.int64)
            if name in frame
            else np.zeros(len(frame), dtype=np.int64)
        )
        for name in summed_columns(feed)  # type: ignore[arg-type]
    }
    return SignedRows(
        frame["student_id"].to_numpy(dtype=object),
        frame["date"].to_numpy(dtype="datetime64[ns]"),
        values,
    )


def frame_sums(feed: str, spans: Sequence[Span], frame: pd.DataFrame) -> pa.Table | None:
    """A new batch's rows, as parsed, summed per span and student (:func:`summed`); None
    for a feed whose totals are not kept."""
    return summed(feed, spans, frame_rows(feed, frame)) if spans else None


def summed(feed: str, spans: Sequence[Span], *parts: SignedRows) -> pa.Table | None:
    """Each part's rows, times its sign, summed per span their day falls in and student:
    totals rows to add (span_id, student_id, each summed column), or None when there are
    none. Pure, so that it can run while the database is busy (app/ingestion/service.py)."""
    parts = tuple(part for part in parts if len(part.students))
    if not spans or not parts:
        return None
    names = summed_columns(feed)  # type: ignore[arg-type]
    students = _joined([part.students for part in parts])
    days = _joined([part.days for part in parts])
    values = {
        name: _joined([_signed(part.values[name], part.sign) for part in parts]) for name in names
    }
    codes, uniques = pd.factorize(students)
    by_student = np.asarray(uniques, dtype=object)
    rows: list[dict[str, npt.NDArray[Any]]] = []
    for span in spans:
        inside = (days >= np.datetime64(span.first_day, "ns")) & (
            days <= np.datetime64(span.last_day, "ns")
        )
        everything = bool(inside.all())
        where = codes if everything else codes[inside]
        counted = np.bincount(where, minlength=len(by_student)) > 0
        if not counted.any():
            continue
        row = {
            "span_id": np.full(int(counted.sum()), span.id, dtype=np.int64),
            "student_id": by_student[counted],
        }
        for name in names:
            # Integer sums per student, unbuffered in place: exact, and no sort of the rows
            # (a month at 1M students, 6.9M rows: 2.5 s → 0.65 s against sorting by student).
            sums = np.zeros(len(by_student), dtype=np.int64)
            np.add.at(sums, where, values[name] if everything else values[name][inside])
            row[name] = sums[counted]
        rows.append(row)
    if not rows:
        return None
    return pa.table(
        {
            name: pa.array(
                np.concatenate([row[name] for row in rows]),
                pa.string() if name == "student_id" else pa.int64(),
            )
            for name in rows[0]
        }
    )


def add_summed(session: Session, feed: str, *tables: pa.Table | None) -> None:
    """Add totals rows (:func:`summed`) to the stored totals, all in one upsert: a batch on
    top of earlier ones both adds its rows and takes away the rows it restates, mostly for
    the same students, and one statement moves each student's totals row once where two
    wrote it twice (1.5 s → 1.0 s at 1M rows, measured)."""
    present = [table for table in tables if table is not None and table.num_rows]
    if not present:
        return
    if len(present) == 1:
        _upsert_rows(session, feed, present[0])
        return
    names = summed_columns(feed)  # type: ignore[arg-type]
    both = pa.concat_tables(present).group_by(["span_id", "student_id"], use_threads=False)
    merged = both.aggregate([(name, "sum") for name in names])
    merged = merged.rename_columns([name.removesuffix("_sum") for name in merged.column_names])
    _upsert_rows(session, feed, merged.select(["span_id", "student_id", *names]))


def _joined(arrays: list[Any]) -> Any:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _signed(values: npt.NDArray[np.int64], sign: int) -> npt.NDArray[np.int64]:
    return values if sign == 1 else values * sign


def _upsert_rows(session: Session, feed: str, rows: pa.Table) -> None:
    """Add the given totals rows (span_id, student_id, each summed column) to the stored
    ones."""
    totals = TOTAL_TABLES[feed]
    span_ids = pc.unique(rows.column("span_id")).to_pylist()
    kept = select(exists().where(totals.c.span_id.in_(span_ids)))
    if not session.execute(kept).scalar_one():
        # Nothing kept in these spans yet (a feed's first batch, a span just registered):
        # every row is new, so they are stored as feed rows are, with no conflict to look
        # for. An upsert costs PostgreSQL a speculative insertion per row, 0.7 s for the 62k
        # rows of a 1M-row first batch against ~0.1 s for the COPY (bench/ingest_profile.py).
        bulk.store(session.connection(), totals, rows)
        return
    names = summed_columns(feed)  # type: ignore[arg-type]
    added = ", ".join(f"{name} = {totals.name}.{name} + excluded.{name}" for name in names)
    listed = ", ".join(rows.column_names)
    conflict = f"ON CONFLICT (span_id, student_id) DO UPDATE SET {added}"
    if session.get_bind().dialect.name == "postgresql":
        # One statement over arrays per slice, each column one array literal made by pyarrow
        # (app/ingestion/pg_arrays.py). Sliced so that no statement nears the statement
        # timeout: a month of usage at 1M students moves ~2M totals rows.
        types = ["integer[]", "text[]", *(["bigint[]"] * len(names))]
        arrays = ", ".join(
            f"CAST(:{name} AS {kind})" for name, kind in zip(rows.column_names, types, strict=True)
        )
        statement = text(
            f"INSERT INTO {totals.name} ({listed}) SELECT * FROM unnest({arrays}) {conflict}"
        )
        for start in range(0, rows.num_rows, UPSERT_SLICE):
            part = rows.slice(start, UPSERT_SLICE)
            session.execute(
                statement, {name: array_literal(part.column(name)) for name in part.column_names}
            )
        return
    marks = ", ".join("?" for _ in rows.column_names)
    session.connection().exec_driver_sql(
        f"INSERT INTO {totals.name} ({listed}) VALUES ({marks}) {conflict}",
        list(zip(*(rows.column(name).to_pylist() for name in rows.column_names), strict=True)),
    )


def add_rows(
    session: Session,
    feed: str,
    spans: Sequence[Span],
    condition: ColumnElement[bool],
    *,
    sign: int = 1,
) -> None:
    """Add (``sign`` 1) or take away (-1) the rows of ``feed`` matching ``condition``."""
    table = ROW_TABLES[feed]
    session.execute(upsert(session, feed, spans, table, [condition], sign=sign))


def flip_current(
    session: Session,
    feed: str,
    spans: Sequence[Span],
    condition: ColumnElement[bool],
    *,
    to: bool,
) -> None:
    """Set ``current`` to ``to`` on the rows matching ``condition`` whose flag differs, and
    move the totals by exactly those rows. On PostgreSQL one statement (the UPDATE's
    RETURNING feeds the totals); SQLite cannot put an UPDATE in a WITH, so it sums the same
    rows first, then updates them."""
    table = ROW_TABLES[feed]
    changing = and_(condition, ~table.c.current if to else table.c.current)
    flag = update(table).where(changing).values(current=to)
    if not spans:
        session.execute(flag)
        return
    sign = 1 if to else -1
    if session.get_bind().dialect.name == "postgresql":
        columns = ("student_id", "date", *summed_columns(feed))  # type: ignore[arg-type]
        flipped = flag.returning(*(table.c[name] for name in columns)).cte("flipped")
        session.execute(upsert(session, feed, spans, flipped, [], sign=sign).add_cte(flipped))
    else:
        session.execute(upsert(session, feed, spans, table, [changing], sign=sign))
        session.execute(flag)


def upsert(
    session: Session,
    feed: str,
    spans: Sequence[Span],
    source: FromClause | Table,
    where: Iterable[ColumnElement[bool]],
    *,
    sign: int,
) -> Any:
    """INSERT … ON CONFLICT DO UPDATE adding ``sign`` × the sums of ``source``'s rows (those
    matching ``where``) to each span's totals: one pass over the rows, a filtered sum per
    span and column, then one totals row per span and student that has rows in it."""
    totals = TOTAL_TABLES[feed]
    names = summed_columns(feed)  # type: ignore[arg-type]
    day = source.c.date
    sums: list[Any] = []
    for number, span in enumerate(spans):
        inside = and_(day >= span.first_day, day <= span.last_day)
        sums.append(func.count().filter(inside).label(f"n{number}"))
        sums += [
            func.sum(func.coalesce(source.c[name], 0)).filter(inside).label(f"w{number}_{name}")
            for name in names
        ]
    per_student = (
        select(source.c.student_id, *sums)
        .where(
            *where,
            day >= min(span.first_day for span in spans),
            day <= max(span.last_day for span in spans),
        )
        .group_by(source.c.student_id)
        .cte("per_student")
    )
    parts = [
        select(
            literal(span.id).label("span_id"),
            per_student.c.student_id,
            *((per_student.c[f"w{number}_{name}"] * sign).label(name) for name in names),
        ).where(per_student.c[f"n{number}"] > 0)
        for number, span in enumerate(spans)
    ]
    rows = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("span_rows")
    # SQLite needs a WHERE on an INSERT … SELECT that has an ON CONFLICT clause.
    chosen = select(*rows.c).where(true())
    dialect_insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    statement = dialect_insert(totals).from_select(["span_id", "student_id", *names], chosen)
    return statement.on_conflict_do_update(
        index_elements=[totals.c.span_id, totals.c.student_id],
        set_={name: totals.c[name] + statement.excluded[name] for name in names},
    )

"""The fast path for a clean CSV batch: read block by block, check each distinct cell once.

Almost every batch is clean, and in a clean batch the text of each column repeats a lot (a
student's id on each of their ~50 usage rows, ~180 school days, a few hundred minute values).
So each block of the file is read by pyarrow with every column dictionary-encoded, and the
same converters and checks as the row checks (``app.feeds.values``, ``app.feeds.checks``) run
on each block's *distinct* texts; the rows then only gather typed values and integer codes.
The file's text is never held whole (only one block at a time), and no per-row Python object
is made: identifiers become integer codes into a table of their texts.

This path never reports a problem. At the first sign of one — a cell the checks refuse, a
header problem, a row that does not map onto its line, a repeated key, a day over its
maximum — it gives up (returns ``None``) and the caller reads the batch again on the text
path (``app.feeds.parse``), which reports every bad row exactly as it always has. Its checks
are the text path's own, applied to the distinct values, so a batch it accepts is one the
text path accepts, with the same frame (tests/feeds/test_clean_path.py holds the two paths
to that).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from collections.abc import Set as AbstractSet
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from app.engine.feed_schema import FEED_SCHEMAS, FeedSchema
from app.feeds.blocks import (
    LineCount,
    body_blocks,
    count_newlines,
    file_blocks,
    parse_block,
    parsed_in_order,
    row_capacity,
    split_header,
)
from app.feeds.checks import typed_series
from app.feeds.clean_columns import CheckedCells, CleanColumn, ColumnReader
from app.feeds.columns import Feed, check_header
from app.feeds.keys import day_totals, fold_key_parts, one_row_per_day_in_runs
from app.feeds.reading import UTF8_BOM
from app.feeds.roster_codes import RosterCodes
from app.feeds.values import Converted

# A block's checks run once per distinct text, so fewer, larger blocks check less; but the
# parsing threads need several to share. About 32 blocks, within these bounds (the upper one
# bounds memory: a few blocks are in hand at a time).
BLOCK_BYTES = 4 << 20
MAX_BLOCK_BYTES = 16 << 20


def block_bytes(size: int) -> int:
    """The size of the blocks a CSV of ``size`` bytes is cut into."""
    return min(MAX_BLOCK_BYTES, max(BLOCK_BYTES, size // 32))


TEXT = pa.dictionary(pa.int32(), pa.string())
PARSE = pacsv.ParseOptions(newlines_in_values=True)


@dataclass
class CleanFeed:
    """A batch that passed every check of ``app.feeds.checks``, held compactly.

    ``columns`` holds the feed's columns the file had, in the file's order (the optional
    ones it lacked are absent); ``rows`` counts its rows.
    """

    feed: Feed
    columns: dict[str, CleanColumn]
    rows: int

    def frame(self) -> pd.DataFrame:
        """The frame the text path builds for the same batch (``check_feed``'s ``build``)."""
        data: dict[str, pd.Series] = {}
        for column in FEED_SCHEMAS[self.feed].columns:
            clean = self.columns.get(column.name)
            if column.kind == "identifier":
                # copy=False: pandas 3 copies an array handed to Series by default, and these
                # are made here for the frame alone (a million-row batch: 0.07 s of copies).
                data[column.name] = pd.Series(self.texts(column.name), dtype=object, copy=False)
            elif clean is None:
                data[column.name] = typed_series(column, None, self.rows)
            else:
                data[column.name] = typed_series(column, _as_converted(clean), self.rows)
        return pd.DataFrame(data, copy=False)

    def texts(self, name: str) -> np.ndarray:
        """An identifier column as an object array of its texts (``None`` where blank)."""
        clean = self.columns.get(name)
        if clean is None:
            return np.full(self.rows, None, dtype=object)
        assert clean.labels is not None
        labels = np.empty(len(clean.labels) + 1, dtype=object)
        labels[:-1] = clean.labels  # NO_CODE (-1) picks the last: None
        texts: np.ndarray = labels[clean.values]
        return texts


def _as_converted(clean: CleanColumn) -> Converted:
    values = clean.values
    if clean.column.kind == "date":
        values = values.astype("datetime64[D]").astype("datetime64[ns]")
        if clean.empty is not None:
            values[clean.empty] = np.datetime64("NaT", "ns")
    elif values.dtype == np.int32:  # stored small; the frame's numbers are int64
        values = values.astype(np.int64)
    nothing = np.zeros(len(values), dtype=bool)
    return Converted(values=values, empty=clean.blank(), invalid=nothing, reason=str)


def read_clean_bytes(
    feed: Feed,
    body: bytes,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
    keep: Collection[str] | None = None,
) -> CleanFeed | None:
    """A CSV batch (UTF-8 checked, BOM removed) as a :class:`CleanFeed`, or ``None`` when it
    may have any problem at all (then read it on the text path)."""
    header, start = split_header(body)
    if header is None:
        return None
    return _read(
        feed,
        header,
        body_blocks(body, start, block := block_bytes(len(body) - start)),
        row_capacity(len(body) - start, block),
        roster_ids=roster_ids,
        term_start=term_start,
        term_end=term_end,
        keep=keep,
    )


def read_clean_file(
    feed: Feed,
    path: Path,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
    keep: Collection[str] | None = None,
) -> CleanFeed | None:
    """:func:`read_clean_bytes` for a file on disk, without ever holding the whole file.

    ``keep`` names the columns to keep once checked (default: all); the others are checked
    and dropped block by block, which is what lets a state's usage log fit in memory.
    """
    with path.open("rb") as handle:
        first = handle.readline()
        if first.startswith(UTF8_BOM):
            first = first[len(UTF8_BOM) :]
        header, start = split_header(first)
        if header is None or start != len(first):
            return None
        size = path.stat().st_size - handle.tell()
        return _read(
            feed,
            header,
            file_blocks(handle, block := block_bytes(size)),
            row_capacity(size, block),
            roster_ids=roster_ids,
            term_start=term_start,
            term_end=term_end,
            keep=keep,
        )


def _read(
    feed: Feed,
    headers: list[str],
    blocks: Iterator[pa.Buffer],
    capacity: Callable[[int], int],
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
    keep: Collection[str] | None,
) -> CleanFeed | None:
    schema = FEED_SCHEMAS[feed]
    positions, problems = check_header(feed, headers)
    if problems or "" in headers:
        return None
    roster = None
    if roster_ids is not None and feed != "roster":
        roster = RosterCodes.of(roster_ids)
    # The columns the checks across rows compare, and those the caller keeps: the values of
    # any other column are checked and dropped block by block.
    stored = {*schema.key, *(c.name for c in schema.columns if c.daily_maximum is not None)}
    stored |= set(positions if keep is None else keep)
    columns = {
        name: ColumnReader(
            schema.column(name),
            roster,
            term_start,
            term_end,
            store=name in stored,
        )
        for name in positions
    }
    names = [f"c{index}" for index in range(len(headers))]
    parse = partial(parse_block, names=names, parse=PARSE, convert=_every_cell_as_text(names))
    check = partial(_checked_block, parse=parse, columns=columns, positions=positions)
    rows = 0
    lines = LineCount()
    # closing: a return mid-file stops the parsing threads before the file is closed.
    with closing(parsed_in_order(check, blocks)) as checked_blocks:
        for block in checked_blocks:
            if block is None:
                return None
            if rows == 0:
                room = capacity(block.rows)
                for column in columns.values():
                    column.capacity = room
            for name, cells in block.cells.items():
                columns[name].keep(cells, rows)
            lines.add(block.data, newlines=block.newlines)
            rows += block.rows
    if rows == 0 or rows != lines.rows():
        return None  # blank lines, line breaks inside values: the text path knows lines
    finished = {name: columns[name].finish(rows) for name in positions if name in stored}
    clean = {name: column for name, column in finished.items() if column is not None}
    if len(clean) != len(finished):
        return None
    if not _rows_agree(schema, clean, rows):
        return None
    if keep is not None:
        clean = {name: column for name, column in clean.items() if name in keep}
    return CleanFeed(feed, clean, rows)


@dataclass(frozen=True)
class _CheckedBlock:
    data: pa.Buffer
    newlines: int
    rows: int
    cells: dict[str, CheckedCells]


def _checked_block(
    data: pa.Buffer,
    *,
    parse: Callable[[pa.Buffer], pa.RecordBatch | None],
    columns: dict[str, ColumnReader],
    positions: dict[str, int],
) -> _CheckedBlock | None:
    """On a parsing thread: a block parsed, its line ends counted and every column's cells
    checked and gathered; ``None`` at the first sign of a problem."""
    batch = parse(data)
    if batch is None:
        return None
    cells = {}
    for name, position in positions.items():
        checked = columns[name].check(batch.column(position))
        if checked is None:
            return None
        cells[name] = checked
    return _CheckedBlock(data, count_newlines(data), batch.num_rows, cells)


def _every_cell_as_text(names: list[str]) -> pacsv.ConvertOptions:
    """Every cell as written (typed by the checks), the same text once per block."""
    return pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, TEXT),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _rows_agree(schema: FeedSchema, columns: dict[str, CleanColumn], rows: int) -> bool:
    """The checks across rows (``app.feeds.keys``): each natural key once, and no student's
    day over a daily maximum. True only when neither can find anything."""
    if rows < 2:
        return True
    students = columns["student_id"].values  # never blank: codes ≥ 0
    days = columns["date"].values if "date" in columns else None
    if days is not None and one_row_per_day_in_runs(students, days):
        return True  # no student has two rows on a day: no repeat, nothing to add up
    parts = [_key_codes(columns.get(name), rows) for name in schema.key]
    folded = fold_key_parts(parts)
    if folded is None or not pd.Series(folded).is_unique:
        return False  # the text path compares the key parts themselves, and says which rows
    for column in schema.columns:
        clean = columns.get(column.name)
        if column.daily_maximum is None or clean is None or days is None:
            continue
        amounts = np.where(clean.blank(), 0, clean.values).astype(np.int64)
        totals = day_totals(students.astype(np.int64), days.astype(np.int64), amounts)
        if (totals > column.daily_maximum * column.scale).any():
            return False
    return True


def _key_codes(column: CleanColumn | None, rows: int) -> np.ndarray:
    if column is None:  # an optional key column not sent: every row the same (blank)
        return np.zeros(rows, dtype=np.int64)
    return column.values.astype(np.int64)

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

import csv
from collections.abc import Callable, Collection, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from app.engine.feed_schema import FEED_SCHEMAS, Column, FeedSchema
from app.feeds.checks import CONVERTERS, TERM_DATES, out_of_bounds, typed_series
from app.feeds.columns import Feed, check_header, normalise_header
from app.feeds.keys import fold_key_parts, one_row_per_day_in_runs, rows_per_key
from app.feeds.reading import UTF8_BOM, UTF16_BOMS
from app.feeds.values import Converted, is_empty, unusable_identifiers

BLOCK_BYTES = 16 << 20
TEXT = pa.dictionary(pa.int32(), pa.string())
NO_CODE = -1  # a blank optional identifier
LINE_ENDS = b"\r\n"


@dataclass
class CleanColumn:
    """One column of a clean batch, a value per row.

    Identifiers are int32 codes into ``labels`` (their texts; ``NO_CODE`` where blank);
    dates are int32 day numbers since 1970-01-01; grades, quantities (in thousandths) and
    counts int32 when their bounds fit (``Column.small``), else int64; flags bool. ``empty``
    marks blank cells (``None``: none are blank).
    """

    column: Column
    values: np.ndarray
    empty: np.ndarray | None = None
    labels: np.ndarray | None = None

    def blank(self) -> np.ndarray:
        return np.zeros(len(self.values), dtype=bool) if self.empty is None else self.empty


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
                data[column.name] = pd.Series(self.texts(column.name), dtype=object)
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
    header, start = _split_header(body)
    if header is None:
        return None
    source = pa.BufferReader(pa.py_buffer(body)[start:])
    lines = LineCount()
    lines.add(body, start)
    rows = lines.rows()
    return _read(
        feed,
        header,
        source,
        lines,
        lambda first_rows: rows,
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
        header, start = _split_header(first)
        if header is None or start != len(first):
            return None
        lines = LineCount()
        size = path.stat().st_size - handle.tell()
        return _read(
            feed,
            header,
            pa.PythonFile(_Counted(handle, lines), mode="r"),
            lines,
            _capacity(size),
            roster_ids=roster_ids,
            term_start=term_start,
            term_end=term_end,
            keep=keep,
        )


class _Counted:
    """A file that counts its line ends as pyarrow reads it, so the file is read once."""

    closed = False

    def __init__(self, handle: BinaryIO, lines: LineCount):
        self.handle = handle
        self.lines = lines

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.lines.add(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.handle.tell()

    def close(self) -> None:
        """The caller closes the file."""


def _capacity(data_bytes: int) -> Callable[[int], int]:
    """Room for the rows of a file of ``data_bytes`` before they are counted, from the
    first block's rows: a fifth more than its rows per byte promise. A column that runs
    short grows; room never written costs no memory (its pages are never touched)."""

    def estimate(first_rows: int) -> int:
        blocks = max(data_bytes / BLOCK_BYTES, 1.0)
        return int(first_rows * blocks * 1.2) + 1024

    return estimate


def _split_header(body: bytes) -> tuple[list[str] | None, int]:
    """The header's column names and where the data after its line starts; ``None`` when
    the header is one the fast path leaves to the text path (quoted, CR-only line ends, not
    UTF-8)."""
    newline = body.find(b"\n")
    if newline < 0:
        return None, 0
    line = body[:newline].rstrip(b"\r")
    if b'"' in line or b"\r" in line or line.startswith(UTF16_BOMS):
        return None, 0
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, 0
    return [normalise_header(name) for name in next(csv.reader([text]))], newline + 1


class LineCount:
    """How many rows the text path expects after the header, fed the data chunk by chunk:
    one per line, the line ends that the file ends with ignored
    (``app.feeds.reading.read_csv``). The text is checked as UTF-8 by pyarrow as it reads
    each cell (every byte outside a cell is ASCII punctuation)."""

    def __init__(self) -> None:
        self.newlines = 0
        self.trailing = 0  # line ends in the run of \r and \n the data ends with so far
        self.seen_any = False

    def add(self, chunk: bytes, start: int = 0) -> None:
        """Count ``chunk`` from ``start`` on (no copy of a large body for its header)."""
        self.newlines += chunk.count(b"\n", start)
        end = len(chunk)
        while end > start and chunk[end - 1] in LINE_ENDS:  # only the run at the very end
            end -= 1
        if end > start:
            self.seen_any = True
            self.trailing = chunk.count(b"\n", end)
        else:
            self.trailing += chunk.count(b"\n", start)

    def rows(self) -> int:
        return self.newlines - self.trailing + 1 if self.seen_any else 0


def _read(
    feed: Feed,
    headers: list[str],
    source: pa.NativeFile,
    lines: LineCount,
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
    names = [f"c{index}" for index in range(len(headers))]
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, TEXT),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, StopIteration):
        return None
    roster = None
    if roster_ids is not None and feed != "roster":
        roster = RosterCodes(roster_ids)
    # The columns the checks across rows compare, and those the caller keeps: the values of
    # any other column are checked and dropped block by block.
    stored = {*schema.key, *(c.name for c in schema.columns if c.daily_maximum is not None)}
    stored |= set(positions if keep is None else keep)
    columns = {
        name: _ColumnReader(
            schema.column(name),
            roster,
            term_start,
            term_end,
            store=name in stored,
        )
        for name in positions
    }
    rows = 0
    for block in _blocks(reader):
        if block is None:
            return None
        if rows == 0:
            room = capacity(block.num_rows)
            for column in columns.values():
                column.capacity = room
        for name, position in positions.items():
            if not columns[name].add(block.column(position), rows):
                return None
        rows += block.num_rows
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


def _blocks(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch | None]:
    """The reader's blocks; ``None`` for one it cannot read (a row with the wrong number of
    fields, text that is not UTF-8), which the text path then reports."""
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid:
            yield None
            return


class RosterCodes:
    """The roster's student ids, so a student id becomes its roster position."""

    def __init__(self, roster_ids: AbstractSet[str]):
        self.labels = np.asarray(list(roster_ids), dtype=object)
        self.ids = pa.array(self.labels, pa.string())


class _ColumnReader:
    """Checks one column block by block (each distinct text once) and gathers its values
    into arrays of the file's row count (``rows``; ``None``: check only, keep nothing).

    An identifier is kept, until ``finish``, as its position among every block's distinct
    texts; ``finish`` then looks them all up at once (on the roster, or among themselves),
    one hash table for the whole file instead of one per block.
    """

    def __init__(
        self,
        column: Column,
        roster: RosterCodes | None,
        term_start: date | None,
        term_end: date | None,
        *,
        store: bool,
    ):
        self.column = column
        self.roster = roster if column.name == "student_id" else None
        self.term = (term_start, term_end) if column.name in TERM_DATES else (None, None)
        self.store = store
        self.capacity = 0  # rows to make room for at first (set from the first block)
        self.values: np.ndarray | None = None
        self.empty: np.ndarray | None = None
        self.distinct: list[pa.Array] = []  # identifiers: each block's distinct texts
        self.seen = 0  # how many distinct texts the blocks so far had

    def add(self, cells: pa.ChunkedArray | pa.DictionaryArray, start: int) -> bool:
        """Check a block's cells, the rows from ``start``; False when any might be refused."""
        array = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
        # The converters take a column as the text path has it: a chunked array.
        distinct = pa.chunked_array([array.dictionary])
        if self.column.kind == "identifier":
            if not self._usable_identifiers(distinct):
                return False
            if not self.store:
                return True
            # A row's position among every block's distinct texts: no gather needed.
            local = array.indices.to_numpy(zero_copy_only=False)
            stored = self._room(start + len(local), np.dtype(np.int32), with_empty=False)
            np.add(local, self.seen, out=stored[start : start + len(local)])
            self.distinct.append(array.dictionary)
            self.seen += len(array.dictionary)
            return True
        checked = self._typed(distinct)
        if checked is None:
            return False
        if not self.store:
            return True
        values, empty = checked
        indices = array.indices.to_numpy(zero_copy_only=False)
        stop = start + len(indices)
        blank = empty is not None and bool(empty.any())
        stored = self._room(stop, _stored_dtype(self.column, values), with_empty=blank)
        np.take(values.astype(stored.dtype), indices, out=stored[start:stop])
        if blank:
            assert empty is not None and self.empty is not None
            np.take(empty, indices, out=self.empty[start:stop])
        return True

    def _room(self, stop: int, dtype: np.dtype, *, with_empty: bool) -> np.ndarray:
        """The column's arrays, grown (by half) if they end before ``stop``."""
        if self.values is None:
            self.values = np.empty(max(self.capacity, stop), dtype=dtype)
        if stop > len(self.values):
            size = max(stop, len(self.values) * 3 // 2)
            self.values = _grown(self.values, size)
            if self.empty is not None:
                self.empty = _grown(self.empty, size)
        if with_empty and self.empty is None:
            self.empty = np.zeros(len(self.values), dtype=bool)
        return self.values

    def _usable_identifiers(self, distinct: pa.ChunkedArray) -> bool:
        empty = is_empty(distinct)
        if self.column.required and empty.any():
            return False
        return not any(mask.any() for mask, _ in unusable_identifiers(distinct, empty))

    def _typed(self, distinct: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
        column = self.column
        converted = CONVERTERS[column.kind](distinct)
        if converted.invalid.any() or (column.required and converted.empty.any()):
            return None
        if any(mask.any() for mask, _ in out_of_bounds(column, converted)):
            return None
        values = converted.values
        if column.kind == "date":
            known = ~converted.empty
            days = values.astype("datetime64[D]").astype(np.int64)
            values = np.where(known, days, 0).astype(np.int32)
            start, end = self.term
            if start is not None and (known & (values < _day(start))).any():
                return None
            if end is not None and (known & (values > _day(end))).any():
                return None
        return values, converted.empty

    def finish(self, rows: int) -> CleanColumn | None:
        """The column's first ``rows`` values; ``None`` when a student is not on the roster."""
        assert self.values is not None
        self.values = self.values[:rows]
        if self.empty is not None:
            self.empty = self.empty[:rows]
        if self.column.kind != "identifier":
            return CleanColumn(self.column, self.values, self.empty)
        every = pa.chunked_array(self.distinct, pa.string())
        self.distinct.clear()
        blank = is_empty(every)
        if self.roster is not None:
            found = pc.index_in(every, value_set=self.roster.ids)
            codes = np.array(pc.fill_null(found, NO_CODE).to_numpy(), dtype=np.int32)
            if ((codes == NO_CODE) & ~blank).any():
                return None  # a student not on the roster
            labels = self.roster.labels
        else:
            encoded = pc.dictionary_encode(every).combine_chunks()
            codes = np.array(encoded.indices.to_numpy(), dtype=np.int32)  # writable
            labels = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        codes[blank] = NO_CODE
        values = codes[self.values]
        self.values = None
        empty = values == NO_CODE
        return CleanColumn(self.column, values, empty if empty.any() else None, labels)


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    grown = np.zeros(size, dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _stored_dtype(column: Column, values: np.ndarray) -> np.dtype:
    """Identifiers and dates in 32 bits, and numbers whose bound fits (``Column.small``):
    a state's usage log is 48M rows per column."""
    if column.kind in ("identifier", "date") or (column.small and values.dtype == np.int64):
        return np.dtype(np.int32)
    return values.dtype


def _day(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


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
        day_numbers = days.astype(np.int64)
        first_day = int(day_numbers.min())
        span = int(day_numbers.max()) - first_day + 1
        day_key = students.astype(np.int64) * span + (day_numbers - first_day)
        amounts = np.where(clean.blank(), 0, clean.values).astype(np.int64)
        _, totals = rows_per_key(day_key, amounts)
        if (totals > column.daily_maximum * column.scale).any():
            return False
    return True


def _key_codes(column: CleanColumn | None, rows: int) -> np.ndarray:
    if column is None:  # an optional key column not sent: every row the same (blank)
        return np.zeros(rows, dtype=np.int64)
    return column.values.astype(np.int64)

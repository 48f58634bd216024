"""The columns of a clean batch (``app.feeds.clean``): checked a block at a time, held compactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.feed_schema import Column
from app.feeds.checks import CONVERTERS, TERM_DATES, out_of_bounds
from app.feeds.roster_codes import RosterCodes
from app.feeds.values import is_empty, unusable_identifiers

NO_CODE = -1  # a blank optional identifier


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


@dataclass(frozen=True)
class CheckedCells:
    """One block's cells of one column, checked. ``rows``: an identifier's index, per row,
    into ``dictionary`` (the block's distinct texts); another column's value per row, typed
    as stored (nothing to hold when the column is not stored), and ``blank`` where empty
    (``None``: none are)."""

    rows: np.ndarray
    dictionary: pa.Array | None = None
    blank: np.ndarray | None = None


class ColumnReader:
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

    def check(self, cells: pa.ChunkedArray | pa.DictionaryArray) -> CheckedCells | None:
        """A block's cells checked (each distinct text once) and, if the column is stored,
        gathered row by row; ``None`` when any might be refused. Reads nothing that ``keep``
        writes, so blocks are checked on the parsing threads while earlier ones are kept."""
        array = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
        # The converters take a column as the text path has it: a chunked array.
        distinct = pa.chunked_array([array.dictionary])
        indices = array.indices.to_numpy(zero_copy_only=False)
        if self.column.kind == "identifier":
            if not self._usable_identifiers(distinct):
                return None
            return CheckedCells(indices, dictionary=array.dictionary)
        checked = self._typed(distinct)
        if checked is None:
            return None
        if not self.store:
            return CheckedCells(indices)
        values, empty = checked
        blank = empty[indices] if empty is not None and empty.any() else None
        return CheckedCells(values.astype(_stored_dtype(self.column, values))[indices], blank=blank)

    def keep(self, checked: CheckedCells, start: int) -> None:
        """Put a checked block's rows, from row ``start``, into the column's arrays (in
        block order: an identifier's code counts the distinct texts of the blocks before)."""
        if not self.store:
            return
        rows = checked.rows
        stop = start + len(rows)
        if checked.dictionary is not None:
            stored = self._room(stop, np.dtype(np.int32), with_empty=False)
            # A row's position among every block's distinct texts: no gather needed.
            np.add(rows, self.seen, out=stored[start:stop])
            self.distinct.append(checked.dictionary)
            self.seen += len(checked.dictionary)
            return
        stored = self._room(stop, rows.dtype, with_empty=checked.blank is not None)
        stored[start:stop] = rows
        if checked.blank is not None:
            assert self.empty is not None
            self.empty[start:stop] = checked.blank

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
            if start is not None and (known & (values < day_number(start))).any():
                return None
            if end is not None and (known & (values > day_number(end))).any():
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


def day_number(day: date) -> int:
    """A date as a clean column holds it: days since 1970-01-01."""
    return int(np.datetime64(day, "D").astype(np.int64))

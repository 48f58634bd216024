"""The checks every feed shares, run over whole columns of a :class:`TextTable`."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from app.feeds.problems import Finding
from app.feeds.reading import TextTable
from app.feeds.roster_codes import RosterCodes
from app.feeds.values import Converted, is_empty, unusable_identifiers

REQUIRED_EMPTY = "required value is empty"


class Batch:
    """A feed's text table and the findings of the checks run on it so far.

    ``bad`` marks the rows with at least one finding; ``usable`` the rows whose given columns
    are known to be good, so checks across rows (duplicates, daily totals) compare only
    those.
    """

    def __init__(self, table: TextTable, positions: dict[str, int]):
        self.table = table
        self.positions = positions
        self.rows = table.num_rows
        self.findings: list[Finding] = []
        self.bad = np.zeros(self.rows, dtype=bool)
        self.bad_rows = np.zeros(self.rows, dtype=bool)  # findings about a whole row
        self.bad_columns: dict[str, np.ndarray] = {}
        for finding in table.findings:
            mask = np.zeros(self.rows, dtype=bool)
            mask[finding.positions] = True
            self._mark(mask, finding.column)
            self.findings.append(finding)

    def text(self, column: str) -> pa.ChunkedArray | None:
        position = self.positions.get(column)
        return None if position is None else self.table.columns[position]

    def cell(self, column: str, position: int) -> str | None:
        text = self.text(column)
        return None if text is None else str(text[position].as_py())

    def filled(self, *columns: str) -> np.ndarray:
        """Rows where every named column is present and not blank."""
        mask = np.ones(self.rows, dtype=bool)
        for column in columns:
            text = self.text(column)
            mask &= np.zeros(self.rows, dtype=bool) if text is None else ~is_empty(text)
        return mask

    def report(
        self,
        mask: np.ndarray,
        column: str | None,
        reason: str | Callable[[int], str],
        value: Callable[[int], str | None] | None = None,
    ) -> None:
        positions = np.flatnonzero(mask)
        if len(positions):
            self.findings.append(Finding(positions, column, reason, value))
            self._mark(mask, column)

    def _mark(self, mask: np.ndarray, column: str | None) -> None:
        self.bad |= mask
        if column is None:
            self.bad_rows |= mask
        else:
            self.bad_columns.setdefault(column, np.zeros(self.rows, dtype=bool))
            self.bad_columns[column] |= mask

    def usable(self, *columns: str) -> np.ndarray:
        """Rows whose named columns (and the row as a whole) have no finding so far."""
        mask = ~self.bad_rows
        for column in columns:
            if column in self.bad_columns:
                mask &= ~self.bad_columns[column]
        return mask

    def convert(
        self, column: str, converter: Callable[[pa.ChunkedArray], Converted], *, required: bool
    ) -> Converted | None:
        """Convert a column, reporting empty required cells and unusable ones."""
        text = self.text(column)
        if text is None:
            return None
        converted = converter(text)
        if required:
            self.report(converted.empty, column, REQUIRED_EMPTY)
        self.report(
            converted.invalid,
            column,
            lambda position: converted.reason(self.cell(column, position) or ""),
        )
        return converted

    def identifiers(self, column: str, *, required: bool) -> np.ndarray | None:
        """A text column as an object array of str, exactly as sent (``None`` where empty
        in an optional column). Identifiers are compared exactly, so ``"001 "`` would be
        another student than ``"001"``: surrounding spaces, control characters and more
        than 64 characters are refused rather than silently trimmed (SPEC §2)."""
        text = self.text(column)
        if text is None:
            return None
        values = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        empty = is_empty(text)
        if required:
            self.report(empty, column, REQUIRED_EMPTY)
        elif empty.any():
            values[empty] = None
        for mask, reason in unusable_identifiers(text, empty):
            self.report(mask, column, reason)
        return values

    def on_roster(self, column: str, roster_ids: AbstractSet[str] | None) -> np.ndarray | None:
        """Report students not on the roster; return each row's position in the roster
        (-1 where not on it), a ready-made integer code per student."""
        text = self.text(column)
        if text is None or roster_ids is None:
            return None
        found = pc.index_in(text, value_set=RosterCodes.of(roster_ids).ids)
        codes = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)
        self.report(
            (codes < 0) & ~is_empty(text), column, "student is not on the contract's roster"
        )
        return codes

    def within_term(
        self, column: str, dates: Converted | None, start: date | None, end: date | None
    ) -> None:
        if dates is None or (start is None and end is None):
            return
        known = ~dates.empty & ~dates.invalid
        outside = np.zeros(self.rows, dtype=bool)
        if start is not None:
            outside |= dates.values < np.datetime64(start, "ns")
        if end is not None:
            outside |= dates.values > np.datetime64(end, "ns")
        term = f"{start or 'the start'} to {end or 'the end'}"
        self.report(outside & known, column, f"is outside the contract term ({term})")

    def duplicates(
        self,
        candidates: pd.DataFrame,
        column: str | None,
        what: str,
        shown: tuple[str, ...] = (),
        describe: Callable[[int], str] | None = None,
    ) -> None:
        """Report every repeat of a key, naming the row it repeats.

        ``candidates`` holds the key columns of the rows to compare, indexed by position and
        in file order. The problem's value is the cell of ``column``, or else the cells of
        the ``shown`` columns joined by commas. ``describe`` turns the first row's line into
        the reason, when "duplicate of row N (``what``)" would not say what to do.
        """
        if candidates.empty:
            return
        repeated = candidates.duplicated(keep="first").to_numpy()
        if not repeated.any():
            return
        lines = self.table.lines
        positions = candidates.index.to_numpy()
        columns = list(candidates.columns)
        first_line = (
            pd.Series(lines[positions], index=candidates.index)
            .groupby([candidates[name] for name in columns], sort=False, dropna=False)
            .transform("first")
        )
        first_by_position = dict(
            zip(positions[repeated].tolist(), first_line.to_numpy()[repeated].tolist(), strict=True)
        )
        mask = np.zeros(self.rows, dtype=bool)
        mask[positions[repeated]] = True

        def reason(position: int) -> str:
            first = first_by_position[position]
            return describe(first) if describe else f"duplicate of row {first} ({what})"

        def key_text(position: int) -> str | None:
            present = [name for name in shown if name in self.positions]
            return ", ".join(str(self.cell(name, position)) for name in present)

        self.report(mask, column, reason, value=None if column else key_text)

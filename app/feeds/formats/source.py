"""A platform's export as read, and the Tranche rows mapped from it, with each cell's origin.

Every mapper reads a :class:`SourceTable` (the export's cells as text, its own header names,
the line each row starts on) and fills a :class:`MappedRows`: the Tranche columns of the
target feed as text, and for every cell where it came from (line, source column, value as
written), so a problem found by the §2 checks points into the user's own file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.feeds.columns import normalise_header
from app.feeds.problems import FeedRejected, RowProblem
from app.feeds.reading import TextTable, decode_check, read_csv, read_json

JSON_TYPES = ("application/json",)


def header_key(name: str) -> str:
    """Export headers match case- and whitespace-insensitively: ``Student ID`` = ``studentid``."""
    return "".join(name.split()).lower()


class SourceTable:
    """One CSV file of an export: original header names, text cells, source line numbers.

    ``file`` names a member of a zip (``users.csv``); problems then name the column as
    ``users.csv: grades``.
    """

    def __init__(self, table: TextTable, headers: Sequence[str], file: str | None = None):
        self.headers = list(headers)
        self.file = file
        self.lines: list[int] = [int(line) for line in table.lines]
        self._cells: list[list[str]] = [column.to_pylist() for column in table.columns]
        self._positions: dict[str, int] = {}
        for index, header in enumerate(self.headers):
            self._positions.setdefault(header_key(header), index)
        self.used: set[int] = set()
        self.problems: list[RowProblem] = [
            RowProblem(
                row=self.lines[position],
                column=None,
                value=None,
                reason=finding.reason
                if isinstance(finding.reason, str)
                else finding.reason(position),
            )
            for finding in table.findings
            for position in finding.positions.tolist()
        ]

    @property
    def rows(self) -> int:
        return len(self.lines)

    def find(self, *names: str) -> int | None:
        """The first of ``names`` that the file has (its index), marking it as read."""
        for name in names:
            index = self._positions.get(header_key(name))
            if index is not None:
                self.used.add(index)
                return index
        return None

    def has(self, name: str) -> bool:
        return header_key(name) in self._positions

    def texts(self, index: int) -> list[str]:
        return self._cells[index]

    def name(self, index: int) -> str:
        header = self.headers[index]
        return f"{self.file}: {header}" if self.file else header

    def dropped(self) -> list[str]:
        """The columns no mapping read: never stored, listed on the batch."""
        return [self.name(index) for index in range(len(self.headers)) if index not in self.used]

    def problem(self, position: int, index: int | None, reason: str) -> RowProblem:
        return RowProblem(
            row=self.lines[position],
            column=None if index is None else self.name(index),
            value=None if index is None else self._cells[index][position],
            reason=reason,
        )


def read_source(
    feed: str, content: bytes, content_type: str = "text/csv", file: str | None = None
) -> SourceTable:
    """Bytes of one export file → a :class:`SourceTable` (UTF-8, BOM, CRLF, quoting as §2)."""
    body = decode_check(feed, content)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        table = read_json(feed, body)
        return SourceTable(table, table.headers, file)
    table = read_csv(feed, body)
    return SourceTable(table, _original_headers(body, table.headers), file)


def _original_headers(body: bytes, normalised: Sequence[str]) -> list[str]:
    """The header names as written (the reader keeps them lower-cased), aligned with the
    columns it kept (it drops empty unnamed columns, never reorders)."""
    first = body.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    written = [name.strip() for name in next(csv.reader([first]), [])]
    aligned: list[str] = []
    cursor = 0
    for name in normalised:
        while cursor < len(written) and normalise_header(written[cursor]) != name:
            cursor += 1
        aligned.append(written[cursor] if cursor < len(written) else name)
        cursor += 1
    return aligned


@dataclass(frozen=True)
class Origin:
    """Where one Tranche column's cells came from.

    ``name`` is the source column (one for the whole column, or one per row); ``values`` the
    cells as written where they differ from the mapped text (``12.5`` % became ``0.125``);
    ``lines`` the source line where it differs from the row's (a zip's other files).
    """

    name: str | list[str]
    values: list[str] | None = None
    lines: list[int] | None = None


@dataclass
class MappedProblem:
    """A problem found while mapping. ``position``/``column`` name the mapped cell it
    concerns (so the §2 checks do not report that cell a second time), when there is one."""

    problem: RowProblem
    position: int | None = None
    column: str | None = None
    also: tuple[str, ...] = ()  # other mapped cells of the row left empty by the same problem


@dataclass
class MappedRows:
    """Tranche rows mapped from an export, with the provenance of every cell."""

    feed: str
    columns: dict[str, list[str]]
    origins: dict[str, Origin]
    lines: list[int]
    dropped_columns: list[str] = field(default_factory=list)
    skipped_rows: dict[str, int] = field(default_factory=dict)
    problems: list[MappedProblem] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.lines)

    def locate(self, column: str | None, position: int) -> tuple[int, str | None, str | None]:
        """(source line, source column, value as written) of one mapped cell."""
        if column is None or column not in self.origins:
            return self.lines[position], column, None
        origin = self.origins[column]
        line = origin.lines[position] if origin.lines is not None else self.lines[position]
        name = origin.name if isinstance(origin.name, str) else origin.name[position]
        value = (
            origin.values[position] if origin.values is not None else self.columns[column][position]
        )
        return line, name, value


class RowsBuilder:
    """Collects mapped rows one at a time: ``add(line, {column: (text, name, written)})``."""

    def __init__(self, feed: str, columns: Iterable[str]):
        self.feed = feed
        self.names = list(columns)
        self.texts: dict[str, list[str]] = {name: [] for name in self.names}
        self.sources: dict[str, list[str]] = {name: [] for name in self.names}
        self.written: dict[str, list[str]] = {name: [] for name in self.names}
        self.source_lines: dict[str, list[int]] = {name: [] for name in self.names}
        self.lines: list[int] = []
        self.problems: list[MappedProblem] = []
        self.skipped: dict[str, int] = {}

    @property
    def position(self) -> int:
        """The position the next added row will have."""
        return len(self.lines)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def add(
        self, line: int, cells: Mapping[str, tuple[str, str, str] | tuple[str, str, str, int]]
    ) -> None:
        for name in self.names:
            cell = cells.get(name)
            if cell is None:
                text, source, written, source_line = "", "", "", line
            else:
                text, source, written = cell[0], cell[1], cell[2]
                source_line = cell[3] if len(cell) == 4 else line
            self.texts[name].append(text)
            self.sources[name].append(source)
            self.written[name].append(written)
            self.source_lines[name].append(source_line)
        self.lines.append(line)

    def refuse_cell(self, column: str, problem: RowProblem, also: tuple[str, ...] = ()) -> None:
        """A problem with the cell of ``column`` (and ``also`` those) in the row about to be
        added."""
        self.problems.append(MappedProblem(problem, self.position, column, also))

    def refuse_row(self, problem: RowProblem) -> None:
        self.problems.append(MappedProblem(problem))

    def build(
        self, present: Iterable[str], dropped: list[str], extra: Sequence[RowProblem] = ()
    ) -> MappedRows:
        """The rows, keeping only the ``present`` columns (those the export had)."""
        keep = [name for name in self.names if name in set(present)]
        origins = {}
        for name in keep:
            named = [source for source in self.sources[name] if source]
            usual = named[0] if named else name
            # A row without this cell (a fall row has no growth percentile) is named by the
            # column's usual source, so a problem about it still names a column of the file.
            sources = [source or usual for source in self.sources[name]]
            single = len(set(sources)) <= 1
            differs = self.written[name] != self.texts[name]
            elsewhere = self.source_lines[name] != self.lines
            origins[name] = Origin(
                name=usual if single else sources,
                values=self.written[name] if differs else None,
                lines=self.source_lines[name] if elsewhere else None,
            )
        return MappedRows(
            feed=self.feed,
            columns={name: self.texts[name] for name in keep},
            origins=origins,
            lines=self.lines,
            dropped_columns=dropped,
            skipped_rows=dict(self.skipped),
            problems=[MappedProblem(problem) for problem in extra] + self.problems,
        )


def refuse(feed: str, reason: str) -> FeedRejected:
    return FeedRejected.single(feed, reason)

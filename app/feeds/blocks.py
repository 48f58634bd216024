"""Reading a CSV for the clean path (``app.feeds.clean``): its header, its blocks, its lines.

The clean path hands the data to pyarrow's streaming reader, which cannot say which line a
row came from. So the line ends are counted as the bytes go by (a row per line is what the
text path expects; anything else sends the batch there), and a file on disk is read once.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from app.feeds.columns import normalise_header
from app.feeds.reading import UTF16_BOMS

LINE_ENDS = b"\r\n"


class CountingFile:
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


def row_capacity(data_bytes: int, block_bytes: int) -> Callable[[int], int]:
    """Room for the rows of a file of ``data_bytes`` before they are counted, from the
    first block's rows: a fifth more than its rows per byte promise. A column that runs
    short grows; room never written costs no memory (its pages are never touched)."""

    def estimate(first_rows: int) -> int:
        blocks = max(data_bytes / block_bytes, 1.0)
        return int(first_rows * blocks * 1.2) + 1024

    return estimate


def split_header(body: bytes) -> tuple[list[str] | None, int]:
    """The header's column names and where the data after its line starts; ``None`` when
    the header is one the fast path leaves to the text path (CR-only line ends, not UTF-8).
    Read as the text path reads it (``app.feeds.reading.read_csv``): its first line, by the
    csv module, so a quoted header (pandas' QUOTE_ALL, many exports) takes this path too."""
    newline = body.find(b"\n")
    if newline < 0:
        return None, 0
    line = body[:newline].rstrip(b"\r")
    if b"\r" in line or line.startswith(UTF16_BOMS):
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


def record_batches(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch | None]:
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

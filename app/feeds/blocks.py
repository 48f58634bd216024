"""Reading a CSV for the clean path (``app.feeds.clean``): its header, its blocks, its lines.

The data is cut into blocks at line ends and each block is parsed by pyarrow (and checked,
``app.feeds.clean``) on a small pool of threads, handed back in order. pyarrow's own
streaming reader parses one block at a time on the thread that asks; parsing (every cell
dictionary-encoded text) is most of the clean path's time, and pyarrow and the checks' Arrow
and NumPy kernels run without the GIL, so every core works on a block of its own while the
caller puts an earlier one in place.

A cut at a line end is a row end unless that line end is inside a quoted value. The block
before such a cut ends inside an open quote, which pyarrow reads as a last field that ends
with the line end (or as a row short of fields, which it refuses); ``parse_block`` gives up
on both, and the batch goes to the text path, as any batch with a line break inside a value
does. The line ends are counted as the blocks go by: a row per line is what the text path
expects, and anything else sends the batch there.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from app.feeds.columns import normalise_header
from app.feeds.reading import UTF16_BOMS

LINE_ENDS = b"\r\n"
NEWLINE = ord("\n")
# Threads that parse blocks: one per core, and more than a few only wait on memory.
PARSE_WORKERS = max(1, min(4, os.cpu_count() or 1))


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

    def add(self, chunk: bytes | pa.Buffer, newlines: int) -> None:
        """Count the next ``chunk`` of the data, which has ``newlines`` line ends (counted
        where the chunk was parsed: ``count_newlines``)."""
        self.newlines += newlines
        data = memoryview(chunk)
        end = len(data)
        while end > 0 and data[end - 1] in LINE_ENDS:  # only the run at the very end
            end -= 1
        if end > 0:
            self.seen_any = True
            self.trailing = bytes(data[end:]).count(b"\n")
        else:
            self.trailing += newlines

    def rows(self) -> int:
        return self.newlines - self.trailing + 1 if self.seen_any else 0


def count_newlines(data: bytes | pa.Buffer) -> int:
    """The line ends (``\\n``) in ``data``, by NumPy, which lets go of the GIL: on the
    parsing threads, not the one that gathers (``bytes.count`` held it, 1.8 s of a state's
    usage log)."""
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == NEWLINE))


def file_blocks(handle: io.BufferedIOBase, size: int) -> Iterator[pa.Buffer]:
    """The rest of an open file in blocks of about ``size`` bytes, each ending at a line end
    (the last where the file ends); the file is read once, into each block's own memory."""
    while True:
        block = bytearray(size)
        filled = handle.readinto(block)
        if not filled:
            return
        del block[filled:]
        if block[-1] != NEWLINE:
            block += handle.readline()  # the rest of the block's last line
        yield pa.py_buffer(block)


def body_blocks(body: bytes, start: int, size: int) -> Iterator[pa.Buffer]:
    """``body`` from ``start`` on in blocks of about ``size`` bytes ending at line ends,
    as views of it (no copy)."""
    whole = pa.py_buffer(body)
    while start < len(body):
        end = body.find(b"\n", start + size - 1) + 1 or len(body)
        yield whole[start:end]
        start = end


def parse_block(
    block: pa.Buffer,
    names: list[str],
    parse: pacsv.ParseOptions,
    convert: pacsv.ConvertOptions,
) -> pa.RecordBatch | None:
    """One block as one record batch; ``None`` when pyarrow cannot read it (a row with the
    wrong number of fields, text that is not UTF-8), when it is blank lines only, or when
    its last row ends inside an open quote (see the module's docstring): the text path then
    reads the batch and says where."""
    read = pacsv.ReadOptions(column_names=names, block_size=len(block) + 1, use_threads=False)
    try:
        table = pacsv.read_csv(pa.BufferReader(block), read, parse, convert)
    except pa.ArrowInvalid:
        return None
    if table.num_rows == 0:
        return None
    batch = table.combine_chunks().to_batches()[0]
    last = batch.column(batch.num_columns - 1)[batch.num_rows - 1].as_py()
    if isinstance(last, str) and last.endswith(("\n", "\r")):
        return None
    return batch


def parsed_in_order(
    parse: Callable[[pa.Buffer], pa.RecordBatch | None],
    blocks: Iterable[pa.Buffer],
    *,
    workers: int = PARSE_WORKERS,
) -> Generator[pa.RecordBatch | None, None, None]:
    """``parse`` of each block, in the blocks' order, ``workers`` at a time and at most
    ``workers + 1`` ahead of the caller (so memory stays a few blocks whatever the size);
    stops after the first ``None``. Leaving early cancels the blocks not yet started and
    waits for those being parsed."""
    with ThreadPoolExecutor(workers, thread_name_prefix="csv-block") as pool:
        waiting: deque[Future[pa.RecordBatch | None]] = deque()
        try:
            for block in blocks:
                waiting.append(pool.submit(parse, block))
                if len(waiting) > workers:
                    batch = waiting.popleft().result()
                    yield batch
                    if batch is None:
                        return
            while waiting:
                batch = waiting.popleft().result()
                yield batch
                if batch is None:
                    return
        finally:
            for future in waiting:
                future.cancel()

"""Cutting a CSV into blocks at line ends and parsing them on threads (``app.feeds.blocks``).

The clean path's answer must not depend on where the blocks were cut or which thread parsed
which: every byte lands in exactly one block, blocks come back in order, and a cut that
falls inside a quoted value is never read as a row end.
"""

from __future__ import annotations

import io
import time

import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import given
from hypothesis import strategies as st

from app.feeds.blocks import (
    LineCount,
    body_blocks,
    count_newlines,
    file_blocks,
    parse_block,
    parsed_in_order,
)

NAMES = ["c0", "c1"]
PARSE = pacsv.ParseOptions(newlines_in_values=True)
CONVERT = pacsv.ConvertOptions(
    column_types=dict.fromkeys(NAMES, pa.string()),
    strings_can_be_null=False,
    quoted_strings_can_be_null=False,
)

lines_of_text = st.lists(st.text(alphabet='ab,"\r\n', max_size=12), min_size=0, max_size=30).map(
    lambda parts: "\n".join(parts).encode()
)


@given(body=lines_of_text, start=st.integers(0, 5), size=st.integers(1, 40))
def test_the_blocks_of_a_body_are_the_body_each_cut_after_a_line_end(
    body: bytes, start: int, size: int
) -> None:
    blocks = [block.to_pybytes() for block in body_blocks(body, start, size)]
    assert b"".join(blocks) == body[start:]
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    assert all(block for block in blocks)


@given(body=lines_of_text, size=st.integers(1, 40))
def test_the_blocks_of_a_file_are_the_file_and_count_the_rows_the_text_path_expects(
    body: bytes, size: int
) -> None:
    blocks = [block.to_pybytes() for block in file_blocks(io.BytesIO(body), size)]
    assert b"".join(blocks) == body
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    counted = LineCount()
    for block in blocks:
        counted.add(block, count_newlines(block))
    # A row per line, the line ends the data ends with ignored (app.feeds.reading.read_csv).
    data = body.rstrip(b"\r\n")
    assert counted.rows() == (data.count(b"\n") + 1 if data else 0)


def parse(text: bytes) -> pa.RecordBatch | None:
    return parse_block(pa.py_buffer(text), NAMES, PARSE, CONVERT)


def test_a_block_cut_inside_a_quoted_value_is_not_read_as_rows() -> None:
    # The whole file is one row, its second value "7\nS2,8"; cut after the first line end,
    # the first block alone would read as a row whose value is "7\n".
    assert parse(b'S1,"7\n') is None
    assert parse(b'S1,"7\r\n') is None
    assert parse(b'"S1\n') is None  # a row short of fields


def test_a_block_of_whole_rows_is_read_with_every_value_as_written() -> None:
    batch = parse(b'S1,"7, or so"\nS2,0.5\r\n')
    assert batch is not None
    assert batch.to_pydict() == {"c0": ["S1", "S2"], "c1": ["7, or so", "0.5"]}


def test_a_block_of_blank_lines_goes_to_the_text_path() -> None:
    assert parse(b"\n\r\n") is None


def test_blocks_parsed_on_threads_come_back_in_order_and_stop_at_the_first_refusal() -> None:
    def slow_first(block: pa.Buffer) -> pa.RecordBatch | None:
        number = int(block.to_pybytes())
        if number == 0:
            time.sleep(0.05)  # finishes last: the order must not follow finishing
        if number == 6:
            return None
        return pa.record_batch({"n": [number]})

    blocks = (pa.py_buffer(str(number).encode()) for number in range(10))
    batches = list(parsed_in_order(slow_first, blocks, workers=3))
    numbers = [None if batch is None else batch.column(0)[0].as_py() for batch in batches]
    assert numbers == [0, 1, 2, 3, 4, 5, None]

"""Bytes → a table of text cells, exactly as sent, with the line each row came from.

CSV is read by pyarrow's multithreaded reader with every column as a string (so ``00123``
stays ``00123`` and ``NA`` stays ``NA``). When the file's rows do not map one-to-one onto its
lines (blank lines, line breaks inside quoted values, rows with the wrong number of fields),
it is read again with the standard ``csv`` module, which knows every record's line number;
that slower path is only taken for such unusual files. JSON arrays are read with exact
decimals (``parse_float=Decimal``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from app.feeds.columns import normalise_header
from app.feeds.problems import FeedRejected, Finding

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
READ_BLOCK_BYTES = 4 << 20


@dataclass
class TextTable:
    """The cells of a feed as text (``""`` for empty), one array per column."""

    headers: list[str]
    columns: list[pa.ChunkedArray]
    lines: np.ndarray
    findings: list[Finding] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        return len(self.lines)


def decode_check(feed: str, content: bytes) -> bytes:
    """The content without a UTF-8 BOM; refuses other encodings with the offending line."""
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM) :]
    elif content.startswith(UTF16_BOMS):
        raise FeedRejected.single(feed, "the file is UTF-16; save it as UTF-8")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        byte = content[error.start : error.start + 1].hex().upper()
        raise FeedRejected.single(
            feed,
            f"the file is not valid UTF-8 (byte 0x{byte} on line {line}); save it as UTF-8",
            row=line,
        ) from None
    return content


def read_csv(feed: str, content: bytes) -> TextTable:
    body = content.rstrip(b"\r\n")
    if not body.strip():
        raise FeedRejected.single(feed, "the file is empty")
    newline = body.find(b"\n")
    if newline < 0 and b"\r" in body:
        return _read_csv_by_records(feed, body)
    if newline < 0:
        raise FeedRejected.single(feed, "the file has a header but no data rows")
    header_text = body[:newline].rstrip(b"\r").decode("utf-8")
    headers = [normalise_header(name) for name in next(csv.reader([header_text]))]
    data = body[newline + 1 :]
    names = [f"c{index}" for index in range(len(headers))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=READ_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except pa.ArrowInvalid:
        return _read_csv_by_records(feed, body)
    if table.num_rows != data.count(b"\n") + 1:
        return _read_csv_by_records(feed, body)
    lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return _drop_blank_unnamed(TextTable(headers, list(table.columns), lines))


def _read_csv_by_records(feed: str, body: bytes) -> TextTable:
    """The slow path: the ``csv`` module, which knows the line each record starts on."""
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    headers = [normalise_header(name) for name in next(reader)]
    width = len(headers)
    cells: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, int]] = []
    next_line = reader.line_num + 1
    for record in reader:
        line, next_line = next_line, reader.line_num + 1
        if not record:
            continue  # a blank line
        if len(record) != width:
            ragged.append((len(lines), len(record)))
            record = (record + [""] * width)[:width]
        cells.append(record)
        lines.append(line)
    if not cells:
        raise FeedRejected.single(feed, "the file has a header but no data rows")
    columns = [
        pa.chunked_array([pa.array(list(values), pa.string())])
        for values in zip(*cells, strict=True)
    ]
    table = TextTable(headers, columns, np.asarray(lines, dtype=np.int64))
    if ragged:
        counts = dict(ragged)
        table.findings.append(
            Finding(
                positions=np.asarray([position for position, _ in ragged], dtype=np.int64),
                column=None,
                reason=lambda position: (
                    f"the row has {counts[position]} fields, the header has {width}"
                ),
            )
        )
    return _drop_blank_unnamed(table)


def _drop_blank_unnamed(table: TextTable) -> TextTable:
    """Excel exports sometimes end every line with empty cells under an empty header."""
    keep = [
        index
        for index, (header, column) in enumerate(zip(table.headers, table.columns, strict=True))
        if header or not pc.all(pc.equal(column, "")).as_py()
    ]
    if len(keep) == len(table.headers):
        return table
    table.headers = [table.headers[index] for index in keep]
    table.columns = [table.columns[index] for index in keep]
    return table


def read_json(feed: str, content: bytes) -> TextTable:
    text = content.decode("utf-8")
    if not text.strip():
        raise FeedRejected.single(feed, "the file is empty")
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=str)
    except json.JSONDecodeError as error:
        raise FeedRejected.single(
            feed, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, list):
        raise FeedRejected.single(feed, "the body must be a JSON array of objects")
    if not data:
        raise FeedRejected.single(feed, "the array has no rows")

    keys: dict[str, None] = {}
    not_objects: list[int] = []
    for position, item in enumerate(data):
        if type(item) is dict:
            keys.update(dict.fromkeys(item))
        else:
            not_objects.append(position)
    objects: list[dict[str, Any]] = [item if type(item) is dict else {} for item in data]

    headers: list[str] = []
    columns: list[pa.ChunkedArray] = []
    findings: list[Finding] = []
    for key in keys:
        raw = [item.get(key) for item in objects]
        values = [value if type(value) is str else _json_cell(value) for value in raw]
        headers.append(normalise_header(key))
        columns.append(pa.chunked_array([pa.array(values, pa.string())]))
        nested = [position for position, value in enumerate(raw) if isinstance(value, (dict, list))]
        if nested:
            findings.append(
                Finding(
                    positions=np.asarray(nested, dtype=np.int64),
                    column=normalise_header(key),
                    reason="must be a string, a number, true/false or null",
                )
            )
    if not_objects:
        findings.append(
            Finding(
                positions=np.asarray(not_objects, dtype=np.int64),
                column=None,
                reason="the array element is not an object",
                value=lambda position: json.dumps(data[position], default=str)[:100],
            )
        )
    lines = np.arange(1, len(data) + 1, dtype=np.int64)
    return TextTable(headers, columns, lines, findings)


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, default=str)

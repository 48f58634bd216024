"""``parse_feed``: bytes as posted → a typed, validated frame, or every reason it is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from app.engine.feed_schema import FEED_SCHEMAS
from app.feeds.batch import Batch
from app.feeds.checks import check_feed
from app.feeds.clean import read_clean_bytes
from app.feeds.columns import FEED_COLUMNS, FEEDS, Feed, check_header
from app.feeds.problems import FeedRejected, collect_problems, summary
from app.feeds.reading import TextTable, decode_check, read_csv, read_json

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PROBLEMS = 500
JSON_TYPES = ("application/json",)
CSV_TYPES = ("text/csv", "application/csv", "text/plain")


@dataclass(frozen=True)
class ParsedFeed:
    """A batch that passed every check.

    ``frame`` has the shape of ``app.engine.frames`` (quantities in thousandths) plus the
    optional columns of SPEC §2, always present and null where not sent; ``columns`` are the
    feed's columns the upload actually had, in the order it had them; ``rows`` counts its
    rows; ``sha256`` is the hex digest of the content bytes exactly as received; ``lines``
    is the line (CSV) or position (JSON) each row came from, for problems found later.
    """

    feed: Feed
    frame: pd.DataFrame
    columns: tuple[str, ...]
    rows: int
    sha256: str
    lines: np.ndarray


def parse_feed(
    feed: Feed,
    content: bytes,
    *,
    content_type: str = "text/csv",
    term_start: date | None = None,
    term_end: date | None = None,
    roster_ids: AbstractSet[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> ParsedFeed:
    """Parse and check a whole batch; raise :class:`FeedRejected` listing every bad row.

    ``content_type`` is ``text/csv`` (a header row, then one row per line; a UTF-8 BOM,
    Excel quoting and CRLF line ends are fine) or ``application/json`` (an array of objects).
    ``roster_ids``, when given, are the students that the other feeds may name;
    ``term_start``/``term_end`` bound usage and schedule dates and assessment test dates
    (inclusive).
    """
    if feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}; expected one of {', '.join(FEEDS)}")
    if len(content) > max_bytes:
        raise FeedRejected.single(
            feed, f"the file is {len(content):,} bytes, more than the limit of {max_bytes:,}"
        )
    sha256 = hashlib.sha256(content).hexdigest()
    body = decode_check(feed, content)
    if _media_type(content_type) in CSV_TYPES:
        clean = read_clean_bytes(
            feed, body, roster_ids=roster_ids, term_start=term_start, term_end=term_end
        )
        if clean is not None:  # the usual batch: nothing wrong, so nothing to report
            return ParsedFeed(
                feed=feed,
                frame=clean.frame(),
                columns=tuple(clean.columns),
                rows=clean.rows,
                sha256=sha256,
                lines=np.arange(2, clean.rows + 2, dtype=np.int64),
            )
    table = _read(feed, body, content_type)

    positions, column_problems = check_header(feed, table.headers)
    batch = Batch(table, positions)
    build = check_rows(feed, batch, roster_ids=roster_ids, term_start=term_start, term_end=term_end)

    problems, total = collect_problems(
        column_problems=column_problems,
        findings=batch.findings,
        lines=table.lines,
        text_of=batch.cell,
        column_order=FEED_COLUMNS[feed],
        max_problems=max_problems,
    )
    if total:
        raise FeedRejected(summary(feed, problems, total), problems, total)
    frame = build()
    return ParsedFeed(
        feed=feed,
        frame=frame,
        columns=tuple(positions),
        rows=len(frame),
        sha256=sha256,
        lines=table.lines,
    )


def check_rows(
    feed: Feed,
    batch: Batch,
    *,
    roster_ids: AbstractSet[str] | None,
    term_start: date | None,
    term_end: date | None,
) -> Callable[[], pd.DataFrame]:
    """Run the feed's row checks (SPEC §2) on ``batch``; return how to build its frame."""
    return check_feed(
        batch, FEED_SCHEMAS[feed], roster_ids=roster_ids, term_start=term_start, term_end=term_end
    )


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _read(feed: Feed, body: bytes, content_type: str) -> TextTable:
    media_type = _media_type(content_type)
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        return read_json(feed, body)
    if media_type in CSV_TYPES:
        return read_csv(feed, body)
    raise FeedRejected.single(
        feed, f"unsupported content type {media_type!r}; send text/csv or application/json"
    )

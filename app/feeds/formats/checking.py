"""Every §2 rule, applied to rows mapped from an export, reported in the export's terms."""

from __future__ import annotations

import hashlib
from collections.abc import Set as AbstractSet
from datetime import date

import numpy as np
import pyarrow as pa

from app.feeds.batch import Batch
from app.feeds.columns import FEED_COLUMNS, Feed, check_header
from app.feeds.formats.source import MappedRows
from app.feeds.parse import ParsedFeed, check_rows
from app.feeds.problems import FeedRejected, Finding, RowProblem, collect_problems, summary
from app.feeds.reading import TextTable


def check_mapped(
    feed: Feed,
    mapped: MappedRows,
    content: bytes,
    *,
    roster_ids: AbstractSet[str] | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
    max_problems: int = 500,
) -> ParsedFeed:
    """The mapped rows as a checked batch, or :class:`FeedRejected` listing every bad row
    by the export's own line numbers and column names. ``sha256`` is of ``content``, the
    bytes as uploaded."""
    accepted = FEED_COLUMNS[feed]
    columns = [name for name in mapped.columns if name in accepted]
    if not mapped.rows:
        raise FeedRejected.single(feed, _nothing_left(mapped))
    table = TextTable(
        headers=columns,
        columns=[
            pa.chunked_array([pa.array(mapped.columns[name], pa.string())]) for name in columns
        ],
        lines=np.asarray(mapped.lines, dtype=np.int64),
    )
    positions, column_problems = check_header(feed, columns)
    batch = Batch(table, positions)
    # Rows the mapping refused are bad already: checks across rows compare only good ones.
    for problem in mapped.problems:
        if problem.position is not None:
            batch.bad[problem.position] = True
    build = check_rows(feed, batch, roster_ids=roster_ids, term_start=term_start, term_end=term_end)
    findings = _not_reported_twice(batch.findings, mapped)
    problems, total = collect_problems(
        column_problems=column_problems,
        findings=findings,
        lines=table.lines,
        text_of=batch.cell,
        column_order=accepted,
        max_problems=max_problems,
        locate=mapped.locate,
    )
    own = [problem.problem for problem in mapped.problems]
    if own:
        problems = sorted(own + problems, key=_file_order)[:max_problems]
        total += len(own)
    if total:
        raise FeedRejected(summary(feed, problems, total), problems, total)
    frame = build()
    return ParsedFeed(
        feed=feed,
        frame=frame,
        columns=tuple(positions),
        rows=len(frame),
        sha256=hashlib.sha256(content).hexdigest(),
        lines=table.lines,
    )


def _not_reported_twice(findings: list[Finding], mapped: MappedRows) -> list[Finding]:
    """A cell the mapping already refused (an unreadable date, say) is not refused again by
    the §2 check of the empty value it became."""
    refused: dict[str, set[int]] = {}
    for problem in mapped.problems:
        if problem.position is not None and problem.column is not None:
            for column in (problem.column, *problem.also):
                refused.setdefault(column, set()).add(problem.position)
    if not refused:
        return findings
    kept = []
    for finding in findings:
        cells = refused.get(finding.column or "")
        if cells:
            mask = ~np.isin(finding.positions, list(cells))
            if not mask.any():
                continue
            finding = Finding(
                finding.positions[mask], finding.column, finding.reason, finding.value
            )
        kept.append(finding)
    return kept


def _file_order(problem: RowProblem) -> tuple[int, int]:
    return (0, 0) if problem.row is None else (1, problem.row)


def _nothing_left(mapped: MappedRows) -> str:
    if mapped.skipped_rows:
        skipped = "; ".join(f"{count} {reason}" for reason, count in mapped.skipped_rows.items())
        return f"no row of the file is left to take ({skipped})"
    return "the file has no data rows"


def unused(mapped: MappedRows, feed: Feed) -> list[str]:
    """Mapped columns this feed does not take: their source columns are dropped too."""
    accepted = FEED_COLUMNS[feed]
    names: list[str] = []
    for column, origin in mapped.origins.items():
        if column not in accepted:
            sources = [origin.name] if isinstance(origin.name, str) else sorted(set(origin.name))
            names.extend(name for name in sources if name)
    return names

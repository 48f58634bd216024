"""Standard exports (SPEC §2b): files districts and vendors already have → Tranche rows.

Pure, like the rest of ``app.feeds``: one small module per platform maps the export's bytes
to the Tranche columns of the target feed, keeping for every cell its source line, column
and value, and listing the columns it drops (names, birth dates, everything unmapped: never
stored). :func:`parse_export` then applies every §2 rule to the mapped rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from app.feeds.columns import Feed
from app.feeds.formats.archive import ArchiveLimits, is_zip
from app.feeds.formats.checking import check_mapped, unused
from app.feeds.formats.iready import map_iready
from app.feeds.formats.nwea_map import map_nwea_map
from app.feeds.formats.oneroster import map_oneroster
from app.feeds.formats.signatures import DESCRIPTIONS, recognise
from app.feeds.formats.source import MappedRows, read_source, refuse
from app.feeds.formats.star import map_star
from app.feeds.formats.tutoring import map_tutoring
from app.feeds.parse import ParsedFeed
from app.feeds.problems import FeedRejected

Format = Literal[
    "tranche",
    "nwea-map-cdf",
    "renaissance-star",
    "iready-diagnostic",
    "oneroster-1.2",
    "tutoring-sessions",
]
FORMATS: tuple[Format, ...] = get_args(Format)

#: The feeds each export can be posted to.
FEEDS_OF: dict[str, tuple[str, ...]] = {
    "nwea-map-cdf": ("assessments",),
    "renaissance-star": ("assessments",),
    "iready-diagnostic": ("assessments",),
    "oneroster-1.2": ("roster",),
    "tutoring-sessions": ("usage", "schedule"),
}

__all__ = [
    "FEEDS_OF",
    "FORMATS",
    "ArchiveLimits",
    "Format",
    "MappedRows",
    "ParsedExport",
    "map_export",
    "parse_export",
]


@dataclass(frozen=True)
class ParsedExport:
    """A checked batch mapped from an export: the §2 batch, what was dropped on read (never
    stored), and how many source rows the platform's own rules left out, by reason."""

    parsed: ParsedFeed
    format: str
    dropped_columns: list[str] = field(default_factory=list)
    skipped_rows: dict[str, int] = field(default_factory=dict)


def map_export(
    format: str,
    feed: str,
    content: bytes,
    *,
    content_type: str = "text/csv",
    file_name: str | None = None,
    subject: str | None = None,
    windows: Mapping[str, tuple[date, date]] | None = None,
    limits: ArchiveLimits = ArchiveLimits(),
) -> MappedRows:
    """Map an export's bytes to the rows of ``feed``; raise :class:`FeedRejected` when the
    file is not that export, or cannot be posted to that feed."""
    if format not in FEEDS_OF:
        known = ", ".join(FORMATS)
        raise FeedRejected.single(feed, f"unknown format {format!r}; known formats: {known}")
    if feed not in FEEDS_OF[format]:
        raise FeedRejected.single(
            feed,
            f"the {format} format is for the {' or '.join(FEEDS_OF[format])} feed, not {feed}",
        )
    if format == "oneroster-1.2":
        if not is_zip(content):
            found = _what_it_is(feed, content, content_type)
            raise refuse(feed, f"expected a OneRoster 1.2 bulk zip, but {found}")
        return map_oneroster(content, limits)
    if is_zip(content):
        raise refuse(
            feed, f"expected {DESCRIPTIONS[format]} as a CSV file, but found a zip archive"
        )
    source = read_source(feed, content, content_type)
    if format == "nwea-map-cdf":
        return map_nwea_map(source)
    if format == "renaissance-star":
        return map_star(source, file_name=file_name, subject=subject)
    if format == "iready-diagnostic":
        return map_iready(source, windows=windows, subject=subject)
    return map_tutoring(source, feed=feed)


def parse_export(
    format: str,
    feed: Feed,
    content: bytes,
    *,
    content_type: str = "text/csv",
    file_name: str | None = None,
    subject: str | None = None,
    windows: Mapping[str, tuple[date, date]] | None = None,
    roster_ids: AbstractSet[str] | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    max_problems: int = 500,
) -> ParsedExport:
    """Map the export, then check the rows by every §2 rule (problems name the export's own
    lines and columns). The batch's SHA-256 is that of ``content`` as uploaded."""
    if len(content) > max_bytes:
        raise FeedRejected.single(
            feed, f"the file is {len(content):,} bytes, more than the limit of {max_bytes:,}"
        )
    mapped = map_export(
        format,
        feed,
        content,
        content_type=content_type,
        file_name=file_name,
        subject=subject,
        windows=windows,
        limits=ArchiveLimits(max_total_bytes=4 * max_bytes),
    )
    parsed = check_mapped(
        feed,
        mapped,
        content,
        roster_ids=roster_ids,
        term_start=term_start,
        term_end=term_end,
        max_problems=max_problems,
    )
    return ParsedExport(
        parsed=parsed,
        format=format,
        dropped_columns=mapped.dropped_columns + unused(mapped, feed),
        skipped_rows=mapped.skipped_rows,
    )


def _what_it_is(feed: str, content: bytes, content_type: str) -> str:
    try:
        source = read_source(feed, content, content_type)
    except FeedRejected:
        return "found a file that is not a zip"
    found = recognise(source.headers)
    return f"found {found[1]} (a CSV file)" if found else "found a CSV file, not a zip"

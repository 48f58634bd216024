"""Reading an upload in the format it says it is (SPEC §2 columns or a §2b export)."""

from __future__ import annotations

import csv
from collections.abc import Set as AbstractSet
from dataclasses import asdict
from datetime import date

from app.engine.definition import Definition
from app.errors import InvalidInput
from app.feeds import FeedRejected, parse_feed
from app.feeds.columns import Feed
from app.feeds.formats import ParsedExport, parse_export
from app.feeds.formats.signatures import recognise
from app.feeds.reading import UTF8_BOM
from app.ingestion.upload import Upload

HEADER_BYTES = 64 * 1024


def parse_upload(
    feed: Feed,
    upload: Upload,
    definition: Definition,
    roster_ids: AbstractSet[str] | None,
    *,
    max_bytes: int,
    max_problems: int,
) -> ParsedExport:
    """The checked batch, or :class:`InvalidInput` listing every bad row (in the terms of
    the file the user has)."""
    try:
        if upload.format == "tranche":
            if upload.subject is not None:
                raise FeedRejected.single(
                    feed, "?subject= goes with an export format (?format=iready-diagnostic …)"
                )
            parsed = parse_feed(
                feed,
                upload.content,
                content_type=upload.content_type,
                term_start=definition.term.start,
                term_end=definition.term.end,
                roster_ids=roster_ids,
                max_bytes=max_bytes,
                max_problems=max_problems,
            )
            return ParsedExport(parsed=parsed, format="tranche")
        return parse_export(
            upload.format,
            feed,
            upload.content,
            content_type=upload.content_type,
            file_name=upload.file_name,
            subject=upload.subject,
            windows=declared_windows(definition),
            roster_ids=roster_ids,
            term_start=definition.term.start,
            term_end=definition.term.end,
            max_bytes=max_bytes,
            max_problems=max_problems,
        )
    except FeedRejected as rejected:
        message = rejected.message
        if upload.format == "tranche":
            message += _export_hint(upload)
        raise InvalidInput(
            message,
            [asdict(problem) for problem in rejected.problems],
            extra={"total": rejected.total},
        ) from None


def declared_windows(definition: Definition) -> dict[str, tuple[date, date]] | None:
    """The contract's ``assessment_rules.windows`` as (from, to) dates, if it declares any."""
    windows = definition.assessment_rules.windows
    return {name: (window.from_, window.to) for name, window in windows.items()} or None


def _export_hint(upload: Upload) -> str:
    """A refused file that is a known export: say which ``?format=`` reads it (from its
    header line alone)."""
    first_line = upload.content[:HEADER_BYTES].removeprefix(UTF8_BOM).split(b"\n", 1)[0]
    try:
        headers = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]), [])
    except (UnicodeDecodeError, csv.Error):
        return ""
    found = recognise(headers)
    if found is None or found[0] == "tranche":
        return ""
    return f" This looks like {found[1]}: post it with ?format={found[0]}."

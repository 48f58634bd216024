"""An upload as it arrived: its bytes, what kind of text they are, and the file's name."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

from app.feeds import FEED_COLUMNS
from app.feeds.columns import Feed, normalise_header

UTF8_BOM = b"\xef\xbb\xbf"
CSV = "text/csv"
JSON = "application/json"
HEADER_SCAN_BYTES = 1 << 16


@dataclass(frozen=True)
class Upload:
    content: bytes
    content_type: str
    file_name: str | None = None


def media_type_of(content_type: str | None, file_name: str | None = None) -> str:
    """The media type to parse by. A multipart file part often says only
    ``application/octet-stream``: then the file name's extension decides (CSV by default)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in ("", "application/octet-stream") or (
        file_name is not None and media_type == "text/plain"
    ):
        if file_name and file_name.lower().endswith(".json"):
            return JSON
        return CSV
    return media_type


def posted_columns(feed: Feed, upload: Upload) -> list[str]:
    """The feed's columns that the upload has, in the order it has them (for exporting the
    rows back as they were posted). Called only on content that parsed cleanly."""
    accepted = FEED_COLUMNS[feed]
    if upload.content_type == JSON or upload.content_type.endswith("+json"):
        seen: dict[str, None] = {}
        for item in json.loads(upload.content.decode("utf-8")):
            seen.update(dict.fromkeys(normalise_header(name) for name in item))
        headers = list(seen)
    else:
        # The header row is near the start; never split a whole 50 MB file into lines for it.
        start = upload.content.removeprefix(UTF8_BOM)[:HEADER_SCAN_BYTES]
        first_line = start.decode("utf-8", errors="ignore").splitlines()[:1]
        headers = [normalise_header(name) for name in next(csv.reader(first_line), [])]
    return [name for name in dict.fromkeys(headers) if name in accepted]

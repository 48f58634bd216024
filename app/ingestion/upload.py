"""An upload as it arrived: its bytes, what kind of text they are, and the file's name."""

from __future__ import annotations

from dataclasses import dataclass

CSV = "text/csv"
JSON = "application/json"


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

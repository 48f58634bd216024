"""An upload as it arrived: its bytes, what kind of text they are, the file's name, and
which export it says it is."""

from __future__ import annotations

from dataclasses import dataclass

CSV = "text/csv"
JSON = "application/json"


@dataclass(frozen=True)
class Upload:
    """``format`` names the export it is (SPEC §2b; ``tranche``: the §2 columns) and
    ``subject`` the subject an export leaves unsaid (i-Ready, Star)."""

    content: bytes
    content_type: str
    file_name: str | None = None
    format: str = "tranche"
    subject: str | None = None


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

"""Reading a zip upload safely: bounded size, member count and compression ratio, and no
member that could name a path outside the archive.

Sizes are measured while decompressing, never taken from the archive's own headers (which
a hostile file can fill with anything).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from app.feeds.problems import FeedRejected

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """``max_total_bytes`` bounds everything decompressed; ``max_ratio`` each member's
    decompressed ÷ compressed size once it is past ``ratio_floor_bytes`` (tiny files
    compress well without being bombs)."""

    max_members: int = 64
    max_total_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 100
    ratio_floor_bytes: int = 1024 * 1024


def is_zip(content: bytes) -> bool:
    return content.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


def read_members(
    feed: str, content: bytes, wanted: frozenset[str], limits: ArchiveLimits
) -> dict[str, bytes]:
    """The members named in ``wanted`` (by file name, at the top or in one folder), as bytes.

    Refuses the whole archive when any member's name is absolute, climbs with ``..``, uses
    backslashes or a drive, when a wanted name appears twice, when a member is encrypted,
    and when the limits are passed.
    """
    if not is_zip(content):
        raise FeedRejected.single(
            feed, "expected a zip archive (a OneRoster bulk file), found no zip"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FeedRejected.single(feed, f"the zip archive is damaged ({error})") from None
    if len(members) > limits.max_members:
        raise FeedRejected.single(
            feed, f"the zip has {len(members)} members, more than {limits.max_members}"
        )
    chosen: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        name = member.filename
        path = PurePosixPath(name)
        if (
            "\\" in name
            or name.startswith("/")
            or ".." in path.parts
            or (path.parts and ":" in path.parts[0])
            or "\x00" in name
        ):
            raise FeedRejected.single(feed, f"the zip member {name!r} has an unsafe path")
        if member.is_dir():
            continue
        if len(path.parts) > 2:
            continue  # deeper than one folder: not part of a OneRoster bulk file
        base = path.name.lower()
        if base not in wanted:
            continue
        if base in chosen:
            raise FeedRejected.single(feed, f"the zip holds {base} more than once")
        if member.flag_bits & 0x1:
            raise FeedRejected.single(feed, f"the zip member {name!r} is encrypted")
        chosen[base] = member

    total = 0
    contents: dict[str, bytes] = {}
    for base, member in chosen.items():
        data = bytearray()
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(READ_CHUNK):
                    data += chunk
                    total += len(chunk)
                    if total > limits.max_total_bytes:
                        raise FeedRejected.single(
                            feed,
                            f"the zip expands to more than {limits.max_total_bytes:,} bytes",
                        )
                    if len(data) > limits.ratio_floor_bytes and len(data) > limits.max_ratio * max(
                        member.compress_size, 1
                    ):
                        raise FeedRejected.single(
                            feed,
                            f"the zip member {member.filename!r} expands more than "
                            f"{limits.max_ratio} times: refused as a possible zip bomb",
                        )
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
        ) as error:
            raise FeedRejected.single(
                feed, f"the zip member {member.filename!r} cannot be read ({error})"
            ) from None
        contents[base] = bytes(data)
    return contents

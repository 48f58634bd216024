"""Which columns each feed accepts (from ``app.engine.feed_schema``), and the header check."""

from __future__ import annotations

from collections.abc import Sequence

from app.engine.feed_schema import FEED_NAMES, FEED_SCHEMAS, FeedName
from app.feeds.problems import RowProblem, column_problem

Feed = FeedName

FEEDS: tuple[Feed, ...] = FEED_NAMES

#: Every column a feed accepts, in SPEC order (the order of the returned frame).
FEED_COLUMNS: dict[Feed, tuple[str, ...]] = {
    name: schema.names for name, schema in FEED_SCHEMAS.items()
}

#: The columns naming one value of a feed: a later batch's row replaces an earlier one with
#: the same key (SPEC §2), in every feed. A blank ``session_id`` is part of the key: the
#: student's total for that day.
NATURAL_KEYS: dict[Feed, tuple[str, ...]] = {
    name: schema.key for name, schema in FEED_SCHEMAS.items()
}

#: The columns a feed must have.
REQUIRED_COLUMNS: dict[Feed, tuple[str, ...]] = {
    name: schema.required for name, schema in FEED_SCHEMAS.items()
}

# Student data is pseudonymous: a header containing any of these looks like a name, a birth
# date or contact details, and the whole column is refused without echoing its values.
PERSONAL_DATA_MARKERS = (
    "name",
    "first",
    "last",
    "dob",
    "birth",
    "email",
    "address",
    "street",
    "phone",
    "mobile",
    "ssn",
    "social_security",
    "zip",
    "postal",
)


def normalise_header(name: str) -> str:
    """Headers match case-insensitively and ignore surrounding spaces (Excel adds both)."""
    return name.strip().lower()


def looks_like_personal_data(header: str) -> bool:
    compact = header.replace(" ", "_").replace("-", "_")
    return any(marker in compact for marker in PERSONAL_DATA_MARKERS)


def check_header(feed: Feed, headers: Sequence[str]) -> tuple[dict[str, int], list[RowProblem]]:
    """Map each accepted column to its position; list missing, unknown and refused columns.

    ``headers`` are normalised already. A repeated column keeps its first position and is
    reported.
    """
    accepted = FEED_COLUMNS[feed]
    positions: dict[str, int] = {}
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        if header in seen:
            problems.append(column_problem(header, "the column appears more than once"))
            continue
        seen.add(header)
        if header in accepted:
            positions[header] = index
        elif looks_like_personal_data(header):
            problems.append(
                column_problem(
                    header,
                    "looks like personal data (names, birth dates, contact details); "
                    "student data must be pseudonymous, remove the column",
                )
            )
        elif header == "":
            problems.append(column_problem(header, "a column has no name"))
        else:
            problems.append(
                column_problem(
                    header,
                    f"unknown column for the {feed} feed; accepted: {', '.join(accepted)}",
                )
            )
    for required in REQUIRED_COLUMNS[feed]:
        if required not in positions:
            problems.append(column_problem(required, "required column is missing"))
    return positions, problems
